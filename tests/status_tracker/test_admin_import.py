"""Admin CSV import of status events: permissions, preview without writes, confirmation, bad files."""

import datetime
import hashlib

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Permission
from django.core import signing
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from status_tracker.admin.csv_import import CONFIRMATION_SALT
from status_tracker.csv_import import COLUMNS, MAX_ROWS, CsvFileError, csv_rows_check, csv_rows_parse
from status_tracker.models import StageProgress, StatusEvent
from tests.factories import UserFactory, sign_in, sign_in_with_second_step, status_event_record

IMPORT_URL = "admin:status_tracker_statusevent_import"
CONFIRM_URL = "admin:status_tracker_statusevent_import_confirm"
WHEN = (timezone.now() - datetime.timedelta(days=3)).replace(microsecond=0)


def stamp(minutes: int) -> str:
    return (WHEN + datetime.timedelta(minutes=minutes)).isoformat()


def csv_bytes(rows: list[dict], *, header: list[str] | None = None, delimiter: str = ",", bom: bool = False) -> bytes:
    header = header or COLUMNS
    lines = [delimiter.join(header)]
    for row in rows:
        lines.append(delimiter.join(_quoted(row.get(name, "")) for name in header))
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


def _quoted(value: str) -> str:
    if any(mark in value for mark in ',;"\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def upload(client, content: bytes, name: str = "events.csv"):
    return client.post(reverse(IMPORT_URL), {"file": SimpleUploadedFile(name, content, content_type="text/csv")})


def token_from(response) -> str:
    return response.context["confirm_form"].initial["token"]


@pytest.fixture
def rows(applicant_application):
    number = applicant_application.number
    return [
        {"event_id": "csv-1", "application_number": number, "occurred_at": stamp(1), "kind": "stage"}
        | {"stage": "completeness", "state": "completed"},
        {"event_id": "csv-2", "application_number": number, "occurred_at": stamp(2), "kind": "stage"}
        | {
            "stage": "eligibility",
            "state": "in_progress",
            "message_en": "We are on it",
            "message_fr": "On s'en occupe",
        },
        {"event_id": "csv-3", "application_number": number, "occurred_at": stamp(3), "kind": "note"}
        | {"message_en": "=HYPERLINK(1)", "message_fr": "Bonjour", "visible_to_client": "non"},
        # No offset: invalid, left out.
        {"event_id": "csv-4", "application_number": number, "occurred_at": "2026-01-01T10:00:00", "kind": "stage"}
        | {"stage": "completeness", "state": "completed"},
        # Valid, but no such application: the service rejects it.
        {"event_id": "csv-5", "application_number": "E999999999", "occurred_at": stamp(4), "kind": "status"}
        | {"status": "in_progress"},
    ]


@pytest.fixture
def importer(db):
    """Staff who may import events but is not a superuser."""
    user = UserFactory(email="importer@example.com", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="add_statusevent"), Permission.objects.get(codename="view_statusevent")
    )
    return user


# --- who may import --------------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_the_admin_sign_in(client):
    for response in (client.get(reverse(IMPORT_URL)), client.post(reverse(CONFIRM_URL), {"token": "x"})):
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]


def test_it_turns_away_applicants(client, applicant):
    sign_in(client, applicant)
    response = client.get(reverse(IMPORT_URL))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_it_refuses_staff_without_the_add_permission(client, db):
    reader = UserFactory(email="reader@example.com", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_statusevent"))
    sign_in(client, reader)

    assert client.get(reverse(IMPORT_URL)).status_code == 403
    assert client.post(reverse(CONFIRM_URL), {"token": "x"}).status_code == 403
    changelist = client.get(reverse("admin:status_tracker_statusevent_changelist"))
    assert changelist.status_code == 200
    assert reverse(IMPORT_URL) not in changelist.content.decode()


def test_staff_with_the_add_permission_see_the_button_and_the_form(client, importer):
    sign_in(client, importer)
    changelist = client.get(reverse("admin:status_tracker_statusevent_changelist"))
    assert reverse(IMPORT_URL) in changelist.content.decode()

    response = client.get(reverse(IMPORT_URL))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'type="file"' in page and 'enctype="multipart/form-data"' in page
    assert "message_fr" in page


def test_the_confirmation_only_accepts_posts(admin_client):
    assert admin_client.get(reverse(CONFIRM_URL)).status_code == 405


def test_the_import_page_is_also_in_french(admin_client):
    response = admin_client.get("/fr/admin/status_tracker/statusevent/import/")
    assert response.status_code == 200
    assert '<html lang="fr"' in response.content.decode()


# --- preview, then confirm ------------------------------------------------------------------------


def test_the_preview_shows_each_row_and_writes_nothing(client, importer, rows, applicant_application):
    status_event_record(
        application=applicant_application,
        stage=applicant_application.program.stages.get(code="completeness"),
        state="in_progress",
        occurred_at=WHEN,
        source_id="csv-1",
    )
    sign_in(client, importer)
    before = (StatusEvent.objects.count(), StageProgress.objects.count(), Notification.objects.count())

    response = upload(client, csv_bytes(rows))

    assert response.status_code == 200
    checks = response.context["checks"]
    assert [(check.row.line, check.valid, check.duplicate) for check in checks] == [
        (2, True, True),
        (3, True, False),
        (4, True, False),
        (5, False, False),
        (6, True, False),
    ]
    assert any("occurred_at" in error for error in checks[3].errors)
    page = response.content.decode()
    assert "Give the time with its offset from UTC" in page
    assert "=HYPERLINK(1)" not in page  # only the id, number, kind and time are shown back
    assert (StatusEvent.objects.count(), StageProgress.objects.count(), Notification.objects.count()) == before
    assert not LogEntry.objects.exists()
    assert response.context["valid_count"] == 4 and response.context["duplicate_count"] == 1


def test_confirming_applies_the_rows_through_the_service(client, importer, rows, applicant_application, applicant):
    sign_in(client, importer)
    token = token_from(upload(client, csv_bytes(rows)))

    response = client.post(reverse(CONFIRM_URL), {"token": token})

    assert response.status_code == 200
    assert [result.result for result in response.context["results"]] == [
        "applied",
        "applied",
        "applied",
        "invalid",
        "rejected",
    ]
    assert response.context["counts"] == {
        "applied": 3,
        "out_of_order": 0,
        "duplicate": 0,
        "rejected": 1,
        "invalid": 1,
    }
    assert set(StatusEvent.objects.values_list("source_id", flat=True)) == {"csv-1", "csv-2", "csv-3"}
    assert StatusEvent.objects.get(source_id="csv-2").message_fr == "On s'en occupe"
    assert StatusEvent.objects.get(source_id="csv-3").visible_to_client is False
    assert StatusEvent.objects.filter(api_client__isnull=False).count() == 0
    progress = StageProgress.objects.get(application=applicant_application, stage__code="completeness")
    assert progress.state == "completed"
    applicant_application.refresh_from_db()
    assert applicant_application.current_stage.code == "eligibility"
    # The two visible events told the linked account in the portal and by email.
    assert Notification.objects.filter(recipient=applicant).count() == 4
    entries = LogEntry.objects.filter(user=importer, action_flag=ADDITION)
    assert entries.count() == 3
    assert "events.csv" in entries.first().get_change_message()
    assert "no application with this number" in response.content.decode()
    assert "3 applied" in response.content.decode()


def test_importing_the_same_file_again_reports_duplicates_and_tells_nobody(client, importer, rows):
    sign_in(client, importer)
    client.post(reverse(CONFIRM_URL), {"token": token_from(upload(client, csv_bytes(rows)))})
    notified = Notification.objects.count()

    preview = upload(client, csv_bytes(rows))
    assert [check.duplicate for check in preview.context["checks"]] == [True, True, True, False, False]
    response = client.post(reverse(CONFIRM_URL), {"token": token_from(preview)})

    assert response.context["counts"]["duplicate"] == 3
    assert Notification.objects.count() == notified
    assert StatusEvent.objects.count() == 3


def test_a_repeated_event_id_in_the_file_is_a_duplicate(client, importer, rows):
    sign_in(client, importer)
    preview = upload(client, csv_bytes([rows[0], rows[0] | {"state": "in_progress"}]))
    assert [check.duplicate for check in preview.context["checks"]] == [False, True]

    response = client.post(reverse(CONFIRM_URL), {"token": token_from(preview)})
    assert [result.result for result in response.context["results"]] == ["applied", "duplicate"]


def test_a_preview_can_be_confirmed_only_once(client, importer, rows):
    sign_in(client, importer)
    token = token_from(upload(client, csv_bytes(rows)))
    assert client.post(reverse(CONFIRM_URL), {"token": token}).status_code == 200

    again = client.post(reverse(CONFIRM_URL), {"token": token})
    assert again.status_code == 400
    assert "no longer valid" in again.content.decode()


@pytest.mark.parametrize("tamper", ["edited", "empty", "garbage", "other_user", "changed_file", "expired"])
def test_a_tampered_or_stale_token_applies_nothing(client, importer, rows, tamper, admin_user):
    sign_in(client, importer)
    token = token_from(upload(client, csv_bytes(rows)))
    claims = signing.loads(token, salt=CONFIRMATION_SALT)
    if tamper == "edited":
        token = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    elif tamper == "empty":
        token = ""
    elif tamper == "garbage":
        token = "x" * 2000
    elif tamper == "other_user":
        sign_in_with_second_step(client, admin_user)
    elif tamper == "changed_file":
        cache.set(claims["key"], {"content": csv_bytes(rows[:1]), "name": "events.csv"})
    elif tamper == "expired":
        cache.delete(claims["key"])

    response = client.post(reverse(CONFIRM_URL), {"token": token})

    assert response.status_code == 400
    assert "no longer valid" in response.content.decode()
    assert not StatusEvent.objects.exists()


def test_a_token_signed_for_other_content_is_refused(client, importer, rows):
    """Even a correctly signed token must match the digest of what was stored."""
    sign_in(client, importer)
    token = token_from(upload(client, csv_bytes(rows)))
    claims = signing.loads(token, salt=CONFIRMATION_SALT)
    forged = signing.dumps(claims | {"sha256": hashlib.sha256(b"other").hexdigest()}, salt=CONFIRMATION_SALT)

    assert client.post(reverse(CONFIRM_URL), {"token": forged}).status_code == 400
    assert not StatusEvent.objects.exists()


# --- files that cannot be imported ---------------------------------------------------------------


def _error_page(response) -> str:
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    return " ".join(response.context["form"].errors["file"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        ("event_id,application_number,occurred_at,kind\r\nété,E1,x,stage\r\n".encode("latin-1"), "not UTF-8"),
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"event_id,application_number,occurred_at,kind\r\n", "no rows"),
        (b"event_id,application,occurred_at,kind\r\nx,y,z,stage\r\n", "missing columns: application_number"),
        (b"event_id,application_number,occurred_at,kind,colour\r\nx,y,z,stage,red\r\n", "unknown columns: colour"),
        (b"event_id,event_id,application_number,occurred_at,kind\r\nx,x,y,z,q\r\n", "columns named twice"),
        (b'event_id,application_number,occurred_at,kind\r\n"x"y,E1,z,stage\r\n', "could not be read as CSV"),
    ],
)
def test_a_file_that_cannot_be_used_gets_a_clear_error(admin_client, content, message):
    assert message in _error_page(upload(admin_client, content))
    assert not StatusEvent.objects.exists()


def test_a_missing_file_gets_a_clear_error(admin_client):
    response = admin_client.post(reverse(IMPORT_URL), {})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]


def test_too_many_rows_are_refused(admin_client, rows):
    content = csv_bytes([rows[0] | {"event_id": f"e{index}"} for index in range(MAX_ROWS + 1)])
    assert "more than 5,000 rows" in _error_page(upload(admin_client, content))


def test_exactly_the_maximum_number_of_rows_is_accepted(db, rows):
    content = csv_bytes([rows[0] | {"event_id": f"e{index}"} for index in range(MAX_ROWS)])
    assert len(csv_rows_parse(content=content)) == MAX_ROWS


def test_a_file_over_5_mb_is_refused(admin_client, rows):
    padding = "x" * 2000
    content = csv_bytes([rows[0] | {"event_id": f"e{index}", "notes": padding} for index in range(2700)])
    assert len(content) > 5 * 1024 * 1024
    assert "larger than 5 MB" in _error_page(upload(admin_client, content))


# --- reading rows --------------------------------------------------------------------------------


def test_a_byte_order_mark_and_semicolons_are_understood(db, rows):
    parsed = csv_rows_parse(content=csv_bytes(rows, delimiter=";", bom=True))
    assert [row.cells["event_id"] for row in parsed] == ["csv-1", "csv-2", "csv-3", "csv-4", "csv-5"]


def test_only_the_required_columns_are_needed_in_any_order(db, applicant_application):
    header = ["kind", "occurred_at", "application_number", "event_id", "status"]
    row = {
        "event_id": "s1",
        "application_number": applicant_application.number,
        "occurred_at": stamp(0),
        "kind": "status",
        "status": "in_progress",
    }
    content = csv_bytes([row], header=header)
    (check,) = csv_rows_check(rows=csv_rows_parse(content=content))
    assert check.valid, check.errors


def test_cells_become_the_api_fields(db, applicant_application):
    row = {
        "event_id": "d1",
        "application_number": f" {applicant_application.number} ",
        "occurred_at": stamp(0),
        "kind": "decision",
        "outcome": "refused",
        "grounds": "insufficient-funds | travel-history;family-ties",
        "notes": "Line one\nLine two [redacted]",
        "made_in_canada": "Oui",
    }
    (check,) = csv_rows_check(rows=csv_rows_parse(content=csv_bytes([row])))
    assert check.valid, check.errors
    assert check.event.grounds == ("insufficient-funds", "travel-history", "family-ties")
    assert check.event.notes == "Line one\nLine two [redacted]"
    assert check.event.made_in_canada is True
    assert check.event.application_number == applicant_application.number


def test_row_errors_name_the_column(db, applicant_application):
    row = {
        "event_id": "n1",
        "application_number": applicant_application.number,
        "occurred_at": stamp(0),
        "kind": "note",
        "message_en": "Only English",
        "made_in_canada": "perhaps",
    }
    (check,) = csv_rows_check(rows=csv_rows_parse(content=csv_bytes([row])))
    assert not check.valid
    assert any(error.startswith("message_fr: ") for error in check.errors), check.errors
    assert any(error.startswith("made_in_canada: ") for error in check.errors), check.errors


def test_a_row_longer_than_the_header_is_invalid(db):
    content = b"event_id,application_number,occurred_at,kind\r\nx,E1,2026-01-01T00:00:00Z,stage,extra\r\n"
    (check,) = csv_rows_check(rows=csv_rows_parse(content=content))
    assert not check.valid and "more cells" in check.errors[0]


def test_the_parser_raises_its_own_error_for_a_bad_file():
    with pytest.raises(CsvFileError):
        csv_rows_parse(content=b"\x00\x01")

"""Every service token made or revoked, by the command or in admin, leaves one audit row, and never the secret."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from core.models import AuditAction, AuditEvent
from status_tracker.models import ApiClient
from tests.factories import sign_in_with_second_step

pytestmark = pytest.mark.django_db

CHANGELIST = "/en/admin/status_tracker/apiclient/"
ADD = CHANGELIST + "add/"
ADMIN_ADDRESS = "203.0.113.7"


@pytest.fixture
def admin_browser(admin_user):
    browser = Client(REMOTE_ADDR=ADMIN_ADDRESS)
    sign_in_with_second_step(browser, admin_user)
    return browser


def command(*args) -> str:
    out = io.StringIO()
    call_command("create_api_client", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def admin_add(browser, name: str) -> str:
    response = browser.post(ADD, {"name": name, "scopes": ["status:read"]}, follow=True)
    (message,) = [str(item) for item in response.context["messages"] if "never be shown again" in str(item)]
    return next(word for word in message.split() if word.startswith("csp_")).rstrip(".")


def test_the_command_records_the_token_it_makes():
    command("gcms-production")

    client = ApiClient.objects.get(name="gcms-production")
    row = AuditEvent.objects.get()
    assert row.action == AuditAction.API_TOKEN_CREATED
    assert (row.subject_type, row.subject_id) == ("api_client", str(client.pk))
    assert row.actor is None
    assert row.actor_label == "manage.py create_api_client"
    assert row.ip_address is None


def test_the_admin_add_form_records_the_admin_and_their_address(admin_browser, admin_user):
    admin_add(admin_browser, "gcms-admin")

    client = ApiClient.objects.get(name="gcms-admin")
    row = AuditEvent.objects.get()
    assert row.action == AuditAction.API_TOKEN_CREATED
    assert (row.subject_type, row.subject_id) == ("api_client", str(client.pk))
    assert row.actor == admin_user
    assert row.actor_label == str(admin_user)
    assert row.ip_address == ADMIN_ADDRESS


def test_the_admin_revoke_action_records_each_client_it_revokes(admin_browser, admin_user):
    command("leaving")
    command("staying")
    leaving = ApiClient.objects.get(name="leaving")

    admin_browser.post(CHANGELIST, {"action": "revoke", "_selected_action": [leaving.pk]})

    row = AuditEvent.objects.get(action=AuditAction.API_TOKEN_REVOKED)
    assert (row.subject_type, row.subject_id) == ("api_client", str(leaving.pk))
    assert row.actor == admin_user
    assert row.ip_address == ADMIN_ADDRESS


def test_revoking_an_already_revoked_client_records_nothing_more(admin_browser):
    command("gone")
    gone = ApiClient.objects.get(name="gone")
    admin_browser.post(CHANGELIST, {"action": "revoke", "_selected_action": [gone.pk]})

    admin_browser.post(CHANGELIST, {"action": "revoke", "_selected_action": [gone.pk]})

    assert AuditEvent.objects.filter(action=AuditAction.API_TOKEN_REVOKED).count() == 1


def test_the_command_records_a_revocation_too():
    command("retired")

    command("retired", "--revoke")

    row = AuditEvent.objects.get(action=AuditAction.API_TOKEN_REVOKED)
    assert row.subject_id == str(ApiClient.objects.get(name="retired").pk)
    assert (row.actor, row.actor_label) == (None, "manage.py create_api_client")


def test_a_name_already_taken_records_nothing():
    command("taken")

    with pytest.raises(CommandError, match="already exists"):
        command("taken")

    assert AuditEvent.objects.count() == 1


def test_the_token_never_appears_in_the_audit_trail(admin_browser):
    tokens = [command("by-command"), admin_add(admin_browser, "by-admin")]
    command("by-command", "--revoke")
    admin_browser.post(
        CHANGELIST, {"action": "revoke", "_selected_action": [ApiClient.objects.get(name="by-admin").pk]}
    )

    trail = repr(list(AuditEvent.objects.values()))
    assert AuditEvent.objects.count() == 4
    for token in tokens:
        secret = token.split("_", 2)[2]  # csp_<prefix>_<secret>; the prefix is shown in admin anyway
        assert token not in trail
        assert secret not in trail


def test_no_client_is_made_when_its_audit_row_cannot_be_written(monkeypatch):
    def refuse(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("status_tracker.api_clients.audit_record", refuse)

    with pytest.raises(RuntimeError):
        command("unaudited")

    assert not ApiClient.objects.exists()

"""The decision page: who may see it, what a refusal, an approval and a withdrawal show, and its query count."""

import datetime
import html

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from applications.models import Application, Program
from status_tracker.decisions import judicial_review_deadline
from status_tracker.models import Decision, RefusalGround
from tests.factories import ApplicationFactory, UserFactory, link, record_decision, sign_in, sign_in_with_second_step

pytestmark = pytest.mark.django_db

NOTES = (
    "PA states purpose is tourism.\n"
    "Funds: deposit of [REDACTED] on 2025-01-02, source not explained.\n"
    "Partner agency: █████████\n"
    "\n"
    "    Indented line kept as is.\n"
    "<script>alert('x')</script> & <b>bold</b>"
)


def decision_url(application, language="en"):
    with translation.override(language):
        return reverse("applications:decision", kwargs={"number": application.number})


def detail_url(application):
    return reverse("applications:detail", kwargs={"number": application.number})


def decide(application, *, outcome, grounds=(), notes="", made_in_canada=True, days_ago=5):
    decided_on = timezone.localdate() - datetime.timedelta(days=days_ago)
    return record_decision(
        application=application,
        outcome=outcome,
        decided_at=datetime.datetime.combine(decided_on, datetime.time(14, 30), tzinfo=timezone.get_current_timezone()),
        grounds=grounds,
        notes=notes,
        made_in_canada=made_in_canada,
    )


def close_without_decision_row(application, *, outcome):
    """A file closed before the portal kept decisions: closed by its decision event, but with no Decision row."""
    record_decision(application=application, outcome=outcome)
    Decision.objects.filter(application=application).delete()


@pytest.fixture
def refused(applicant_application):
    decide(
        applicant_application,
        outcome="refused",
        grounds=["insufficient-funds", "purpose-of-visit"],
        notes=NOTES,
    )
    return applicant_application


# Who may see it ------------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_sign_in(client, refused):
    response = client.get(decision_url(refused))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_it_shows_the_owner_their_decision(client, applicant, refused):
    sign_in(client, applicant)
    response = client.get(decision_url(refused))
    assert response.status_code == 200
    assert refused.number in response.text


def test_it_hides_another_applicants_decision(client, other_applicant, refused):
    sign_in(client, other_applicant)
    assert client.get(decision_url(refused)).status_code == 404


def test_staff_with_the_view_permission_can_read_it(client, staff_user, refused):
    sign_in_with_second_step(client, staff_user)
    assert client.get(decision_url(refused)).status_code == 200


def test_staff_without_the_view_permission_cannot(client, refused):
    sign_in(client, UserFactory(is_staff=True))
    assert client.get(decision_url(refused)).status_code == 404


def test_an_application_without_a_decision_has_no_decision_page(client, applicant, applicant_application):
    sign_in(client, applicant)
    assert client.get(decision_url(applicant_application)).status_code == 404
    close_without_decision_row(applicant_application, outcome="refused")
    assert client.get(decision_url(applicant_application)).status_code == 404


def test_a_number_that_does_not_exist_is_the_same_404(client, applicant):
    sign_in(client, applicant)
    assert client.get(reverse("applications:decision", kwargs={"number": "E999999999"})).status_code == 404


def test_it_only_answers_reads(client, applicant, refused):
    sign_in(client, applicant)
    assert client.post(decision_url(refused)).status_code == 405


# A refusal -----------------------------------------------------------------------------------


def test_a_refusal_explains_each_ground_in_plain_english(client, applicant, refused):
    sign_in(client, applicant)
    page = html.unescape(client.get(decision_url(refused)).text)
    for code in ["insufficient-funds", "purpose-of-visit"]:
        ground = RefusalGround.objects.get(code=code)
        assert ground.title_en in page
        assert ground.explanation_en in page
        assert ground.title_fr not in page
    assert "Legal reference: IRPR 179(b), 220" in page


def test_a_refusal_explains_each_ground_in_french_on_the_french_page(client, applicant, refused):
    sign_in(client, applicant)
    response = client.get(decision_url(refused, "fr"))
    page = html.unescape(response.text)
    assert '<html lang="fr">' in page
    for code in ["insufficient-funds", "purpose-of-visit"]:
        ground = RefusalGround.objects.get(code=code)
        assert ground.title_fr in page
        assert ground.explanation_fr in page
        assert ground.explanation_en not in page
    # The references name the Act and the Regulations by their French initials.
    assert "RIPR 179b), 220" in page
    assert "IRPR 179(b)" not in page


def test_the_officers_notes_appear_exactly_as_released_with_html_escaped(client, applicant, refused):
    sign_in(client, applicant)
    text = client.get(decision_url(refused)).text
    escaped = (
        "PA states purpose is tourism.\n"
        "Funds: deposit of [REDACTED] on 2025-01-02, source not explained.\n"
        "Partner agency: █████████\n"
        "\n"
        "    Indented line kept as is.\n"
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"
    )
    assert f'<div class="officer-notes">{escaped}</div>' in text
    assert "<script>alert" not in text
    assert "<b>bold</b>" not in text


def test_a_refusal_says_what_the_client_can_do_next(client, applicant, refused):
    sign_in(client, applicant)
    page = html.unescape(client.get(decision_url(refused)).text)
    assert "Apply again" in page
    assert "You can send a new application at any time." in page
    assert "Ask for the decision to be reconsidered" in page
    assert "There is no fee and no form." in page
    assert "The law sets no deadline for this" in page
    assert "This page is not legal advice." in page
    assert 'href="https://www.fct-cf.gc.ca/en/home"' in page


def test_a_refusal_made_in_canada_shows_the_15_day_deadline_and_how_it_was_counted(client, applicant, refused):
    sign_in(client, applicant)
    page = html.unescape(client.get(decision_url(refused)).text)
    deadline = judicial_review_deadline(decided_on=refused.decided_on, made_in_canada=True)
    assert (
        f'<time datetime="{deadline.deadline:%Y-%m-%d}">{date_format(deadline.deadline, "DATE_FORMAT")}</time>' in page
    )
    assert "The decision was made in Canada, so the law allows 15 days." in page
    decided = date_format(refused.decided_on, "DATE_FORMAT")
    counted = date_format(deadline.counted_to, "DATE_FORMAT")
    assert f"15 days after the decision date, {decided}, is {counted}." in page


def test_when_the_place_is_unknown_it_shows_15_days_and_says_60_apply_outside_canada(
    client, applicant, applicant_application
):
    decide(applicant_application, outcome="refused", grounds=["criminality"], made_in_canada=None)
    sign_in(client, applicant)
    page = html.unescape(client.get(decision_url(applicant_application)).text)
    assert "we show the shorter deadline: 15 days, as for a decision made in Canada." in page
    assert "If it was made outside Canada, you have 60 days instead." in page
    deadline = judicial_review_deadline(decided_on=applicant_application.decided_on, made_in_canada=None)
    assert f'datetime="{deadline.deadline:%Y-%m-%d}"' in page


def test_a_refusal_made_outside_canada_shows_60_days(client, applicant, applicant_application):
    decide(applicant_application, outcome="refused", grounds=["travel-history"], made_in_canada=False)
    sign_in(client, applicant)
    page = html.unescape(client.get(decision_url(applicant_application)).text)
    assert "The decision was made outside Canada, so the law allows 60 days." in page
    deadline = judicial_review_deadline(decided_on=applicant_application.decided_on, made_in_canada=False)
    assert f'datetime="{deadline.deadline:%Y-%m-%d}"' in page


def test_a_deadline_moved_past_a_holiday_names_the_holiday(client, applicant, applicant_application):
    applicant_application.submitted_on = datetime.date(2025, 1, 10)
    applicant_application.save(update_fields=["submitted_on"])
    record_decision(
        application=applicant_application,
        outcome="refused",
        decided_at=datetime.datetime(2025, 6, 16, 10, tzinfo=timezone.get_current_timezone()),
        made_in_canada=True,
    )
    sign_in(client, applicant)
    page = html.unescape(client.get(decision_url(applicant_application)).text)
    assert "July 1, 2025 is a federal holiday (Canada Day)." in page
    assert "moves to the next business day: July 2, 2025." in page
    assert "The reasons for the refusal are in your decision letter" in page  # no grounds recorded
    assert "No notes were released with this decision." in page


def test_a_deadline_that_has_passed_says_so(client, applicant, applicant_application):
    decide(applicant_application, outcome="refused", grounds=["criminality"], days_ago=90)
    sign_in(client, applicant)
    page = html.unescape(client.get(decision_url(applicant_application)).text)
    assert "This date has passed." in page


def test_a_deadline_still_ahead_does_not_say_it_has_passed(client, applicant, refused):
    sign_in(client, applicant)
    assert "This date has passed." not in html.unescape(client.get(decision_url(refused)).text)


def test_misrepresentation_says_when_the_client_may_apply_again(client, applicant, applicant_application):
    decide(applicant_application, outcome="refused", grounds=["misrepresentation"])
    sign_in(client, applicant)
    page = html.unescape(client.get(decision_url(applicant_application)).text)
    decided = applicant_application.decided_on
    barred_until = decided.replace(year=decided.year + 5)
    assert f"you cannot apply to come to Canada before {date_format(barred_until, 'DATE_FORMAT')}" in page
    assert "You can send a new application at any time." not in page


def test_a_ground_edited_in_admin_shows_its_new_wording(client, applicant, refused):
    RefusalGround.objects.filter(code="insufficient-funds").update(explanation_en="Rewritten by staff.")
    sign_in(client, applicant)
    assert "Rewritten by staff." in client.get(decision_url(refused)).text


def test_it_costs_the_same_queries_for_one_ground_or_many(client, applicant, applicant_application):
    def queries_for(ground_count: int) -> list[str]:
        application = ApplicationFactory(client=applicant_application.client)
        link(user=applicant, application=application)
        codes = list(RefusalGround.objects.order_by("code").values_list("code", flat=True)[:ground_count])
        decide(application, outcome="refused", grounds=codes, notes=NOTES)
        url = decision_url(application)
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.text.count('class="ground"') == ground_count
        return [query["sql"] for query in queries.captured_queries]

    sign_in(client, applicant)
    one, six = queries_for(1), queries_for(6)
    assert len(one) == len(six)
    # Of which the decision itself: the decision, its grounds, the holidays near the deadline.
    own = [sql for sql in six if "status_tracker_" in sql]
    assert len(own) == 3, own


# An approval and a withdrawal -----------------------------------------------------------------


def test_an_approval_lists_the_programs_next_steps_in_order(client, applicant, applicant_application):
    decide(applicant_application, outcome="approved")
    sign_in(client, applicant)
    page = html.unescape(client.get(decision_url(applicant_application)).text)
    program = applicant_application.program
    steps = [line for line in program.approved_next_steps_en.splitlines() if line.strip()]
    assert len(steps) >= 3
    listed = "".join(f"<li>{step}</li>" for step in steps)
    assert f'<ol class="steps next-steps">\n      {listed}\n    </ol>' in page
    assert "Federal Court" not in page
    assert "officer-notes" not in page


def test_an_approval_lists_the_next_steps_in_french(client, applicant, applicant_application):
    decide(applicant_application, outcome="approved")
    sign_in(client, applicant)
    page = html.unescape(client.get(decision_url(applicant_application, "fr")).text)
    first_step = applicant_application.program.approved_next_steps_fr.splitlines()[0]
    assert f"<li>{first_step}</li>" in page


def test_every_program_has_next_steps_in_both_languages():
    for program in Program.objects.all():
        english = [line for line in program.approved_next_steps_en.splitlines() if line.strip()]
        french = [line for line in program.approved_next_steps_fr.splitlines() if line.strip()]
        assert len(english) >= 3, program.code
        assert len(english) == len(french), program.code


def test_an_approval_without_next_steps_says_we_will_be_in_touch(client, applicant, applicant_application):
    Program.objects.filter(pk=applicant_application.program_id).update(approved_next_steps_en="")
    decide(applicant_application, outcome="approved")
    sign_in(client, applicant)
    assert (
        "We will contact you by email with what happens next." in client.get(decision_url(applicant_application)).text
    )


def test_a_withdrawal_explains_itself_plainly(client, applicant, applicant_application):
    decide(applicant_application, outcome="withdrawn")
    sign_in(client, applicant)
    page = html.unescape(client.get(decision_url(applicant_application)).text)
    assert "Your application was withdrawn" in page
    assert "closed without a decision on it" in page
    assert "Federal Court" not in page


def test_the_page_says_how_to_print_it_without_a_script(client, applicant, refused):
    sign_in(client, applicant)
    page = client.get(decision_url(refused)).text
    assert "print it or save it as a PDF" in page
    assert "<script" not in page.split("</head>")[1]
    assert "style=" not in page and "<style" not in page


# The status page points to it ------------------------------------------------------------------


def test_the_status_page_of_a_decided_application_links_to_the_decision(client, applicant, refused):
    sign_in(client, applicant)
    page = client.get(detail_url(refused)).text
    assert f'href="{decision_url(refused)}"' in page
    assert "Read why your application was refused" in page


def test_the_status_page_of_an_open_application_has_no_decision_link(client, applicant, applicant_application):
    sign_in(client, applicant)
    assert "/decision/" not in client.get(detail_url(applicant_application)).text


def test_a_closed_application_without_a_decision_row_has_no_decision_link(client, applicant, applicant_application):
    close_without_decision_row(applicant_application, outcome="approved")
    sign_in(client, applicant)
    response = client.get(detail_url(applicant_application))
    assert response.status_code == 200
    assert "/decision/" not in response.text


def test_the_refusal_grounds_library_is_seeded_in_both_languages():
    grounds = RefusalGround.objects.all()
    assert grounds.count() >= 10
    codes = set(grounds.values_list("code", flat=True))
    assert {"leave-at-end-of-stay", "insufficient-funds", "misrepresentation", "criminality"} <= codes
    for ground in grounds:
        assert ground.active
        assert ground.title_en and ground.title_fr and ground.title_en != ground.title_fr
        assert ground.explanation_en and ground.explanation_fr
        assert ground.explanation_en != ground.explanation_fr
        assert ground.legal_reference.startswith(("IRPA", "IRPR"))


def test_only_one_decision_per_application(applicant_application):
    decide(applicant_application, outcome="approved")
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            application=applicant_application, outcome="approved", decided_at=timezone.now(), made_in_canada=True
        )


def test_another_clients_application_in_the_same_account_is_reachable_only_through_its_own_link(client, applicant):
    mine = ApplicationFactory()
    link(user=applicant, application=mine)
    decide(mine, outcome="approved")
    unlinked = ApplicationFactory(client=mine.client)
    decide(unlinked, outcome="approved")
    sign_in(client, applicant)
    assert client.get(decision_url(mine)).status_code == 200
    assert client.get(decision_url(unlinked)).status_code == 404
    assert Application.objects.filter(decision__isnull=False).count() == 2


def test_staff_reach_any_decision_only_with_the_view_permission(client):
    application = ApplicationFactory()
    decide(application, outcome="refused", grounds=["criminality"])
    staff = UserFactory(is_staff=True)
    sign_in_with_second_step(client, staff)
    assert client.get(decision_url(application)).status_code == 404
    staff.user_permissions.add(Permission.objects.get(codename="view_application"))
    sign_in_with_second_step(client, staff)
    assert client.get(decision_url(application)).status_code == 200

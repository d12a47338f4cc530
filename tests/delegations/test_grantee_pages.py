"""What a grantee sees: the cases page, the status and decision pages within the grant's scope,
the header link, the audit of their reads, and the public directory of parliamentary offices."""

import datetime
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from applications.models import Grant, Stage
from core.models import AuditAction, AuditEvent
from delegations.selectors import parliamentary_offices_verified
from tests.delegations.factories import FirmFactory, GrantFactory, MemberFactory, OrganisationFactory, person_grant
from tests.delegations.orgs_support import decision_url, detail_url, office_with_people
from tests.factories import ApplicationFactory, UserFactory, link, record_decision, sign_in, status_event_record

pytestmark = pytest.mark.django_db
NOTES = "Officer: funds of the sponsor not shown for 2025."


@pytest.fixture
def office():
    return office_with_people()


@pytest.fixture
def caseworker(office):
    return office[2].account


@pytest.fixture
def firm_worker():
    """A caseworker of a law firm, whose clients' grants outlive a decision (unlike an MP office's)."""
    return MemberFactory(organisation=FirmFactory(), account=UserFactory(email="associate@firm.example"))


def firm_grant(member, application, **fields):
    fields.setdefault("kind", Grant.Kind.REPRESENTATIVE_PAID)
    return GrantFactory(application=application, organisation=member.organisation, **fields)


def refused(application):
    record_decision(application=application, outcome="refused", notes=NOTES, made_in_canada=True)
    return application


# "Cases I can see" ----------------------------------------------------------------------------


def test_the_cases_page_lists_the_offices_cases_with_scope_and_expiry(client, office, caseworker):
    organisation = office[0]
    mine = ApplicationFactory()
    GrantFactory(application=mine, organisation=organisation, expires_at=timezone.now() + datetime.timedelta(days=200))
    someone_elses = ApplicationFactory()
    sign_in(client, caseworker)

    page = html.unescape(client.get(reverse("delegate:cases")).text)

    assert f"Consent given to {organisation.name_en}" in page
    assert mine.number in page and someone_elses.number not in page
    assert f"{mine.client.given_names} {mine.client.family_name}" in page
    assert "Status and timeline only" in page
    assert "or when the file closes" in page
    assert mine.client.email not in page
    assert "Consent ending in the next 30 days" not in page


def test_a_grant_for_all_of_a_clients_files_lists_each_of_them(client, office, caseworker):
    first = ApplicationFactory()
    second = ApplicationFactory(client=first.client)
    GrantFactory(application=None, client=first.client, organisation=office[0])
    sign_in(client, caseworker)
    page = client.get(reverse("delegate:cases")).text
    assert first.number in page and second.number in page


def test_grants_not_in_force_are_not_listed(client, office, caseworker):
    now = timezone.now()
    revoked = ApplicationFactory()
    GrantFactory(application=revoked, organisation=office[0], state=Grant.State.REVOKED, revoked_at=now)
    expired = ApplicationFactory()
    GrantFactory(
        application=expired,
        organisation=office[0],
        starts_at=now - datetime.timedelta(days=400),
        expires_at=now - datetime.timedelta(days=1),
    )
    later = ApplicationFactory()
    GrantFactory(application=later, organisation=office[0], starts_at=now + datetime.timedelta(days=2))
    closed = refused(ApplicationFactory())
    GrantFactory(application=closed, organisation=office[0])
    sign_in(client, caseworker)

    page = client.get(reverse("delegate:cases")).text

    for application in (revoked, expired, later, closed):
        assert application.number not in page
    assert "You do not see any application for someone else right now." in page


def test_personal_grants_and_organisation_grants_show_apart(client, office, caseworker):
    personal = ApplicationFactory()
    person_grant(application=personal, account=caseworker, scope=Grant.Scope.DECISION)
    for_office = ApplicationFactory()
    GrantFactory(application=for_office, organisation=office[0])
    sign_in(client, caseworker)

    page = client.get(reverse("delegate:cases")).text

    personal_section = page[page.index("Given to you personally") :]
    office_section = page[page.index(f"Consent given to {office[0].name_en}") : page.index("Given to you personally")]
    assert for_office.number in office_section and personal.number not in office_section
    assert personal.number in personal_section


def test_consent_ending_within_30_days_is_shown_first(client, office, caseworker):
    soon = ApplicationFactory()
    GrantFactory(application=soon, organisation=office[0], expires_at=timezone.now() + datetime.timedelta(days=10))
    later = ApplicationFactory()
    GrantFactory(application=later, organisation=office[0], expires_at=timezone.now() + datetime.timedelta(days=90))
    sign_in(client, caseworker)

    page = client.get(reverse("delegate:cases")).text

    expiring = page[
        page.index("Consent ending in the next 30 days") : page.index(f"Consent given to {office[0].name_en}")
    ]
    assert soon.number in expiring and later.number not in expiring


@pytest.mark.parametrize("extra_cases", [1, 12])
def test_the_cases_page_costs_the_same_queries_however_many_cases(client, office, caseworker, extra_cases):
    for index in range(extra_cases):
        application = ApplicationFactory()
        if index % 3 == 0:
            refused(application)  # a closed file, read through its grant to the firm below
            firm = MemberFactory(organisation=FirmFactory(), account=caseworker).organisation
            GrantFactory(application=application, organisation=firm, kind=Grant.Kind.REPRESENTATIVE_PAID)
        else:
            GrantFactory(application=application, organisation=office[0])
    person_grant(application=ApplicationFactory(), account=caseworker)
    sign_in(client, caseworker)
    url = reverse("delegate:cases")
    client.get(url)  # warm the session and the remembered roles

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    assert response.text.count('<th scope="row"><a href=') == extra_cases + 1
    # Session, user, unread count, memberships, grants, applications.
    assert len(queries) == 6, [query["sql"] for query in queries.captured_queries]


# The header -----------------------------------------------------------------------------------


def test_the_header_offers_the_cases_to_grantees_and_members_only(client, office, caseworker, applicant):
    sign_in(client, caseworker)
    page = client.get(reverse("home")).text
    assert reverse("delegate:cases") in page and reverse("delegate:organisation_choose") in page

    designated = UserFactory(email="sister@example.com")
    person_grant(application=ApplicationFactory(), account=designated)
    sign_in(client, designated)
    page = client.get(reverse("home")).text
    assert reverse("delegate:cases") in page and reverse("delegate:organisation_choose") not in page

    sign_in(client, applicant)
    page = client.get(reverse("home")).text
    assert reverse("delegate:cases") not in page


# The status page ------------------------------------------------------------------------------


def test_a_grantee_sees_on_whose_behalf_and_under_which_consent(client, office, caseworker):
    application = ApplicationFactory()
    expires = timezone.now() + datetime.timedelta(days=100)
    GrantFactory(application=application, organisation=office[0], expires_at=expires)
    sign_in(client, caseworker)

    page = html.unescape(client.get(detail_url(application)).text)

    client_name = f"{application.client.given_names} {application.client.family_name}"
    assert f"You are viewing this file for {client_name}" in page
    assert f"The client gave their consent to this office or firm: {office[0].name_en}." in page
    assert "What you may see: Status and timeline only." in page
    assert "The consent ends at the end of" in page
    assert application.client.email not in page
    assert "Unlink this application" not in page
    assert reverse("delegate:cases") in page


def test_the_banner_is_in_french_on_the_french_page(client, office, caseworker):
    application = ApplicationFactory()
    GrantFactory(application=application, organisation=office[0])
    sign_in(client, caseworker)
    page = html.unescape(client.get(detail_url(application, "fr")).text)
    assert '<html lang="fr">' in page
    assert office[0].name_fr in page


def test_the_owner_sees_no_banner_and_keeps_the_unlink_link(client, applicant, applicant_application):
    sign_in(client, applicant)
    page = client.get(detail_url(applicant_application)).text
    assert "You are viewing this file for" not in page
    assert "Unlink this application" in page


def test_the_send_documents_button_needs_the_right_to_act(client, firm_worker):
    application = ApplicationFactory()
    status_event_record(
        application=application,
        stage=Stage.objects.get(code="biometrics"),
        state="waiting_on_client",
        occurred_at=timezone.now() - datetime.timedelta(days=3),
        source_id="bio-1",
    )
    grant = firm_grant(firm_worker, application)
    sign_in(client, firm_worker.account)
    send = reverse("documents:send", kwargs={"number": application.number, "stage_code": "biometrics"})

    page = client.get(detail_url(application)).text
    assert "We are waiting on the client" in page and send not in page

    grant.may_act = True
    grant.save(update_fields=["may_act"])
    assert send in client.get(detail_url(application)).text


def test_the_documents_the_client_sent_show_to_a_grantee_only_with_the_right_to_act(
    client, firm_worker, settings, tmp_path
):
    from enquiries.uploads import documents_save
    from tests.enquiries.documents_support import checked, pdf_bytes, use_documents_root

    use_documents_root(settings, tmp_path / "documents")
    application = ApplicationFactory()
    documents_save(
        checked=checked(("passport-scan.pdf", pdf_bytes())),
        uploaded_by=None,
        application=application,
        stage=Stage.objects.get(code="biometrics"),
        note="",
    )
    grant = firm_grant(firm_worker, application)
    sign_in(client, firm_worker.account)
    # Documents and enquiries come in one statement; without the right to act it has no documents part.
    assert "passport-scan.pdf" not in client.get(detail_url(application)).text

    grant.may_act = True
    grant.save(update_fields=["may_act"])
    page = html.unescape(client.get(detail_url(application)).text)
    assert "passport-scan.pdf" in page


# The decision page ----------------------------------------------------------------------------


def test_a_status_only_grantee_gets_no_decision(client, firm_worker):
    application = refused(ApplicationFactory())
    firm_grant(firm_worker, application, scope=Grant.Scope.STATUS)
    sign_in(client, firm_worker.account)

    assert client.get(decision_url(application)).status_code == 404
    page = client.get(detail_url(application)).text
    assert decision_url(application) not in page
    assert NOTES not in page


def test_a_decision_scope_grantee_reads_the_decision_without_the_notes(client, firm_worker):
    application = refused(ApplicationFactory())
    firm_grant(firm_worker, application, scope=Grant.Scope.DECISION)
    sign_in(client, firm_worker.account)

    assert decision_url(application) in client.get(detail_url(application)).text
    response = client.get(decision_url(application))

    assert response.status_code == 200
    page = html.unescape(response.text)
    assert "Decision on the application" in page and "Status, and the decision with its reasons" in page
    assert NOTES not in page and "The officer's notes" not in page


def test_a_notes_scope_grantee_reads_the_officers_notes(client, firm_worker):
    application = refused(ApplicationFactory())
    firm_grant(firm_worker, application, scope=Grant.Scope.NOTES)
    sign_in(client, firm_worker.account)
    page = html.unescape(client.get(decision_url(application)).text)
    assert NOTES in page


def test_the_owner_still_reads_the_notes(client, applicant):
    application = refused(ApplicationFactory())
    link(user=applicant, application=application)
    sign_in(client, applicant)
    assert NOTES in html.unescape(client.get(decision_url(application)).text)


def test_a_parliamentary_office_loses_the_file_when_it_closes(client, office, caseworker):
    application = ApplicationFactory()
    GrantFactory(application=application, organisation=office[0], scope=Grant.Scope.NOTES)
    sign_in(client, caseworker)
    assert client.get(detail_url(application)).status_code == 200
    refused(application)
    assert client.get(detail_url(application)).status_code == 404
    assert client.get(decision_url(application)).status_code == 404


def test_an_outsider_member_gets_a_404(client, office):
    application = ApplicationFactory()
    GrantFactory(application=application, organisation=office[0])
    outsider = MemberFactory()  # another office's caseworker
    sign_in(client, outsider.account)
    assert client.get(detail_url(application)).status_code == 404


# The audit of grantee reads -------------------------------------------------------------------


def test_a_members_read_is_audited_with_the_organisation_and_the_grant(client, office, caseworker):
    application = ApplicationFactory()
    grant = GrantFactory(application=application, organisation=office[0])
    sign_in(client, caseworker)

    client.get(detail_url(application))

    event = AuditEvent.objects.get(action=AuditAction.CASE_READ, case_number=application.number)
    assert event.actor == caseworker and event.basis == "grantee"
    assert event.extra["organisation"] == office[0].pk
    assert event.extra["organisation_en"] == office[0].name_en
    assert event.extra["grant"] == grant.pk and event.extra["page"] == "detail"


def test_a_decision_read_is_audited_as_such(client, firm_worker):
    application = refused(ApplicationFactory())
    firm_grant(firm_worker, application, scope=Grant.Scope.DECISION)
    sign_in(client, firm_worker.account)
    client.get(decision_url(application))
    event = AuditEvent.objects.get(action=AuditAction.CASE_READ, extra__page="decision")
    assert event.extra["need"] == "decision" and event.extra["organisation"] == firm_worker.organisation_id


# The directory of parliamentary offices -------------------------------------------------------


@pytest.fixture
def offices():
    levis = OrganisationFactory(
        member_name="Jacques Gourde",
        riding_en="Lévis—Lotbinière",
        riding_fr="Lévis—Lotbinière",
        name_en="Office of Jacques Gourde",
        name_fr="Bureau de Jacques Gourde",
    )
    senate = OrganisationFactory(
        chamber="senate",
        member_name="Renée Dupuis",
        riding_en="The Laurentides",
        riding_fr="Les Laurentides",
        name_en="Office of Senator Dupuis",
        name_fr="Bureau de la sénatrice Dupuis",
    )
    waiting = OrganisationFactory(member_name="Not Yet Verified", verified_at=None)
    firm = FirmFactory(name_en="Not An Office LLP")
    return levis, senate, waiting, firm


def test_the_directory_lists_verified_parliamentary_offices_only(client, offices):
    levis, senate, waiting, firm = offices
    assert list(parliamentary_offices_verified()) == [levis, senate]

    page = html.unescape(client.get(reverse("directory:index")).text)

    assert "Jacques Gourde" in page and "Renée Dupuis" in page and "The Laurentides" in page
    assert "Not Yet Verified" not in page and "Not An Office LLP" not in page
    assert "Senate" in page and "House of Commons" in page


@pytest.mark.parametrize(
    ("query", "found"), [("levis", "Jacques Gourde"), ("RENEE", "Renée Dupuis"), ("laurentides", "Renée Dupuis")]
)
def test_the_directory_search_ignores_accents_and_case(client, offices, query, found):
    page = html.unescape(client.get(reverse("directory:index"), {"q": query}).text)
    assert found in page
    other = "Renée Dupuis" if found == "Jacques Gourde" else "Jacques Gourde"
    assert f'<th scope="row">{other}</th>' not in page


def test_the_directory_speaks_french(client, offices):
    with translation.override("fr"):
        url = reverse("directory:index")
    page = html.unescape(client.get(url).text)
    assert '<html lang="fr">' in page
    assert "Les Laurentides" in page and "Bureau de la sénatrice Dupuis" in page


def test_the_directory_search_too_long_is_explained_not_a_crash(client, offices):
    response = client.get(reverse("directory:index"), {"q": "x" * 500})
    assert response.status_code == 200


def test_the_menu_offers_liaison_appointments_to_verified_offices_and_to_officers(client, db):
    from django.contrib.auth.models import Group

    from delegations.liaison_models import LIAISON_GROUP
    from delegations.organisations import organisation_verify
    from tests.delegations.factories import FirmFactory, MemberFactory, OrganisationFactory
    from tests.factories import UserFactory, sign_in

    office = MemberFactory(organisation=OrganisationFactory(verified_at=None))
    sign_in(client, office.account)
    assert "/en/liaison/" not in client.get("/en/delegate/").text
    organisation_verify(organisation=office.organisation, verified_by=None)
    assert 'href="/en/liaison/"' in client.get("/en/delegate/").text
    lawyer = MemberFactory(organisation=FirmFactory(), account=UserFactory(email="counsel@firm.example"))
    client.logout()
    sign_in(client, lawyer.account)
    assert 'href="/en/liaison/"' not in client.get("/en/delegate/").text
    officer = UserFactory(email="officer@example.com", is_staff=True)
    officer.groups.add(Group.objects.get_or_create(name=LIAISON_GROUP)[0])
    client.logout()
    sign_in(client, officer)
    assert 'href="/en/liaison/officer/"' in client.get("/en/").text


def test_the_estimate_speaks_of_the_client_to_a_grantee_and_to_the_client_as_you(client, db):
    from tests.delegations.factories import GrantFactory, MemberFactory
    from tests.factories import ApplicationFactory, UserFactory, link, sign_in

    application = ApplicationFactory()
    owner = UserFactory()
    link(user=owner, application=application)
    caseworker = MemberFactory()
    GrantFactory(application=application, organisation=caseworker.organisation)
    sign_in(client, caseworker.account)
    page = client.get(f"/en/applications/{application.number}/").text
    assert "From that date, an enquiry about the file is welcome." in page
    assert "you are welcome to send us an enquiry" not in page
    client.logout()
    sign_in(client, owner)
    page = client.get(f"/en/applications/{application.number}/").text
    assert "From that date, you are welcome to send us an enquiry." in page

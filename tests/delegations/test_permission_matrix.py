"""Every page that shows a case, against every kind of person, over several cases and both languages.

Each case has its own owner and its own delegates (a representative who may see
everything and act, a family member who may see the status only, an MP's office,
and delegates whose access has ended in each possible way). Every person then asks
for every page of every case: theirs, and everyone else's. What each may get is a
table (EXPECTED): a page is a 200 only when the person's needs cover it, a case's
number appears in a list only for the people who may see it, and the officer's notes
appear only with the notes scope. A leak is any answer that shows more.
"""

import dataclasses
import datetime

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from applications.access import Need
from applications.models import Application, Grant
from delegations.liaison_models import Appointment
from enquiries.models import Document
from status_tracker.events import EventIn
from status_tracker.ingest import ItemResult, events_ingest
from status_tracker.models import EventKind
from tests.delegations.factories import FirmFactory, GrantFactory, MemberFactory, OrganisationFactory, person_grant
from tests.delegations.liaison_support import liaison_officer, tomorrow_at
from tests.factories import ApplicationFactory, UserFactory, link, sign_in_with_second_step

NOTES = "Officer's notes for the matrix: [case {number}]"
ALL = frozenset(Need)
NONE: frozenset = frozenset()

# What each kind of person may do with a case of their own client ("own case").
# Staff read every case; everyone else gets nothing from another client's case.
EXPECTED_OWN: dict[str, frozenset] = {
    "owner": ALL,
    "representative": ALL,  # notes scope, may act
    "family_status_only": frozenset({Need.STATUS}),
    "office_caseworker": frozenset({Need.STATUS}),  # ends when the file closes
    "expired_grant": NONE,
    "revoked_grant": NONE,
    "removed_member": NONE,
    "unverified_office": NONE,
    "staff": frozenset({Need.STATUS, Need.DECISION, Need.OFFICER_NOTES}),
    "staff_without_permission": NONE,
}
KINDS = list(EXPECTED_OWN)


@dataclasses.dataclass
class Case:
    application: Application
    decided: bool
    people: dict
    grant_id: int = 0  # the representative's grant: its pages are the client's alone
    appointment_id: int | None = None  # a liaison appointment the office booked (open cases)
    document_id: int = 0  # a document the client sent about the file (its file since deleted: answers 410)


def _decide(application: Application) -> None:
    event = EventIn(
        event_id=f"matrix-{application.number}",
        application_number=application.number,
        occurred_at=timezone.now() - datetime.timedelta(days=1),
        kind=EventKind.DECISION,
        outcome="refused",
        notes=NOTES.format(number=application.number),
    )
    (item,) = events_ingest(events=[event], notify=False)
    assert item.result == ItemResult.APPLIED


def _case(index: int, *, decided: bool, staff, clerk, officer) -> Case:
    now = timezone.now()
    application = ApplicationFactory(submitted_on=timezone.localdate() - datetime.timedelta(days=200))
    owner = UserFactory(email=f"owner{index}@example.com")
    link(user=owner, application=application)
    if decided:
        _decide(application)
    people = {"owner": owner, "staff": staff, "staff_without_permission": clerk}
    lawyer = MemberFactory(organisation=FirmFactory(), account=UserFactory(email=f"lawyer{index}@firm.example"))
    GrantFactory(
        application=application,
        organisation=lawyer.organisation,
        kind=Grant.Kind.REPRESENTATIVE_PAID,
        scope=Grant.Scope.NOTES,
        may_act=True,
        expires_at=None,
    )
    people["representative"] = lawyer.account
    sister = UserFactory(email=f"sister{index}@example.com")
    person_grant(application=application, account=sister)
    people["family_status_only"] = sister
    caseworker = MemberFactory()
    GrantFactory(application=application, organisation=caseworker.organisation)
    people["office_caseworker"] = caseworker.account
    expired = MemberFactory()
    GrantFactory(
        application=application,
        organisation=expired.organisation,
        starts_at=now - datetime.timedelta(days=400),
        expires_at=now - datetime.timedelta(days=30),
    )
    people["expired_grant"] = expired.account
    revoked = UserFactory(email=f"revoked{index}@example.com")
    person_grant(application=application, account=revoked, state=Grant.State.REVOKED, revoked_at=now)
    people["revoked_grant"] = revoked
    removed = MemberFactory()
    GrantFactory(application=application, organisation=removed.organisation, scope=Grant.Scope.NOTES)
    removed.removed_at = now
    removed.save()
    people["removed_member"] = removed.account
    unverified = MemberFactory(organisation=OrganisationFactory(verified_at=None))
    GrantFactory(application=application, organisation=unverified.organisation)
    people["unverified_office"] = unverified.account
    case = Case(application=application, decided=decided, people=people)
    case.grant_id = Grant.objects.get(organisation=lawyer.organisation).pk
    case.document_id = Document.objects.create(
        application=application,
        uploaded_by=owner,
        original_name="passport.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    ).pk
    if not decided:
        start = tomorrow_at(9 + index)
        case.appointment_id = Appointment.objects.create(
            officer=officer,
            organisation=caseworker.organisation,
            booked_by=caseworker.account,
            application=application,
            topic=Appointment.Topic.STATUS,
            starts_at=start,
            ends_at=start + datetime.timedelta(minutes=30),
            length_minutes=30,
        ).pk
    return case


def expected_needs(kind: str, *, asker_case: Case, target: Case) -> frozenset:
    """What `kind` from `asker_case` may do with `target`."""
    if kind.startswith("staff"):
        return EXPECTED_OWN[kind]
    if asker_case is not target:
        return NONE
    needs = EXPECTED_OWN[kind]
    if kind == "office_caseworker" and target.decided:
        return NONE  # a parliamentary office's consent ends when the file closes
    return needs


@dataclasses.dataclass(frozen=True)
class Page:
    """One page about a case: its address, and the answer expected for a set of needs."""

    name: str
    path: str  # formatted with lang, number, grant and appointment
    need: Need
    # When the needs do not cover the page: 404. When they do: this status (or per kind below).
    allowed_status: int = 200
    decided_only: bool = False
    # Pages that only the owner may use answer this to the other people who may see the case.
    others_status: int | None = None
    # Pages of the client's own consent: theirs alone, whatever else a person may see.
    owner_only: bool = False
    # A liaison appointment: its office's caseworker alone (the officer is not among these people).
    appointment: bool = False
    # A document the client sent: people who may send documents for the client, and staff who read the file.
    document: bool = False
    # The upstream system's read-back: service tokens only, never a person's session.
    api: bool = False


PAGES = [
    Page("status page", "/{lang}/applications/{number}/", Need.STATUS),
    Page("decision page", "/{lang}/applications/{number}/decision/", Need.DECISION, decided_only=True),
    Page("unlink page", "/{lang}/applications/{number}/unlink/", Need.STATUS, others_status=302),
    Page("narrow a grant", "/{lang}/access/{grant}/narrow/", Need.STATUS, owner_only=True),
    Page("revoke a grant", "/{lang}/access/{grant}/revoke/", Need.STATUS, owner_only=True),
    Page("liaison appointment", "/{lang}/liaison/appointments/{appointment}/", Need.STATUS, appointment=True),
    Page("document sent by the client", "/{lang}/documents/{document}/download/", Need.STATUS, document=True),
    Page("upstream read-back", "/api/v1/applications/{number}/?lang={lang}", Need.STATUS, api=True),
    Page(
        "appointment calendar file",
        "/{lang}/liaison/appointments/{appointment}/calendar.ics",
        Need.STATUS,
        appointment=True,
    ),
]

# Lists: the case's number shows only for the people who may see it for the given need.
LISTS = [
    ("my applications", "/{lang}/applications/", "owner"),
    ("who can see my files", "/{lang}/access/", "owner"),
    ("cases I can see", "/{lang}/delegate/", "grantee"),
    ("enquiry form", "/{lang}/enquiries/new/", "act"),
    ("liaison booking", "/{lang}/liaison/book/", "office"),
]


def list_may_show(rule: str, kind: str, needs: frozenset, *, own: bool, target: "Case") -> bool:
    """Whether a list page may name the target case to this person."""
    if rule == "owner":
        return kind == "owner" and own
    if rule == "grantee":
        return own and kind not in ("owner", "staff", "staff_without_permission") and Need.STATUS in needs
    if rule == "act":
        return Need.ACT_ON_BEHALF in needs and not kind.startswith("staff")
    if rule == "office":
        return kind == "office_caseworker" and Need.STATUS in needs
    raise ValueError(rule)


def expected_status(page: Page, kind: str, needs: frozenset, target: Case, *, own: bool) -> int:
    if page.api:
        return 401
    if page.owner_only:
        return 200 if kind == "owner" and own else 404
    if page.appointment:
        return 200 if kind == "office_caseworker" and Need.STATUS in needs else 404
    if page.document:
        # Its file is gone (410 says so) to those who may open it; a 404 to everyone else.
        return 410 if Need.ACT_ON_BEHALF in needs or (kind == "staff" and Need.STATUS in needs) else 404
    if page.need not in needs or (page.decided_only and not target.decided):
        return 404
    if page.others_status is not None and kind != "owner":
        return page.others_status
    return page.allowed_status


@pytest.fixture
def world(db):
    staff = UserFactory(email="staff@example.com", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_application"))
    clerk = UserFactory(email="clerk@example.com", is_staff=True)
    officer = liaison_officer(email="liaison@example.com")
    cases = [_case(index, decided=index % 2 == 0, staff=staff, clerk=clerk, officer=officer) for index in range(4)]
    browsers: dict[tuple[int, str], Client] = {}
    for index, case in enumerate(cases):
        for kind in KINDS:
            person = case.people[kind]
            if kind.startswith("staff") and index > 0:
                browsers[(index, kind)] = browsers[(0, kind)]
                continue
            browser = Client()
            sign_in_with_second_step(browser, person)
            browsers[(index, kind)] = browser
    return cases, browsers


@pytest.mark.slow
def test_no_page_of_a_case_leaks_to_anyone(world):
    cases, browsers = world
    tried = 0
    leaks: list[str] = []
    wrong: list[str] = []
    for asker_index, asker_case in enumerate(cases):
        for kind in KINDS:
            if kind.startswith("staff") and asker_index > 0:
                continue
            browser = browsers[(asker_index, kind)]
            for target in cases:
                needs = expected_needs(kind, asker_case=asker_case, target=target)
                number = target.application.number
                notes = NOTES.format(number=number)
                for lang in ("en", "fr"):
                    for page in PAGES:
                        if page.appointment and target.appointment_id is None:
                            continue
                        path = page.path.format(
                            lang=lang,
                            number=number,
                            grant=target.grant_id,
                            appointment=target.appointment_id,
                            document=target.document_id,
                        )
                        response = browser.get(path)
                        tried += 1
                        want = expected_status(page, kind, needs, target, own=asker_case is target)
                        label = f"{kind} (case {asker_index}) {page.name} of {number} [{lang}]"
                        if response.status_code != want:
                            (leaks if response.status_code == 200 else wrong).append(
                                f"{label}: {response.status_code}, expected {want}"
                            )
                        if response.status_code == 200 and Need.OFFICER_NOTES not in needs and notes in response.text:
                            leaks.append(f"{label}: shows the officer's notes")
                    for name, path, rule in LISTS:
                        response = browser.get(path.format(lang=lang))
                        tried += 1
                        shown = number in response.text
                        allowed = list_may_show(rule, kind, needs, own=asker_case is target, target=target)
                        if shown and not allowed:
                            leaks.append(f"{kind} (case {asker_index}) {name} [{lang}] lists {number}")
                        elif allowed and not shown:
                            wrong.append(f"{kind} (case {asker_index}) {name} [{lang}] does not list {number}")
    anonymous = Client()
    for target in cases:
        for lang in ("en", "fr"):
            for page in PAGES:
                if page.appointment and target.appointment_id is None:
                    continue
                response = anonymous.get(
                    page.path.format(
                        lang=lang,
                        number=target.application.number,
                        grant=target.grant_id,
                        appointment=target.appointment_id,
                        document=target.document_id,
                    )
                )
                tried += 1
                if page.api:
                    if response.status_code != 401:
                        leaks.append(f"anonymous {page.name} of {target.application.number}: {response.status_code}")
                elif response.status_code != 302 or "/accounts/login/" not in response["Location"]:
                    leaks.append(f"anonymous {page.name} of {target.application.number}: {response.status_code}")
    print(f"\npermission matrix: {tried} requests, {len(leaks)} leaks, {len(wrong)} other differences")
    assert leaks == []
    assert wrong == []
    assert tried >= 2000

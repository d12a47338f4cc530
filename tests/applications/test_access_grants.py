"""applications.access with grants: every kind of delegate against every need, as one table.

The policy is asked in its three forms (application_for_viewer, visible_q and the
notification recipients) and they must agree for each persona.
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from applications.access import (
    Basis,
    Need,
    application_for_viewer,
    applications_for_viewer,
    audience_member_q,
    audience_q,
    recipients_for,
    visible_q,
)
from applications.models import Application, Grant
from applications.signals import grant_first_used
from core.models import AuditAction, AuditEvent
from notifications.models import Notification
from tests.delegations.factories import FirmFactory, GrantFactory, MemberFactory, OrganisationFactory, person_grant
from tests.factories import ApplicationFactory, UserFactory, link

ALL = frozenset(Need)
NOTHING: frozenset[Need] = frozenset()
STATUS_ONLY = frozenset({Need.STATUS})

# persona -> what it may reach, for the case under test.
EXPECTED = {
    "anonymous": NOTHING,
    "owner": ALL,
    "outsider": NOTHING,
    "office_status": STATUS_ONLY,
    "office_decision": frozenset({Need.STATUS, Need.DECISION}),
    "firm_notes_acting": ALL,
    "person_status_acting": frozenset({Need.STATUS, Need.ACT_ON_BEHALF}),
    "person_all_files": STATUS_ONLY,
    "expired": NOTHING,
    "revoked": NOTHING,
    "not_started": NOTHING,
    "requested_only": NOTHING,
    "removed_member": NOTHING,
    "unverified_office": NOTHING,
    "other_office": NOTHING,
    "other_application": NOTHING,
}


def _grant(application, **fields):
    return GrantFactory(application=application, **fields)


@pytest.fixture
def case(db):
    owner = UserFactory(email="owner@example.com")
    application = ApplicationFactory()
    link(user=owner, application=application)
    sibling = ApplicationFactory(client=application.client)  # another file of the same client
    stranger_file = ApplicationFactory()
    now = timezone.now()
    people: dict = {"anonymous": AnonymousUser(), "owner": owner, "outsider": UserFactory()}

    office = MemberFactory()
    _grant(application, organisation=office.organisation)
    people["office_status"] = office.account

    office2 = MemberFactory()
    _grant(application, organisation=office2.organisation, scope=Grant.Scope.DECISION)
    people["office_decision"] = office2.account

    lawyer = MemberFactory(organisation=FirmFactory(), account=UserFactory(email="lawyer@firm.example"))
    _grant(
        application,
        organisation=lawyer.organisation,
        kind=Grant.Kind.REPRESENTATIVE_PAID,
        scope=Grant.Scope.NOTES,
        may_act=True,
        expires_at=None,
    )
    people["firm_notes_acting"] = lawyer.account

    sister = UserFactory()
    person_grant(application=application, account=sister, may_act=True)
    people["person_status_acting"] = sister

    cousin = UserFactory()
    person_grant(application=None, client=application.client, account=cousin)
    people["person_all_files"] = cousin

    expired = MemberFactory()
    _grant(
        application,
        organisation=expired.organisation,
        starts_at=now - datetime.timedelta(days=400),
        expires_at=now - datetime.timedelta(days=35),
    )
    people["expired"] = expired.account

    revoked = MemberFactory()
    _grant(application, organisation=revoked.organisation, state=Grant.State.REVOKED, revoked_at=now)
    people["revoked"] = revoked.account

    early = MemberFactory()
    _grant(application, organisation=early.organisation, starts_at=now + datetime.timedelta(days=2))
    people["not_started"] = early.account

    asking = MemberFactory()
    _grant(application, organisation=asking.organisation, state=Grant.State.REQUESTED, given_at=None)
    people["requested_only"] = asking.account

    removed = MemberFactory()
    _grant(application, organisation=removed.organisation)
    removed.removed_at = now
    removed.save()
    people["removed_member"] = removed.account

    unverified = MemberFactory(organisation=OrganisationFactory(verified_at=None))
    _grant(application, organisation=unverified.organisation)
    people["unverified_office"] = unverified.account

    bystander = MemberFactory()  # an office with a grant for someone else's file
    _grant(stranger_file, organisation=bystander.organisation)
    people["other_office"] = bystander.account

    elsewhere = MemberFactory()  # the same client's other file only
    _grant(sibling, organisation=elsewhere.organisation)
    people["other_application"] = elsewhere.account
    return application, sibling, people


@pytest.mark.parametrize("persona", list(EXPECTED))
@pytest.mark.parametrize("need", list(Need))
def test_the_grant_table(case, persona, need):
    application, _sibling, people = case
    viewer = people[persona]
    allowed = need in EXPECTED[persona]
    if allowed:
        found = application_for_viewer(viewer=viewer, number=application.number, need=need)
        assert found.pk == application.pk
        assert need in found.viewer_needs
    else:
        with pytest.raises(Http404):
            application_for_viewer(viewer=viewer, number=application.number, need=need)
    assert Application.objects.filter(visible_q(viewer=viewer, need=need), pk=application.pk).exists() == allowed
    if persona != "anonymous":
        told = {
            person.pk for person in recipients_for(application_ids=[application.pk], need=need).get(application.pk, [])
        }
        assert (viewer.pk in told) == allowed


def test_a_grant_for_all_files_reaches_the_clients_other_file_too(case):
    application, sibling, people = case
    for number in (application.number, sibling.number):
        assert application_for_viewer(viewer=people["person_all_files"], number=number).viewer_basis == Basis.GRANTEE
    with pytest.raises(Http404):
        application_for_viewer(viewer=people["office_status"], number=sibling.number)


def test_a_grantee_read_is_audited_with_its_grant_and_organisation(case):
    application, _sibling, people = case
    viewer = people["office_decision"]
    found = application_for_viewer(viewer=viewer, number=application.number, need=Need.DECISION)
    event = AuditEvent.objects.get(action=AuditAction.CASE_READ, actor=viewer)
    assert event.case_number == application.number
    assert event.basis == "grantee"
    assert event.extra["grant"] == found.viewer_grant.pk
    assert event.extra["organisation"] == found.viewer_grant.organisation_id
    assert event.extra["organisation_en"] == found.viewer_grant.organisation.name_en
    assert event.extra["need"] == "decision"


def test_the_owner_is_not_audited_and_wins_over_a_grant(case):
    application, _sibling, people = case
    owner = people["owner"]
    person_grant(application=application, account=owner)
    found = application_for_viewer(viewer=owner, number=application.number, need=Need.OFFICER_NOTES)
    assert found.viewer_basis == Basis.OWNER
    assert not AuditEvent.objects.filter(actor=owner).exists()


def test_the_widest_grant_decides_what_a_grantee_sees(case):
    application, _sibling, people = case
    viewer = people["office_status"]
    office = viewer.organisation_memberships.get().organisation
    _grant(application, organisation=office, scope=Grant.Scope.NOTES)
    found = application_for_viewer(viewer=viewer, number=application.number, need=Need.OFFICER_NOTES)
    assert found.viewer_grant.scope == Grant.Scope.NOTES
    assert Need.DECISION in found.viewer_needs
    assert Need.ACT_ON_BEHALF not in found.viewer_needs


def test_a_parliamentary_offices_consent_ends_when_the_file_closes(case):
    application, _sibling, people = case
    Application.objects.filter(pk=application.pk).update(
        status=Application.Status.CLOSED, outcome=Application.Outcome.APPROVED, decided_on=timezone.localdate()
    )
    with pytest.raises(Http404):
        application_for_viewer(viewer=people["office_status"], number=application.number)
    assert not Application.objects.filter(visible_q(viewer=people["office_status"]), pk=application.pk).exists()
    told = recipients_for(application_ids=[application.pk])[application.pk]
    assert people["office_status"] not in told
    # A representative's consent does not end with the file.
    assert people["firm_notes_acting"] in told


def test_revoking_or_removing_hides_the_file_at_once(case):
    application, _sibling, people = case
    viewer = people["office_status"]
    assert application_for_viewer(viewer=viewer, number=application.number)
    Grant.objects.filter(organisation__members__account=viewer).update(
        state=Grant.State.REVOKED, revoked_at=timezone.now()
    )
    with pytest.raises(Http404):
        application_for_viewer(viewer=viewer, number=application.number)
    lawyer = people["firm_notes_acting"]
    assert application_for_viewer(viewer=lawyer, number=application.number)
    lawyer.organisation_memberships.update(removed_at=timezone.now())
    with pytest.raises(Http404):
        application_for_viewer(viewer=lawyer, number=application.number)


def test_every_member_of_an_office_is_told_and_a_removed_one_is_not(case):
    application, _sibling, people = case
    office = people["office_status"].organisation_memberships.get().organisation
    colleague = MemberFactory(organisation=office)
    gone = MemberFactory(organisation=office)
    gone.removed_at = timezone.now()
    gone.save()
    told = recipients_for(application_ids=[application.pk])[application.pk]
    assert colleague.account in told
    assert people["office_status"] in told
    assert gone.account not in told
    assert len(told) == len({person.pk for person in told})


def test_recipients_cost_the_same_queries_for_one_file_or_twenty(db, django_assert_max_num_queries):
    files = []
    for _ in range(20):
        application = ApplicationFactory()
        link(user=UserFactory(), application=application)
        GrantFactory(application=application, organisation=MemberFactory().organisation)
        person_grant(application=application, account=UserFactory())
        files.append(application.pk)
    with django_assert_max_num_queries(4):
        found = recipients_for(application_ids=files)
    assert all(len(found[pk]) == 3 for pk in files)
    with django_assert_max_num_queries(4):
        recipients_for(application_ids=files[:1])


def test_audience_filters_agree_with_the_recipients(case):
    application, _sibling, people = case
    assert Application.objects.filter(audience_q(), pk=application.pk).exists()
    rows = [
        Notification.objects.create(
            recipient=people[persona], application=application, kind="status_change", channel="in_app"
        )
        for persona in ("office_status", "revoked", "removed_member", "outsider", "owner")
    ]
    kept = set(
        Notification.objects.filter(pk__in=[row.pk for row in rows])
        .filter(audience_member_q(person_field="recipient"))
        .values_list("recipient_id", flat=True)
    )
    assert kept == {people["office_status"].pk, people["owner"].pk}


def test_lists_of_files_include_grants_only_when_asked(case):
    application, sibling, people = case
    cousin = people["person_all_files"]
    assert not applications_for_viewer(viewer=cousin).exists()
    assert set(applications_for_viewer(viewer=cousin, include_grants=True)) == {application, sibling}
    sister = people["person_status_acting"]
    assert list(applications_for_viewer(viewer=sister, need=Need.ACT_ON_BEHALF, include_grants=True)) == [application]
    assert not applications_for_viewer(viewer=cousin, need=Need.ACT_ON_BEHALF, include_grants=True).exists()


def test_the_first_read_under_a_grant_is_announced_once(case):
    application, _sibling, people = case
    heard = []

    def listener(sender, grant, application, viewer, **kwargs):
        heard.append((grant.pk, application.pk, viewer.pk))

    grant_first_used.connect(listener)
    try:
        for _ in range(3):
            application_for_viewer(viewer=people["office_status"], number=application.number)
    finally:
        grant_first_used.disconnect(listener)
    assert len(heard) == 1
    grant = Grant.objects.get(pk=heard[0][0])
    assert grant.first_used_at is not None
    assert AuditEvent.objects.filter(actor=people["office_status"], action=AuditAction.CASE_READ).count() == 3


def test_a_client_with_a_representative_still_links_and_sees_their_own_file(db):
    from applications.services import LinkResult, application_link

    application = ApplicationFactory()
    lawyer = MemberFactory(organisation=FirmFactory(), account=UserFactory(email="counsel@firm.example"))
    GrantFactory(
        application=None,
        client=application.client,
        organisation=lawyer.organisation,
        kind=Grant.Kind.REPRESENTATIVE_PAID,
        scope=Grant.Scope.NOTES,
        may_act=True,
        expires_at=None,
    )
    client_account = UserFactory()
    result, linked = application_link(
        account=client_account, application_number=application.number, uci=application.client.uci
    )
    assert (result, linked) == (LinkResult.LINKED, application)
    assert application_for_viewer(viewer=client_account, number=application.number).viewer_basis == Basis.OWNER
    assert application_for_viewer(viewer=lawyer.account, number=application.number).viewer_basis == Basis.GRANTEE

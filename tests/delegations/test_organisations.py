"""Organisations and their people: verification, invitations, joining, leaving, and the admin."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from applications.models import OrganisationMember
from core.models import AuditAction, AuditEvent
from delegations.models import MemberInvitation
from delegations.organisations import (
    OrganisationError,
    member_accept,
    member_add,
    member_invite,
    member_remove,
    organisation_verify,
)
from delegations.selectors import email_domain_allowed
from notifications.models import Notification
from tests.delegations.factories import (
    FirmFactory,
    GrantFactory,
    InvitationFactory,
    ManagerFactory,
    MemberFactory,
    OrganisationFactory,
)
from tests.delegations.orgs_support import detail_url, office_with_people
from tests.factories import ApplicationFactory, UserFactory, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    return office_with_people()


# Verification ---------------------------------------------------------------------------------


def test_an_administrator_verifies_an_office_once_and_it_is_audited(admin_user):
    organisation = OrganisationFactory(verified_at=None)

    assert organisation_verify(organisation=organisation, verified_by=admin_user) is True
    assert organisation_verify(organisation=organisation, verified_by=admin_user) is False

    organisation.refresh_from_db()
    assert organisation.verified_at is not None and organisation.verified_by == admin_user
    events = AuditEvent.objects.filter(action=AuditAction.ORGANISATION_VERIFIED)
    assert [(event.subject_type, event.subject_id, event.actor) for event in events] == [
        ("organisation", str(organisation.pk), admin_user)
    ]


def test_the_admin_verify_action_verifies_the_selected_offices(admin_client):
    waiting = OrganisationFactory(verified_at=None)
    other = OrganisationFactory(verified_at=None)

    response = admin_client.post(
        reverse("admin:applications_organisation_changelist"),
        {"action": "verify_selected", "_selected_action": [waiting.pk]},
    )

    assert response.status_code == 302
    waiting.refresh_from_db()
    other.refresh_from_db()
    assert waiting.verified_at is not None
    assert other.verified_at is None
    assert AuditEvent.objects.filter(action=AuditAction.ORGANISATION_VERIFIED, subject_id=str(waiting.pk)).exists()


@pytest.mark.parametrize(
    "query", ["", "?kind__exact=parliamentary", "?verified=no", "?verified=yes&kind__exact=law_firm"]
)
def test_the_admin_list_filters_by_kind_and_verification(admin_client, office, query):
    FirmFactory(name_en="Waiting Firm LLP", verified_at=None)
    response = admin_client.get(reverse("admin:applications_organisation_changelist") + query)
    assert response.status_code == 200
    page = response.text
    if query == "?verified=no":
        assert "Waiting Firm LLP" in page and office[0].name_en not in page
    if query == "?kind__exact=parliamentary":
        assert office[0].name_en in page and "Waiting Firm LLP" not in page


def admin_member_form(organisation, *, roles=None, new_account=None) -> dict:
    """The organisation's admin form as posted: its fields, its members (roles changed by `roles`), maybe one more."""
    members = list(OrganisationMember.objects.filter(organisation=organisation).order_by("account"))
    roles = roles or {}
    form = {
        "kind": organisation.kind,
        "name_en": organisation.name_en,
        "name_fr": organisation.name_fr,
        "email": "",
        "chamber": organisation.chamber,
        "member_name": organisation.member_name,
        "riding_en": organisation.riding_en,
        "riding_fr": organisation.riding_fr,
        "members-TOTAL_FORMS": str(len(members) + (1 if new_account else 0)),
        "members-INITIAL_FORMS": str(len(members)),
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
        "invitations-TOTAL_FORMS": "0",
        "invitations-INITIAL_FORMS": "0",
        "invitations-MIN_NUM_FORMS": "0",
        "invitations-MAX_NUM_FORMS": "1000",
    }
    for index, member in enumerate(members):
        form.update(
            {
                f"members-{index}-id": member.pk,
                f"members-{index}-organisation": organisation.pk,
                f"members-{index}-account": member.account_id,
                f"members-{index}-role": roles.get(member.pk, member.role),
                f"members-{index}-licence_number": "",
            }
        )
    if new_account is not None:
        index = len(members)
        form.update(
            {
                f"members-{index}-organisation": organisation.pk,
                f"members-{index}-account": new_account.pk,
                f"members-{index}-role": "caseworker",
                f"members-{index}-licence_number": "",
            }
        )
    return form


def test_the_admin_page_of_an_office_shows_its_members_and_adds_one_with_an_audit(admin_client, office):
    organisation, manager, _caseworker = office
    url = reverse("admin:applications_organisation_change", args=[organisation.pk])
    assert manager.account.email in admin_client.get(url).text
    newcomer = UserFactory(email="newcomer@parl.gc.ca")

    response = admin_client.post(url, admin_member_form(organisation, new_account=newcomer))

    assert response.status_code == 302, response.text[:3000]
    assert OrganisationMember.objects.filter(organisation=organisation, account=newcomer, removed_at=None).exists()
    assert AuditEvent.objects.filter(action=AuditAction.MEMBER_ADDED, subject_id=str(organisation.pk)).exists()


def test_the_admin_refuses_an_outside_address_for_a_parliamentary_office(admin_client, office):
    organisation = office[0]
    url = reverse("admin:applications_organisation_change", args=[organisation.pk])
    outsider = UserFactory(email="someone@gmail.com")
    response = admin_client.post(url, admin_member_form(organisation, new_account=outsider))
    assert response.status_code == 200
    assert "parliamentary email address" in response.text
    assert not OrganisationMember.objects.filter(account=outsider).exists()


def test_the_admin_promotes_a_caseworker_with_an_audit_but_keeps_a_manager(admin_client, office):
    organisation, manager, caseworker = office
    url = reverse("admin:applications_organisation_change", args=[organisation.pk])

    response = admin_client.post(url, admin_member_form(organisation, roles={caseworker.pk: "manager"}))

    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert caseworker.role == "manager"
    event = AuditEvent.objects.get(action=AuditAction.MEMBER_ADDED)
    assert event.extra["role"] == "manager" and event.extra["previous_role"] == "caseworker"

    demote_all = admin_member_form(organisation, roles={caseworker.pk: "caseworker", manager.pk: "caseworker"})
    response = admin_client.post(url, demote_all)
    assert response.status_code == 200
    assert "needs an office manager" in response.text
    assert OrganisationMember.objects.filter(organisation=organisation, role="manager").count() == 2


def test_the_admin_removes_a_member_but_never_the_last_manager(admin_client, office):
    organisation, manager, caseworker = office
    changelist = reverse("admin:applications_organisationmember_changelist")

    admin_client.post(changelist, {"action": "remove_selected", "_selected_action": [caseworker.pk, manager.pk]})

    caseworker.refresh_from_db()
    manager.refresh_from_db()
    assert caseworker.removed_at is not None
    assert manager.removed_at is None


# The domain rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "allowed"),
    [
        ("a.tremblay@parl.gc.ca", True),
        ("A.Tremblay@PARL.GC.CA", True),
        ("someone@sen.parl.gc.ca", True),
        ("someone@gmail.com", False),
        ("someone@fakeparl.gc.ca", False),
        ("someone@parl.gc.ca.example.com", False),
        ("parl.gc.ca", False),
    ],
)
def test_only_the_parliamentary_domains_are_allowed(email, allowed):
    assert email_domain_allowed(email=email) is allowed


def test_the_domains_come_from_the_settings(settings):
    settings.PARLIAMENTARY_EMAIL_DOMAINS = ["assnat.qc.ca"]
    assert email_domain_allowed(email="x@assnat.qc.ca")
    assert not email_domain_allowed(email="x@parl.gc.ca")


def test_a_parliamentary_office_cannot_invite_an_address_outside_the_domains(office):
    organisation, manager, _ = office
    with pytest.raises(OrganisationError) as refused:
        member_invite(organisation=organisation, invited_by=manager.account, email="helper@gmail.com")
    assert refused.value.code == "domain"
    assert not MemberInvitation.objects.exists()


def test_a_firm_can_invite_any_address():
    firm = FirmFactory()
    manager = ManagerFactory(organisation=firm, account=UserFactory(email="boss@firm.example"))
    invitation = member_invite(organisation=firm, invited_by=manager.account, email="Associate@Firm.Example")
    assert invitation.email == "associate@firm.example"


def test_an_administrator_cannot_add_an_outside_address_to_a_parliamentary_office(office, admin_user):
    organisation, _, _ = office
    with pytest.raises(OrganisationError):
        member_add(
            organisation=organisation, account=UserFactory(email="x@gmail.com"), role="caseworker", added_by=admin_user
        )


# Invitations ----------------------------------------------------------------------------------


def test_a_manager_invites_and_the_person_is_emailed(office):
    organisation, manager, _ = office

    invitation = member_invite(organisation=organisation, invited_by=manager.account, email="new@parl.gc.ca")

    assert invitation.is_open
    assert invitation.expires_at > timezone.now() + datetime.timedelta(days=13)
    email = Notification.objects.get(address="new@parl.gc.ca")
    assert email.kind == "delegate_access"
    assert organisation.name_en in email.message_en and organisation.name_fr in email.message_fr
    assert email.link_path == f"delegate/invitations/{invitation.token}/"


def test_a_new_invitation_replaces_the_open_one(office):
    organisation, manager, _ = office
    first = member_invite(organisation=organisation, invited_by=manager.account, email="new@parl.gc.ca")
    second = member_invite(organisation=organisation, invited_by=manager.account, email="new@parl.gc.ca")
    first.refresh_from_db()
    assert first.withdrawn_at is not None and second.is_open


@pytest.mark.parametrize("who", ["caseworker", "outsider"])
def test_only_a_manager_invites(office, who):
    organisation, _manager, caseworker = office
    account = caseworker.account if who == "caseworker" else UserFactory(email="outsider@parl.gc.ca")
    with pytest.raises(OrganisationError):
        member_invite(organisation=organisation, invited_by=account, email="new@parl.gc.ca")


def test_an_unverified_office_cannot_invite():
    organisation, manager, _ = office_with_people(verified_at=None)
    with pytest.raises(OrganisationError) as refused:
        member_invite(organisation=organisation, invited_by=manager.account, email="new@parl.gc.ca")
    assert refused.value.code == "not_verified"


def test_an_existing_member_is_not_invited_again(office):
    organisation, manager, caseworker = office
    with pytest.raises(OrganisationError) as refused:
        member_invite(organisation=organisation, invited_by=manager.account, email=caseworker.account.email.upper())
    assert refused.value.code == "already_member"


def test_the_invited_person_accepts_with_the_verified_address(office):
    organisation, manager, _ = office
    invitation = member_invite(organisation=organisation, invited_by=manager.account, email="new@parl.gc.ca")
    person = UserFactory(email="new@parl.gc.ca")

    member = member_accept(invitation=invitation, account=person)

    assert member.organisation == organisation and member.role == "caseworker" and member.is_active
    invitation.refresh_from_db()
    assert invitation.accepted_by == person and not invitation.is_open
    event = AuditEvent.objects.get(action=AuditAction.MEMBER_ADDED)
    assert event.actor == person and event.extra["invited_by"] == manager.account_id
    # Accepting twice is refused: the invitation is spent.
    with pytest.raises(OrganisationError):
        member_accept(invitation=invitation, account=person)


def test_someone_else_cannot_accept(office):
    invitation = InvitationFactory(organisation=office[0], email="new@parl.gc.ca")
    with pytest.raises(OrganisationError) as refused:
        member_accept(invitation=invitation, account=UserFactory(email="other@parl.gc.ca"))
    assert refused.value.code == "wrong_account"
    assert not OrganisationMember.objects.filter(account__email="other@parl.gc.ca").exists()


def test_an_unconfirmed_address_cannot_accept(office):
    invitation = InvitationFactory(organisation=office[0], email="new@parl.gc.ca")
    person = UserFactory(email="new@parl.gc.ca")
    EmailAddress.objects.filter(user=person).update(verified=False)
    with pytest.raises(OrganisationError):
        member_accept(invitation=invitation, account=person)


def test_an_expired_invitation_cannot_be_accepted(office, time_machine):
    invitation = InvitationFactory(organisation=office[0], email="new@parl.gc.ca")
    person = UserFactory(email="new@parl.gc.ca")
    time_machine.move_to(timezone.now() + datetime.timedelta(days=15))
    with pytest.raises(OrganisationError) as refused:
        member_accept(invitation=invitation, account=person)
    assert refused.value.code == "closed"


# Removal --------------------------------------------------------------------------------------


def test_a_manager_removes_a_caseworker_with_an_audit(office):
    organisation, manager, caseworker = office

    member_remove(member=caseworker, removed_by=manager.account)

    caseworker.refresh_from_db()
    assert caseworker.removed_at is not None and caseworker.removed_by == manager.account
    event = AuditEvent.objects.get(action=AuditAction.MEMBER_REMOVED)
    assert event.subject_id == str(organisation.pk) and event.extra["account"] == caseworker.account_id


def test_a_caseworker_cannot_remove_anyone(office):
    _organisation, manager, caseworker = office
    with pytest.raises(OrganisationError):
        member_remove(member=manager, removed_by=caseworker.account)


def test_the_last_manager_cannot_be_removed(office):
    organisation, manager, _ = office
    with pytest.raises(OrganisationError) as refused:
        member_remove(member=manager, removed_by=manager.account)
    assert refused.value.code == "last_manager"

    second = ManagerFactory(organisation=organisation)
    member_remove(member=manager, removed_by=manager.account)
    manager.refresh_from_db()
    assert manager.removed_at is not None
    with pytest.raises(OrganisationError):
        member_remove(member=second, removed_by=second.account)


def test_a_removed_member_loses_the_case_at_once(client, office):
    organisation, manager, caseworker = office
    application = ApplicationFactory()
    GrantFactory(application=application, organisation=organisation)
    sign_in(client, caseworker.account)
    assert client.get(detail_url(application)).status_code == 200

    member_remove(member=caseworker, removed_by=manager.account)

    assert client.get(detail_url(application)).status_code == 404


def test_an_unverified_offices_members_see_nothing(client):
    organisation, _manager, caseworker = office_with_people(verified_at=None)
    application = ApplicationFactory()
    GrantFactory(application=application, organisation=organisation)
    sign_in(client, caseworker.account)

    assert client.get(detail_url(application)).status_code == 404
    cases = client.get(reverse("delegate:cases")).text
    assert application.number not in cases
    assert "has not verified this organisation yet" in cases


# The organisation page ------------------------------------------------------------------------


def test_the_organisation_page_lists_members_and_lets_the_manager_invite(client, office):
    organisation, manager, caseworker = office
    sign_in(client, manager.account)
    url = reverse("delegate:organisation", args=[organisation.pk])

    page = client.get(url).text
    assert caseworker.account.email in page and "Send the invitation" in page

    response = client.post(
        reverse("delegate:organisation_invite", args=[organisation.pk]),
        {"email": "new@parl.gc.ca", "role": "caseworker"},
    )
    assert response.status_code == 302 and response["Location"] == url
    assert MemberInvitation.objects.filter(organisation=organisation, email="new@parl.gc.ca").exists()
    assert "new@parl.gc.ca" in client.get(url).text


def test_an_invitation_outside_the_domains_is_explained_on_the_page(client, office):
    organisation, manager, _ = office
    sign_in(client, manager.account)
    response = client.post(
        reverse("delegate:organisation_invite", args=[organisation.pk]), {"email": "x@gmail.com", "role": "caseworker"}
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "parliamentary email address" in response.text


def test_a_caseworker_sees_the_members_but_cannot_invite_or_remove(client, office):
    organisation, manager, caseworker = office
    sign_in(client, caseworker.account)
    page = client.get(reverse("delegate:organisation", args=[organisation.pk])).text
    assert manager.account.email in page and "Send the invitation" not in page and "Remove" not in page
    invite = client.post(
        reverse("delegate:organisation_invite", args=[organisation.pk]), {"email": "n@parl.gc.ca", "role": "caseworker"}
    )
    assert invite.status_code == 404
    remove = client.post(reverse("delegate:member_remove", args=[organisation.pk, manager.pk]))
    assert remove.status_code == 404


def test_an_outsider_gets_a_404_for_the_organisation_page(client, office):
    outsider = MemberFactory()  # a member of another office
    sign_in(client, outsider.account)
    assert client.get(reverse("delegate:organisation", args=[office[0].pk])).status_code == 404


def test_the_manager_removes_a_member_from_the_page(client, office):
    organisation, manager, caseworker = office
    sign_in(client, manager.account)
    url = reverse("delegate:member_remove", args=[organisation.pk, caseworker.pk])
    assert "Remove this member" in client.get(url).text

    response = client.post(url)

    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert caseworker.removed_at is not None


def test_the_last_manager_is_told_why_they_cannot_leave(client, office):
    organisation, manager, _ = office
    sign_in(client, manager.account)
    response = client.post(reverse("delegate:member_remove", args=[organisation.pk, manager.pk]))
    assert response.status_code == 400
    assert "needs an office manager" in response.text


# Accepting on the page ------------------------------------------------------------------------


def test_the_invitation_page_asks_a_visitor_to_sign_in(client, office):
    invitation = InvitationFactory(organisation=office[0], email="new@parl.gc.ca")
    page = client.get(reverse("delegate:invitation", args=[invitation.token])).text
    assert office[0].name_en in page and "new@parl.gc.ca" in page and reverse("account_login") in page


def test_the_invited_person_accepts_on_the_page_then_must_set_up_two_step(client, office):
    invitation = InvitationFactory(organisation=office[0], email="new@parl.gc.ca")
    person = UserFactory(email="new@parl.gc.ca")
    client.force_login(person)
    url = reverse("delegate:invitation", args=[invitation.token])
    assert "Accept and join" in client.get(url).text

    response = client.post(url)

    assert response.status_code == 302
    assert OrganisationMember.objects.filter(account=person, organisation=office[0], removed_at=None).exists()
    # The next page asks for two-step verification, as for staff.
    follow = client.get(response["Location"])
    assert follow.status_code == 302 and follow["Location"] == reverse("mfa_activate_totp")


def test_another_account_is_told_to_use_the_invited_address(client, office):
    invitation = InvitationFactory(organisation=office[0], email="new@parl.gc.ca")
    client.force_login(UserFactory(email="someone@parl.gc.ca"))
    url = reverse("delegate:invitation", args=[invitation.token])
    assert "You are signed in with another address" in client.get(url).text
    assert client.post(url).status_code == 400


def test_an_unknown_invitation_is_a_404(client):
    assert client.get(reverse("delegate:invitation", args=["nope"])).status_code == 404

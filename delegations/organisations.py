"""Changes to organisations and their people: verification, invitations, joining and leaving.

Each change is one function, atomic, that writes its audit event in the same
transaction. A member's access to cases follows from their row alone (the gate in
`applications.access` reads `removed_at` and the organisation's `verified_at`), so
removing a member or leaving an office unverified takes effect on the next request.
"""

import datetime

from allauth.account.models import EmailAddress
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.models import Organisation, OrganisationMember
from core.audit import audit_record
from core.dates import date_format
from core.i18n import in_both_languages
from core.models import AuditAction
from delegations.org_models import MemberInvitation
from delegations.selectors import delegate_roles_forget, email_domain_allowed
from notifications.models import Kind
from notifications.outbox import OutboundMessage, outbox_write

INVITATION_LIFETIME = datetime.timedelta(days=14)
SUBJECT = "organisation"


class OrganisationError(Exception):
    """A change refused for a reason the person can act on; `message` is translatable."""

    def __init__(self, code: str, message) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


def _audit(*, action: AuditAction, organisation: Organisation, actor, request, **extra) -> None:
    audit_record(
        action=action,
        subject_type=SUBJECT,
        subject_id=organisation.pk,
        actor=actor,
        basis="staff" if getattr(actor, "is_staff", False) else "manager",
        request=request,
        extra={"organisation_en": organisation.name_en, "organisation_fr": organisation.name_fr, **extra},
    )


def _is_manager(*, account, organisation: Organisation) -> bool:
    return OrganisationMember.objects.filter(
        organisation=organisation, account=account, role=OrganisationMember.Role.MANAGER, removed_at=None
    ).exists()


@transaction.atomic
def organisation_verify(*, organisation: Organisation, verified_by, request: HttpRequest | None = None) -> bool:
    """Mark the organisation verified by an administrator; False when it already was."""
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if locked.verified_at is not None:
        return False
    locked.verified_at = timezone.now()
    locked.verified_by = verified_by
    locked.save(update_fields=["verified_at", "verified_by"])
    organisation.verified_at, organisation.verified_by = locked.verified_at, verified_by
    _audit(action=AuditAction.ORGANISATION_VERIFIED, organisation=locked, actor=verified_by, request=request)
    # Its members' menus gain what a verified office offers (liaison appointments).
    for account_id in locked.members.filter(removed_at=None).values_list("account_id", flat=True):
        delegate_roles_forget(account_id=account_id)
    return True


@transaction.atomic
def member_invite(
    *,
    organisation: Organisation,
    invited_by,
    email: str,
    role: str = OrganisationMember.Role.CASEWORKER,
    request: HttpRequest | None = None,
) -> MemberInvitation:
    """Invite `email` to join the organisation, replacing any open invitation to that address.

    Only an active manager may invite, only once an administrator verified the
    organisation, and for a parliamentary office only an address in an allowed domain.
    The person invited is told by email.
    """
    email = email.strip().lower()
    if not _is_manager(account=invited_by, organisation=organisation):
        raise OrganisationError("not_manager", _("Only an office manager can invite people to this organisation."))
    if organisation.verified_at is None:
        raise OrganisationError(
            "not_verified", _("You can invite people once an administrator has verified your organisation.")
        )
    if organisation.kind == Organisation.Kind.PARLIAMENTARY_OFFICE and not email_domain_allowed(email=email):
        raise OrganisationError(
            "domain",
            _(
                "People in a parliamentary office must use their parliamentary email address, for example name@parl.gc.ca."
            ),
        )
    if OrganisationMember.objects.filter(
        organisation=organisation, removed_at=None, account__emailaddress__email__iexact=email
    ).exists():
        raise OrganisationError("already_member", _("This person is already a member of your organisation."))
    now = timezone.now()
    MemberInvitation.objects.filter(organisation=organisation, email=email, accepted_at=None, withdrawn_at=None).update(
        withdrawn_at=now
    )
    invitation = MemberInvitation.objects.create(
        organisation=organisation, email=email, role=role, invited_by=invited_by, expires_at=now + INVITATION_LIFETIME
    )
    _invitation_send(invitation=invitation)
    return invitation


def _invitation_send(*, invitation: MemberInvitation) -> None:
    organisation = invitation.organisation
    expires = timezone.localdate(invitation.expires_at)

    def render() -> str:
        return gettext(
            "You are invited to join %(organisation)s on the case status portal. To accept, sign in or create "
            "an account with this email address (%(email)s) by %(date)s. Members must use two-step verification."
        ) % {
            "organisation": organisation.localized("name"),
            "email": invitation.email,
            "date": date_format(expires, "DATE_FORMAT"),
        }

    english, french = in_both_languages(render)
    outbox_write(
        messages=[
            OutboundMessage(
                recipient=None,
                address=invitation.email,
                language=(invitation.invited_by.preferred_language if invitation.invited_by else "") or "en",
                kind=Kind.DELEGATE_ACCESS,
                dedupe_key=f"member_invitation:{invitation.pk}",
                message_en=english,
                message_fr=french,
                message_in_email=True,
                link_path=f"delegate/invitations/{invitation.token}/",
            )
        ]
    )


def invitation_withdraw(*, invitation: MemberInvitation, withdrawn_by) -> None:
    """A manager takes back an invitation nobody accepted yet."""
    if not _is_manager(account=withdrawn_by, organisation=invitation.organisation):
        raise OrganisationError("not_manager", _("Only an office manager can withdraw an invitation."))
    MemberInvitation.objects.filter(pk=invitation.pk, accepted_at=None, withdrawn_at=None).update(
        withdrawn_at=timezone.now()
    )


def account_has_verified_email(*, account, email: str) -> bool:
    return EmailAddress.objects.filter(user=account, email__iexact=email, verified=True).exists()


@transaction.atomic
def member_accept(*, invitation: MemberInvitation, account, request: HttpRequest | None = None) -> OrganisationMember:
    """The person invited joins the organisation with an account that verified the invited address."""
    invitation = MemberInvitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    organisation = invitation.organisation
    if not invitation.is_open:
        raise OrganisationError(
            "closed", _("This invitation is no longer valid. Ask your office manager to send you a new one.")
        )
    if not account_has_verified_email(account=account, email=invitation.email):
        raise OrganisationError(
            "wrong_account",
            _("This invitation is for another email address. Sign in with the address it was sent to."),
        )
    if organisation.kind == Organisation.Kind.PARLIAMENTARY_OFFICE and not email_domain_allowed(email=invitation.email):
        raise OrganisationError(
            "domain", _("People in a parliamentary office must use their parliamentary email address.")
        )
    member = OrganisationMember.objects.filter(organisation=organisation, account=account, removed_at=None).first()
    if member is None:
        member = OrganisationMember.objects.create(organisation=organisation, account=account, role=invitation.role)
        _audit(
            action=AuditAction.MEMBER_ADDED,
            organisation=organisation,
            actor=account,
            request=request,
            member=member.pk,
            account=account.pk,
            role=member.role,
            invited_by=invitation.invited_by_id,
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = account
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    delegate_roles_forget(account_id=account.pk)
    return member


@transaction.atomic
def member_add(
    *,
    organisation: Organisation,
    account,
    role: str,
    added_by,
    licence_number: str = "",
    request: HttpRequest | None = None,
) -> OrganisationMember:
    """An administrator adds someone directly (the first office manager, typically).

    The parliamentary domain rule applies here too.
    """
    if organisation.kind == Organisation.Kind.PARLIAMENTARY_OFFICE and not email_domain_allowed(email=account.email):
        raise OrganisationError(
            "domain", _("People in a parliamentary office must use their parliamentary email address.")
        )
    member, created = OrganisationMember.objects.get_or_create(
        organisation=organisation,
        account=account,
        removed_at=None,
        defaults={"role": role, "licence_number": licence_number},
    )
    if created:
        _audit(
            action=AuditAction.MEMBER_ADDED,
            organisation=organisation,
            actor=added_by,
            request=request,
            member=member.pk,
            account=account.pk,
            role=role,
        )
        delegate_roles_forget(account_id=account.pk)
    return member


@transaction.atomic
def member_remove(
    *, member: OrganisationMember, removed_by, request: HttpRequest | None = None, as_administrator: bool = False
) -> None:
    """End a membership at once. A manager (or an administrator) removes; the last manager stays.

    The organisation's row is locked first, so two managers removing each other at the
    same moment cannot leave it with none.
    """
    organisation = Organisation.objects.select_for_update().get(pk=member.organisation_id)
    if not as_administrator and not _is_manager(account=removed_by, organisation=organisation):
        raise OrganisationError("not_manager", _("Only an office manager can remove members."))
    current = OrganisationMember.objects.select_for_update().get(pk=member.pk)
    if current.removed_at is not None:
        raise OrganisationError("already_removed", _("This person is no longer a member."))
    if current.role == OrganisationMember.Role.MANAGER:
        managers = OrganisationMember.objects.filter(
            organisation=organisation, role=OrganisationMember.Role.MANAGER, removed_at=None
        ).count()
        if managers <= 1:
            raise OrganisationError(
                "last_manager",
                _("An organisation needs an office manager. Make someone else a manager before removing this one."),
            )
    current.removed_at = timezone.now()
    current.removed_by = removed_by
    current.save(update_fields=["removed_at", "removed_by"])
    member.removed_at, member.removed_by = current.removed_at, removed_by
    _audit(
        action=AuditAction.MEMBER_REMOVED,
        organisation=organisation,
        actor=removed_by,
        request=request,
        member=current.pk,
        account=current.account_id,
        role=current.role,
    )
    delegate_roles_forget(account_id=current.account_id)


@transaction.atomic
def member_role_change(
    *, member: OrganisationMember, role: str, changed_by, request: HttpRequest | None = None
) -> None:
    """An administrator makes a member a manager or a caseworker; the last manager stays one.

    Audited as a member added with their new role, since that is what it grants.
    """
    organisation = Organisation.objects.select_for_update().get(pk=member.organisation_id)
    current = OrganisationMember.objects.select_for_update().get(pk=member.pk)
    if current.removed_at is not None or current.role == role:
        return
    if current.role == OrganisationMember.Role.MANAGER:
        managers = OrganisationMember.objects.filter(
            organisation=organisation, role=OrganisationMember.Role.MANAGER, removed_at=None
        ).count()
        if managers <= 1:
            raise OrganisationError(
                "last_manager",
                _("An organisation needs an office manager. Make someone else a manager before removing this one."),
            )
    previous, current.role = current.role, role
    current.save(update_fields=["role"])
    member.role = role
    _audit(
        action=AuditAction.MEMBER_ADDED,
        organisation=organisation,
        actor=changed_by,
        request=request,
        member=current.pk,
        account=current.account_id,
        role=role,
        previous_role=previous,
    )

"""How a change to a grant is told and recorded: messages to the client and the grantee, audit events."""

from django.utils.translation import gettext as _

from applications.audit import case_audit_record
from applications.models import Grant, OrganisationMember
from core.audit import audit_record
from core.dates import date_format
from core.i18n import in_both_languages
from core.models import AuditAction
from delegations.consent.rules import number_of
from delegations.consent_text import last_day_of
from notifications.models import Kind
from notifications.outbox import OutboundMessage, outbox_write


def _grantee_accounts(grant: Grant) -> list:
    if grant.grantee_account is not None:
        return [grant.grantee_account] if grant.grantee_account.is_active else []
    if grant.organisation_id is not None:
        members = OrganisationMember.objects.filter(organisation_id=grant.organisation_id, removed_at=None)
        return [member.account for member in members.select_related("account") if member.account.is_active]
    return []


def files_label(grant: Grant) -> str:
    if grant.application_id is not None:
        return _("application %(number)s") % {"number": number_of(grant)}
    return _("all their applications")


def client_tell(*, grant: Grant, key: str, wording, application_id: int | None = None) -> None:
    """Tell the client's account; `wording` is called once per language."""
    account = grant.client.account
    if account is None or not account.is_active:
        return
    english, french = in_both_languages(wording)
    outbox_write(
        messages=[
            OutboundMessage(
                recipient=account,
                kind=Kind.ACCESS_CHANGED,
                dedupe_key=f"grant:{grant.pk}:{key}",
                application_id=application_id if application_id is not None else grant.application_id,
                message_en=english,
                message_fr=french,
                message_in_email=True,
                link_path="access/",
            )
        ]
    )


def tell_grantee(*, grant: Grant, key: str, wording, link_path: str = "") -> None:
    """Tell the grantee: the person, every active member of the organisation, or the invited address.

    Not attached to the application, so a revocation stays readable after access ends.
    """
    english, french = in_both_languages(wording)

    def message(recipient, address: str = "", language: str = "") -> OutboundMessage:
        return OutboundMessage(
            recipient=recipient,
            kind=Kind.DELEGATE_ACCESS,
            dedupe_key=f"grant:{grant.pk}:{key}",
            message_en=english,
            message_fr=french,
            message_in_email=True,
            link_path=link_path,
            address=address,
            language=language,
        )

    messages = [message(account) for account in _grantee_accounts(grant)]
    if not messages and grant.grantee_email and grant.grantee_account_id is None:
        language = grant.consent_language if grant.consent_language in ("en", "fr") else "en"
        messages = [message(None, address=grant.grantee_email, language=language)]
    if messages:
        outbox_write(messages=messages)


def grant_audit(*, action: AuditAction, grant: Grant, actor, basis: str, request=None, extra=None) -> None:
    details = {
        "grant": grant.pk,
        "grant_kind": grant.kind,
        "scope": grant.scope,
        "may_act": grant.may_act,
        "grantee_en": _grantee_name(grant, "en"),
        "grantee_fr": _grantee_name(grant, "fr"),
        **(extra or {}),
    }
    if grant.organisation_id is not None:
        details["organisation"] = grant.organisation_id
    if grant.application is not None:
        case_audit_record(
            action=action, application=grant.application, actor=actor, basis=basis, request=request, extra=details
        )
    else:
        audit_record(
            action=action,
            subject_type="grant",
            subject_id=grant.pk,
            actor=actor,
            basis=basis,
            request=request,
            extra=details,
        )


def _grantee_name(grant: Grant, language: str) -> str:
    if grant.organisation is not None:
        return getattr(grant.organisation, f"name_{language}") or grant.organisation.name_en
    return grant.grantee_name or (grant.grantee_account.email if grant.grantee_account else grant.grantee_email)


def until_text(grant: Grant) -> str:
    last_day = last_day_of(grant.expires_at)
    if last_day is None:
        return _("with no end date")
    return _("until the end of %(day)s") % {"day": date_format(last_day, "DATE_FORMAT")}


def scope_words(grant: Grant) -> str:
    words = str(Grant.Scope(grant.scope).label)
    if grant.may_act:
        words = _("%(scope)s, and may act for the client") % {"scope": words}
    return words

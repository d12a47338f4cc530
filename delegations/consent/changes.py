"""Narrowing and revoking a grant, by the client or by staff."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Grant
from core.models import AuditAction
from delegations.consent.lookups import grant_for_client
from delegations.consent.rules import SCOPE_ORDER, Basis, client_name, day_start, iso_or_none, number_of
from delegations.consent.telling import client_tell, files_label, grant_audit, scope_words, tell_grantee, until_text
from delegations.liaison import appointments_cancel_for_revoked_grant


@transaction.atomic
def grant_narrow(
    *,
    account,
    grant_id: int,
    scope: str | None = None,
    may_act: bool | None = None,
    last_day: datetime.date | None = None,
    request: HttpRequest | None = None,
) -> Grant:
    """The client gives less: a narrower scope, no longer acting for them, or an earlier end.

    Never more: widening needs a new consent. Raises ValidationError when asked to widen.
    """
    grant = grant_for_client(account=account, grant_id=grant_id)
    grant = (
        Grant.objects.select_for_update(of=("self",))
        .select_related("client__account", "application", "organisation", "grantee_account")
        .get(pk=grant.pk)
    )
    if grant.state not in (Grant.State.ACTIVE, Grant.State.INVITED):
        raise ValidationError(_("This access has already ended."))
    now = timezone.now()
    problems: dict[str, list[str]] = {}
    new_scope = scope or grant.scope
    new_may_act = grant.may_act if may_act is None else may_act
    if new_scope not in Grant.Scope.values or SCOPE_ORDER[new_scope] > SCOPE_ORDER[grant.scope]:
        problems["scope"] = [_("You can only give less here. To give more, give access again.")]
    if new_may_act and not grant.may_act:
        problems["may_act"] = [_("You can only give less here. To give more, give access again.")]
    new_expires_at = grant.expires_at
    if last_day is not None:
        if last_day < timezone.localdate(now):
            problems["last_day"] = [_("Choose an end date from today on. To end the access now, remove it.")]
        else:
            new_expires_at = day_start(last_day + datetime.timedelta(days=1))
            if grant.expires_at is not None and new_expires_at > grant.expires_at:
                problems["last_day"] = [_("You can only give less here. To give more, give access again.")]
    if problems:
        raise ValidationError(problems)
    before = {"scope": grant.scope, "may_act": grant.may_act, "expires_at": iso_or_none(grant.expires_at)}
    if (new_scope, new_may_act, new_expires_at) == (grant.scope, grant.may_act, grant.expires_at):
        return grant
    grant.scope, grant.may_act, grant.expires_at = new_scope, new_may_act, new_expires_at
    grant.save(update_fields=["scope", "may_act", "expires_at"])
    grant_audit(
        action=AuditAction.GRANT_CHANGED,
        grant=grant,
        actor=account,
        basis=Basis.CLIENT,
        request=request,
        extra={"before": before},
    )
    # One message per change: the key names what the grant became.
    key = f"narrowed:{grant.scope}:{int(grant.may_act)}:{iso_or_none(grant.expires_at)}"
    tell_grantee(
        grant=grant,
        key=key,
        wording=lambda: _("%(client)s changed your access to %(files)s: now %(scope)s, %(until)s.")
        % {
            "client": client_name(grant.client),
            "files": files_label(grant),
            "scope": scope_words(grant),
            "until": until_text(grant),
        },
    )
    return grant


@transaction.atomic
def grant_revoke(*, actor, grant: Grant, basis: str = Basis.CLIENT, request: HttpRequest | None = None) -> Grant:
    """End a grant now: the next request under it is a 404. The client's own, or staff acting on their word."""
    grant = (
        Grant.objects.select_for_update(of=("self",))
        .select_related("client__account", "application", "organisation", "grantee_account")
        .get(pk=grant.pk)
    )
    if grant.state not in (Grant.State.ACTIVE, Grant.State.INVITED):
        return grant
    grant.state = Grant.State.REVOKED
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor
    grant.save(update_fields=["state", "revoked_at", "revoked_by"])
    grant_audit(action=AuditAction.GRANT_REVOKED, grant=grant, actor=actor, basis=basis, request=request)
    # A liaison officer should not meet an office about a file it can no longer see.
    appointments_cancel_for_revoked_grant(grant=grant, actor=actor, request=request)
    files = (
        (lambda: _("application %(number)s") % {"number": number_of(grant)})
        if grant.application_id
        else (lambda: _("all your applications"))
    )
    client_tell(
        grant=grant,
        key="revoked",
        wording=lambda: _("%(grantee)s can no longer see %(files)s.")
        % {"grantee": grant.grantee_label, "files": files()},
    )
    tell_grantee(
        grant=grant,
        key="revoked",
        wording=lambda: _("%(client)s has withdrawn your access to %(files)s.")
        % {"client": client_name(grant.client), "files": files_label(grant)},
    )
    return grant


def grant_revoke_by_client(*, account, grant_id: int, request: HttpRequest | None = None) -> Grant:
    """The client revokes one of their own grants (anyone else's is a 404)."""
    grant = grant_for_client(account=account, grant_id=grant_id)
    return grant_revoke(actor=account, grant=grant, basis=Basis.CLIENT, request=request)

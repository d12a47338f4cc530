"""Consent recorded by staff from a signed paper form, and the client's lists of grants and requests."""

import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, Client, Grant
from core.models import AuditAction
from delegations.consent.giving import check_grantee, check_period, grants_create, tell_about_new_grant
from delegations.consent.rules import Basis, GranteeChoice, day_start, terms_for
from delegations.consent.telling import grant_audit
from delegations.consent_models import ConsentEvidence


@transaction.atomic
def grant_record_paper(
    *,
    staff,
    client: Client,
    kind: str,
    grantee: GranteeChoice,
    applications: list[Application] | None,
    scope: str = Grant.Scope.STATUS,
    may_act: bool = False,
    last_day: datetime.date | None = None,
    licence_number: str = "",
    signed_name: str,
    signed_on: datetime.date,
    consent_language: str = "en",
    scan,
    request: HttpRequest | None = None,
) -> list[Grant]:
    """Staff record the consent a client signed on paper, with the scan that proves it.

    `scan` is one file already checked by the documents pipeline (enquiries.uploads.CheckedFile).
    The grants start on the day recorded; the text kept is the portal's wording of the
    same choices, in both languages.
    """
    now = timezone.now()
    today = timezone.localdate(now)
    problems = check_grantee(kind=kind, grantee=grantee, licence_number=licence_number)
    problems.update(check_period(kind=kind, last_day=last_day, today=today))
    if signed_on > today:
        problems["signed_on"] = [_("The form cannot be signed after today.")]
    if applications is not None and (
        not applications or any(application.client_id != client.pk for application in applications)
    ):
        problems["applications"] = [_("Choose applications of this client.")]
    if not (signed_name or "").strip():
        problems["signed_name"] = [_("Enter the name as signed on the form.")]
    if problems:
        raise ValidationError(problems)
    terms, expires_at = terms_for(
        client=client,
        kind=kind,
        grantee=grantee,
        licence_number=licence_number,
        applications=applications,
        scope=scope,
        may_act=may_act,
        last_day=last_day,
        now=now,
    )
    evidence = ConsentEvidence(
        original_name=scan.name,
        content_type=scan.content_type,
        size=scan.size,
        sha256=scan.sha256,
        signed_on=signed_on,
        recorded_by=staff,
    )
    evidence.file.save(scan.name, ContentFile(scan.content), save=False)
    written = evidence.file.name
    try:
        evidence.save()
        grants = grants_create(
            client=client,
            applications=applications,
            kind=kind,
            grantee=grantee,
            terms=terms,
            expires_at=expires_at,
            consent_language=consent_language,
            signed_name=signed_name,
            source=Grant.Source.PAPER,
            given_by=staff,
            given_at=day_start(signed_on) if signed_on < today else now,
            now=now,
        )
        for grant in grants:
            evidence.grants.add(grant)
            grant_audit(
                action=AuditAction.GRANT_GIVEN,
                grant=grant,
                actor=staff,
                basis=Basis.STAFF,
                request=request,
                extra={"evidence": evidence.pk, "signed_on": signed_on.isoformat()},
            )
            tell_about_new_grant(grant)
    except BaseException:
        evidence.file.storage.delete(written)
        raise
    return grants


def grants_of_client(*, account):
    """Every grant of the client this account speaks for, newest first, with what the page shows."""
    return (
        Grant.objects.filter(client__account=account)
        .filter(~Q(state=Grant.State.REQUESTED))
        .select_related("application", "organisation", "grantee_account")
        .order_by("-created_at", "-pk")
    )


def requests_for_client(*, account):
    """The requests for access waiting for this client's answer."""
    return (
        Grant.objects.filter(client__account=account, state=Grant.State.REQUESTED)
        .select_related("application", "organisation", "grantee_account", "requested_by")
        .order_by("created_at", "pk")
    )

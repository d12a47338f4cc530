"""What the delegations app does when the access policy reports something."""

from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Grant, OrganisationMember
from core.dates import date_format
from delegations.consent import client_tell, person_short_name


def grant_first_used_tell_client(sender, *, grant: Grant, application, viewer, **kwargs) -> None:
    """The first read under a grant tells the client once (the gate claims it; the outbox key repeats nothing)."""
    grant = Grant.objects.select_related("client__account", "organisation", "application").get(pk=grant.pk)
    member = None
    if grant.organisation_id is not None:
        member = OrganisationMember.objects.filter(organisation_id=grant.organisation_id, account=viewer).first()

    def wording() -> str:
        who = grant.grantee_label
        if member is not None and grant.organisation is not None:
            who = _("%(role)s %(person)s, %(organisation)s,") % {
                "role": member.get_role_display(),
                "person": person_short_name(viewer),
                "organisation": grant.organisation.name,
            }
        given = timezone.localdate(grant.given_at) if grant.given_at else None
        return _(
            "%(who)s opened your application %(number)s for the first time under the access you gave on %(day)s."
        ) % {
            "who": who,
            "number": application.number,
            "day": date_format(given, "DATE_FORMAT") if given else "",
        }

    client_tell(grant=grant, key="first_used", wording=wording, application_id=application.pk)

"""People and times for the liaison tests: an officer in the Liaison group, an office caseworker with a
grant for one file, and published availability tomorrow in the portal's zone."""

import datetime
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone, translation

from delegations.liaison_models import LIAISON_GROUP, Availability
from tests.delegations.factories import GrantFactory, MemberFactory
from tests.factories import ApplicationFactory, UserFactory

ZONE = zoneinfo.ZoneInfo(settings.TIME_ZONE)


def liaison_officer(**fields):
    """An active staff account in the Liaison group (the group carries the view permission)."""
    fields.setdefault("is_staff", True)
    fields.setdefault("first_name", "Léa")
    fields.setdefault("last_name", "Gagnon")
    officer = UserFactory(**fields)
    officer.groups.add(Group.objects.get_or_create(name=LIAISON_GROUP)[0])
    return officer


def tomorrow_at(hour: int, minute: int = 0, *, days: int = 1) -> datetime.datetime:
    day = timezone.localdate(timezone=ZONE) + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ZONE)


def publish(officer, *, start: datetime.datetime, hours: float = 3, lengths=(15, 30, 45, 60)) -> Availability:
    return Availability.objects.create(
        officer=officer,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=hours),
        time_zone=settings.TIME_ZONE,
        **{f"takes_{minutes}": minutes in lengths for minutes in (15, 30, 45, 60)},
    )


def office_with_case(**grant_fields):
    """(caseworker account, their member row, the application, the grant): an MP office following one file."""
    application = ApplicationFactory()
    grant = GrantFactory(application=application, **grant_fields)
    member = MemberFactory(organisation=grant.organisation)
    return member.account, member, application, grant


def french_catalogue_has(msgid: str) -> bool:
    """Whether the compiled French catalogue translates `msgid` yet (the integrator compiles our strings)."""
    with translation.override("fr"):
        return translation.gettext(msgid) != msgid

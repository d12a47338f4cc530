"""Who takes part in liaison appointments and in which time zones: officers, offices' members, zones and labels."""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.models import Organisation, OrganisationMember
from core.dates import date_format
from delegations.liaison_models import LIAISON_GROUP, Availability

GRID = datetime.timedelta(minutes=15)  # slots start on quarter hours of each availability range
MAX_AVAILABILITY = datetime.timedelta(hours=12)
MAX_SLOT_WINDOW = datetime.timedelta(days=31)
# The zones offered to both sides, west to east; a person's choice is kept in their session.
ZONES = (
    ("America/Vancouver", gettext_lazy("Pacific time")),
    ("America/Edmonton", gettext_lazy("Mountain time")),
    ("America/Regina", gettext_lazy("Saskatchewan time")),
    ("America/Winnipeg", gettext_lazy("Central time")),
    ("America/Toronto", gettext_lazy("Eastern time")),
    ("America/Halifax", gettext_lazy("Atlantic time")),
    ("America/St_Johns", gettext_lazy("Newfoundland time")),
)


class LiaisonRefused(Exception):
    """A change refused for a reason the person can act on; the message is in their language."""


class SlotTaken(LiaisonRefused):
    """Someone else booked an overlapping time first."""


@dataclass(frozen=True)
class Slot:
    officer_id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


def zone_valid(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def is_liaison_officer(user) -> bool:
    """An active staff account in the Liaison group."""
    if user is None or not user.is_authenticated or not user.is_active or not user.is_staff:
        return False
    cached = getattr(user, "_is_liaison_officer", None)
    if cached is None:
        cached = user.groups.filter(name=LIAISON_GROUP).exists()
        user._is_liaison_officer = cached
    return cached


def liaison_officers() -> QuerySet:
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__name=LIAISON_GROUP)
        .order_by("last_name", "first_name", "email")
    )


def officer_label(officer) -> str:
    return officer.get_full_name() or officer.email


def parliamentary_memberships(*, member) -> QuerySet[OrganisationMember]:
    """The member's places in verified parliamentary offices, while not removed."""
    return OrganisationMember.objects.filter(
        account=member,
        removed_at=None,
        organisation__kind=Organisation.Kind.PARLIAMENTARY_OFFICE,
        organisation__verified_at__isnull=False,
    ).select_related("organisation")


def default_zone() -> str:
    return settings.TIME_ZONE


def officer_zone(*, officer, starts_at: datetime.datetime) -> str:
    availability = (
        Availability.objects.filter(officer=officer, starts_at__lte=starts_at, ends_at__gt=starts_at)
        .values_list("time_zone", flat=True)
        .first()
    )
    return availability or default_zone()


def when_label(*, moment: datetime.datetime, zone: str) -> str:
    """A date and time in `zone`, in the active language, with the zone named."""
    local = timezone.localtime(moment, zoneinfo.ZoneInfo(zone))
    return _("%(when)s (%(zone)s)") % {
        "when": date_format(local, "DATETIME_FORMAT"),
        "zone": zone_label(zone),
    }


def zone_label(zone: str) -> str:
    """The zone's everyday name ("Eastern time"), or its identifier when it is not one of ours."""
    name = dict(ZONES).get(zone)
    return str(name) if name else zone

"""Officers' availability and the slots it opens for booking."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from delegations.liaison.officers import (
    GRID,
    MAX_AVAILABILITY,
    MAX_SLOT_WINDOW,
    LiaisonRefused,
    Slot,
    is_liaison_officer,
    zone_valid,
)
from delegations.liaison_models import LENGTHS, LIAISON_GROUP, Appointment, Availability


def availability_publish(
    *,
    officer,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    lengths: list[int],
    time_zone: str,
    now: datetime.datetime | None = None,
) -> Availability:
    """Offer the time from `starts_at` to `ends_at` for appointments of the given lengths (minutes)."""
    now = now or timezone.now()
    if not is_liaison_officer(officer):
        raise LiaisonRefused(_("Only liaison officers publish availability."))
    if ends_at <= starts_at:
        raise LiaisonRefused(_("The end must come after the start."))
    if starts_at < now:
        raise LiaisonRefused(_("Choose a time in the future."))
    if ends_at - starts_at > MAX_AVAILABILITY:
        raise LiaisonRefused(_("Publish at most 12 hours at a time."))
    chosen = sorted(set(lengths))
    if not chosen or any(length not in LENGTHS for length in chosen):
        raise LiaisonRefused(_("Choose at least one appointment length."))
    if not zone_valid(time_zone):
        raise LiaisonRefused(_("Choose a time zone from the list."))
    return Availability.objects.create(
        officer=officer,
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone=time_zone,
        **{f"takes_{length}": length in chosen for length in LENGTHS},
    )


def busy_appointments(
    *, officer_ids, start: datetime.datetime, end: datetime.datetime, exclude_pk: int | None = None
) -> QuerySet:
    """Booked appointments of these officers overlapping [start, end): one indexed range query."""
    busy = Appointment.objects.filter(
        officer_id__in=officer_ids, state=Appointment.State.BOOKED, starts_at__lt=end, ends_at__gt=start
    )
    return busy.exclude(pk=exclude_pk) if exclude_pk else busy


def slots_open(
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    length: int,
    officer=None,
    now: datetime.datetime | None = None,
    ignore_appointment: Appointment | None = None,
) -> list[Slot]:
    """The free slots of `length` minutes between `start` and `end`, of one officer or of all.

    Two queries bounded by the window (the availability and the booked appointments that
    overlap it, both on indexes); the quarter-hour grid of a window of at most a month is
    then walked in memory. `ignore_appointment` frees that appointment's own time (a move).
    """
    now = now or timezone.now()
    if length not in LENGTHS or end <= start:
        return []
    end = min(end, start + MAX_SLOT_WINDOW)
    start = max(start, now)
    step = datetime.timedelta(minutes=length)
    offered = Availability.objects.filter(
        starts_at__lt=end, ends_at__gt=start, officer__is_active=True, officer__groups__name=LIAISON_GROUP
    ).filter(**{f"takes_{length}": True})
    if officer is not None:
        offered = offered.filter(officer=officer)
    ranges: list[tuple[int, datetime.datetime, datetime.datetime]] = list(
        offered.order_by("starts_at").values_list("officer_id", "starts_at", "ends_at")
    )
    if not ranges:
        return []
    busy: dict[int, list[tuple[datetime.datetime, datetime.datetime]]] = {}
    for officer_id, busy_start, busy_end in busy_appointments(
        officer_ids={row[0] for row in ranges},
        start=start,
        end=end,
        exclude_pk=ignore_appointment.pk if ignore_appointment else None,
    ).values_list("officer_id", "starts_at", "ends_at"):
        busy.setdefault(officer_id, []).append((busy_start, busy_end))
    found: set[Slot] = set()
    for officer_id, range_start, range_end in ranges:
        candidate = range_start
        while candidate + step <= range_end:
            finish = candidate + step
            if candidate >= start and finish <= end:
                taken = any(b_start < finish and b_end > candidate for b_start, b_end in busy.get(officer_id, ()))
                if not taken:
                    found.add(Slot(officer_id=officer_id, starts_at=candidate, ends_at=finish))
            candidate += GRID
    return sorted(found, key=lambda slot: (slot.starts_at, slot.officer_id))


def is_offered(*, officer, starts_at: datetime.datetime, length: int) -> bool:
    """Whether the officer published availability covering this time for this length."""
    ends_at = starts_at + datetime.timedelta(minutes=length)
    return Availability.objects.filter(
        officer=officer, starts_at__lte=starts_at, ends_at__gte=ends_at, **{f"takes_{length}": True}
    ).exists()

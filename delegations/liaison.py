"""Liaison appointments: officers publish availability, parliamentary offices book, either side cancels or moves.

Writes are here, one function per change, each atomic with its audit row and its
notifications (the outbox), so both sides hear of every booking, cancellation, move,
no-show and reminder. Who may book is decided by the one gate: the member must reach
the application through `applications.access.application_for_viewer` as a grantee,
under a grant to their parliamentary office.

No double booking: PostgreSQL's exclusion constraint (see liaison_models) refuses an
overlapping booked appointment even when requests race; the insert runs in a
savepoint and its IntegrityError becomes `SlotTaken`. SQLite has no such constraint:
there the transaction first takes SQLite's single write lock (a no-op update of the
officer's row), so the overlap check and the insert cannot interleave with another
booking's.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import Http404, HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.access import (
    Basis,
    Need,
    application_for_viewer,
    applications_for_viewer,
    grants_for_viewer,
    live_grants_q,
    recipients_for,
    visible_q,
)
from applications.audit import case_audit_record
from applications.models import Application, Grant, Organisation, OrganisationMember
from core.dates import date_format
from core.models import AuditAction
from delegations.liaison_models import LENGTHS, LIAISON_GROUP, Appointment, Availability
from notifications.models import Kind
from notifications.outbox import OutboundMessage, outbox_write

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
REMINDERS = {"24h": datetime.timedelta(hours=24), "1h": datetime.timedelta(hours=1)}


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


def _busy(*, officer_ids, start: datetime.datetime, end: datetime.datetime, exclude_pk: int | None = None) -> QuerySet:
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
    for officer_id, busy_start, busy_end in _busy(
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


def _offered(*, officer, starts_at: datetime.datetime, length: int) -> bool:
    """Whether the officer published availability covering this time for this length."""
    ends_at = starts_at + datetime.timedelta(minutes=length)
    return Availability.objects.filter(
        officer=officer, starts_at__lte=starts_at, ends_at__gte=ends_at, **{f"takes_{length}": True}
    ).exists()


def _serialise_writers_on_sqlite(*, officer) -> None:
    """SQLite has no exclusion constraint: take its one write lock before checking for an overlap.

    Called first in the transaction: a SQLite transaction that has read and then wants to write
    while another holds the lock fails at once instead of waiting.
    """
    if connection.vendor != "postgresql":
        get_user_model().objects.filter(pk=officer.pk).update(is_active=F("is_active"))


def _insert(
    *,
    officer,
    organisation: Organisation,
    booked_by,
    application: Application,
    topic: str,
    note: str,
    starts_at: datetime.datetime,
    length: int,
    office_time_zone: str,
    officer_time_zone: str,
    rescheduled_from: Appointment | None,
    now: datetime.datetime,
) -> Appointment:
    """Insert one booked appointment after the checks common to booking and moving; inside a transaction."""
    if length not in LENGTHS:
        raise LiaisonRefused(_("Choose an appointment length of 15, 30, 45 or 60 minutes."))
    if topic not in Appointment.Topic.values:
        raise LiaisonRefused(_("Choose a topic from the list."))
    if len(note) > 500:
        raise LiaisonRefused(_("Keep the note to 500 characters or fewer."))
    if not is_liaison_officer(officer):
        raise LiaisonRefused(_("Choose a liaison officer from the list."))
    if starts_at <= now:
        raise LiaisonRefused(_("Choose a time in the future."))
    if not _offered(officer=officer, starts_at=starts_at, length=length):
        raise LiaisonRefused(_("The officer does not offer this time. Choose one of the times shown."))
    ends_at = starts_at + datetime.timedelta(minutes=length)
    if _busy(officer_ids=[officer.pk], start=starts_at, end=ends_at).exists():
        raise SlotTaken(_("This time was just taken. Choose another."))
    try:
        with transaction.atomic():
            return Appointment.objects.create(
                officer=officer,
                organisation=organisation,
                booked_by=booked_by,
                application=application,
                topic=topic,
                note=note.strip(),
                starts_at=starts_at,
                ends_at=ends_at,
                length_minutes=length,
                office_time_zone=office_time_zone,
                officer_time_zone=officer_time_zone,
                rescheduled_from=rescheduled_from,
            )
    except IntegrityError as error:
        # The exclusion constraint: a concurrent booking of an overlapping time committed first.
        raise SlotTaken(_("This time was just taken. Choose another.")) from error


def application_for_booking(*, member, number: str, request: HttpRequest | None = None) -> Application:
    """The application if `member` reaches it under their parliamentary office's grant, else Http404.

    Through the one gate (which records the read): owners, staff and other grantees are refused alike.
    """
    application = application_for_viewer(viewer=member, number=number, need=Need.STATUS, request=request)
    grant = application.viewer_grant
    if (
        application.viewer_basis != Basis.GRANTEE
        or grant is None
        or grant.organisation is None
        or grant.organisation.kind != Organisation.Kind.PARLIAMENTARY_OFFICE
    ):
        raise Http404
    return application


def bookable_applications(*, member) -> QuerySet[Application]:
    """The files a member may book about: those their parliamentary offices hold a grant in force for."""
    offices = parliamentary_memberships(member=member).values("organisation_id")
    grants = Grant.objects.filter(live_grants_q(), organisation_id__in=offices)
    covered = Q(Exists(grants.filter(application=OuterRef("pk")))) | Q(
        Exists(grants.filter(application__isnull=True, client=OuterRef("client_id")))
    )
    return (
        applications_for_viewer(viewer=member, include_grants=True)
        .filter(covered)
        .exclude(status=Application.Status.CLOSED)
    )


def appointment_book(
    *,
    member,
    number: str,
    officer,
    starts_at: datetime.datetime,
    length: int,
    topic: str,
    note: str = "",
    time_zone: str = "",
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> Appointment:
    """Book a liaison appointment for a parliamentary office about a file it holds a grant for.

    Http404 when the member may not book about that file; LiaisonRefused (SlotTaken) when
    the time is not offered or was taken, also by a booking that raced this one.
    """
    now = now or timezone.now()
    application = application_for_booking(member=member, number=number, request=request)
    organisation = application.viewer_grant.organisation if application.viewer_grant else None
    if organisation is None:  # application_for_booking made sure of it
        raise Http404
    office_zone = time_zone if time_zone and zone_valid(time_zone) else _default_zone()
    with transaction.atomic():
        _serialise_writers_on_sqlite(officer=officer)
        appointment = _insert(
            officer=officer,
            organisation=organisation,
            booked_by=member,
            application=application,
            topic=topic,
            note=note,
            starts_at=starts_at,
            length=length,
            office_time_zone=office_zone,
            officer_time_zone=_officer_zone(officer=officer, starts_at=starts_at),
            rescheduled_from=None,
            now=now,
        )
        _audit(appointment=appointment, action=AuditAction.APPOINTMENT_BOOKED, actor=member, request=request)
        _notify(appointment=appointment, event="booked")
    return appointment


def _default_zone() -> str:
    return settings.TIME_ZONE


def _officer_zone(*, officer, starts_at: datetime.datetime) -> str:
    availability = (
        Availability.objects.filter(officer=officer, starts_at__lte=starts_at, ends_at__gt=starts_at)
        .values_list("time_zone", flat=True)
        .first()
    )
    return availability or _default_zone()


def _side_of(*, appointment: Appointment, actor) -> str:
    """ "officer" or "office": who is acting; LiaisonRefused for anyone else."""
    if actor.pk == appointment.officer_id and is_liaison_officer(actor):
        return "officer"
    if OrganisationMember.objects.filter(
        organisation_id=appointment.organisation_id,
        account=actor,
        removed_at=None,
        organisation__verified_at__isnull=False,
    ).exists():
        return "office"
    raise LiaisonRefused(_("You cannot change this appointment."))


def appointment_cancel(
    *, appointment: Appointment, actor, reason: str, request: HttpRequest | None = None, event: str = "cancelled"
) -> Appointment:
    """Cancel a booked appointment, by its officer or a member of its office, with a reason."""
    side = _side_of(appointment=appointment, actor=actor)
    reason = reason.strip()
    if not reason:
        raise LiaisonRefused(_("Give a reason."))
    if len(reason) > 500:
        raise LiaisonRefused(_("Keep the reason to 500 characters or fewer."))
    now = timezone.now()
    with transaction.atomic():
        changed = Appointment.objects.filter(pk=appointment.pk, state=Appointment.State.BOOKED).update(
            state=Appointment.State.CANCELLED, cancel_reason=reason, cancelled_by=actor, cancelled_at=now
        )
        if not changed:
            raise LiaisonRefused(_("This appointment is no longer booked."))
        appointment.refresh_from_db()
        _audit(
            appointment=appointment,
            action=AuditAction.APPOINTMENT_CHANGED,
            actor=actor,
            request=request,
            extra={"change": event, "side": side, "reason": reason},
        )
        if event == "cancelled":
            _notify(appointment=appointment, event="cancelled")
    return appointment


def appointment_reschedule(
    *,
    appointment: Appointment,
    actor,
    starts_at: datetime.datetime,
    reason: str,
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> Appointment:
    """Move a booked appointment to another offered time of the same officer: the old one is
    cancelled and a new one, pointing back to it, is booked, in one transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        _serialise_writers_on_sqlite(officer=appointment.officer)
        old = appointment_cancel(appointment=appointment, actor=actor, reason=reason, request=request, event="moved")
        new = _insert(
            officer=old.officer,
            organisation=old.organisation,
            booked_by=old.booked_by,
            application=old.application,
            topic=old.topic,
            note=old.note,
            starts_at=starts_at,
            length=old.length_minutes,
            office_time_zone=old.office_time_zone,
            officer_time_zone=_officer_zone(officer=old.officer, starts_at=starts_at),
            rescheduled_from=old,
            now=now,
        )
        _audit(
            appointment=new,
            action=AuditAction.APPOINTMENT_BOOKED,
            actor=actor,
            request=request,
            extra={"moved_from": old.pk},
        )
        _notify(appointment=new, event="moved")
    return new


def appointment_mark(
    *, appointment: Appointment, officer, state: str, request: HttpRequest | None = None
) -> Appointment:
    """The officer records, once the time has come, that the office did not attend or that it was held."""
    if state not in (Appointment.State.NO_SHOW, Appointment.State.COMPLETED):
        raise LiaisonRefused(_("Choose what happened."))
    if appointment.officer_id != officer.pk or not is_liaison_officer(officer):
        raise LiaisonRefused(_("Only the officer of this appointment can record this."))
    if appointment.starts_at > timezone.now():
        raise LiaisonRefused(_("You can record this once the appointment has started."))
    with transaction.atomic():
        if not Appointment.objects.filter(pk=appointment.pk, state=Appointment.State.BOOKED).update(state=state):
            raise LiaisonRefused(_("This appointment is no longer booked."))
        appointment.refresh_from_db()
        _audit(
            appointment=appointment,
            action=AuditAction.APPOINTMENT_CHANGED,
            actor=officer,
            request=request,
            extra={"change": state, "side": "officer"},
        )
        if state == Appointment.State.NO_SHOW:
            _notify(appointment=appointment, event="no_show")
    return appointment


def appointment_mark_no_show(*, appointment: Appointment, officer, request: HttpRequest | None = None) -> Appointment:
    return appointment_mark(appointment=appointment, officer=officer, state=Appointment.State.NO_SHOW, request=request)


def appointment_reminders_send(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Send the 24-hour and 1-hour reminders that are due; safe to run twice, or from two workers.

    Each reminder is claimed by a conditional UPDATE of its `reminder_*_sent_at` in the
    transaction that writes its messages: only one run sends it. An appointment booked
    after a reminder's time has passed (less than 24 hours ahead) does not get that one.
    """
    now = now or timezone.now()
    sent = {}
    for which, lead in REMINDERS.items():
        field = f"reminder_{which}_sent_at"
        due = Appointment.objects.filter(
            state=Appointment.State.BOOKED,
            starts_at__gt=now,
            starts_at__lte=now + lead,
            created_at__lte=F("starts_at") - lead,
            **{field: None},
        )
        if which == "24h":
            due = due.filter(starts_at__gt=now + REMINDERS["1h"])
        count = 0
        for appointment in due.select_related("application", "organisation", "officer").order_by("starts_at"):
            with transaction.atomic():
                claimed = Appointment.objects.filter(
                    pk=appointment.pk, state=Appointment.State.BOOKED, **{field: None}
                ).update(**{field: now})
                if claimed:
                    _notify(appointment=appointment, event=f"reminder_{which}")
                    count += 1
        sent[which] = count
    return sent


def _audit(
    *, appointment: Appointment, action: AuditAction, actor, request: HttpRequest | None, extra: dict | None = None
) -> None:
    basis = Basis.STAFF if actor.pk == appointment.officer_id else Basis.GRANTEE
    case_audit_record(
        action=action,
        application=appointment.application,
        actor=actor,
        basis=basis,
        request=request,
        extra={
            "appointment": appointment.pk,
            "officer": appointment.officer_id,
            "organisation": appointment.organisation_id,
            "organisation_en": appointment.organisation.name_en,
            "organisation_fr": appointment.organisation.name_fr,
            "starts_at": appointment.starts_at.isoformat(),
            "state": appointment.state,
            **(extra or {}),
        },
    )


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


def _wording(*, appointment: Appointment, event: str, zone: str) -> str:
    """What one side is told, in the active language."""
    values = {
        "number": appointment.application.number,
        "when": when_label(moment=appointment.starts_at, zone=zone),
        "minutes": appointment.length_minutes,
        "officer": officer_label(appointment.officer),
        "office": appointment.organisation.name,
        "topic": appointment.get_topic_display(),
        "reason": appointment.cancel_reason,
    }
    texts = {
        "booked": _(
            "Liaison appointment booked about application %(number)s: %(when)s, %(minutes)s minutes, "
            "between %(office)s and liaison officer %(officer)s. Topic: %(topic)s. "
            "The calendar file is on the appointment page."
        ),
        "moved": _(
            "Liaison appointment about application %(number)s moved to %(when)s, %(minutes)s minutes, "
            "between %(office)s and liaison officer %(officer)s. "
            "The new calendar file is on the appointment page."
        ),
        "cancelled": _(
            "Liaison appointment about application %(number)s on %(when)s, between %(office)s and "
            "liaison officer %(officer)s, is cancelled. Reason: %(reason)s"
        ),
        "no_show": _(
            "Liaison appointment about application %(number)s on %(when)s: the officer recorded that "
            "%(office)s did not attend."
        ),
        "reminder_24h": _(
            "Reminder: liaison appointment about application %(number)s tomorrow, %(when)s, "
            "between %(office)s and liaison officer %(officer)s."
        ),
        "reminder_1h": _(
            "Reminder: liaison appointment about application %(number)s in one hour, %(when)s, "
            "between %(office)s and liaison officer %(officer)s."
        ),
    }
    return texts[event] % values


def _both(*, appointment: Appointment, event: str, zone: str) -> tuple[str, str]:
    texts = []
    for language in ("en", "fr"):
        with translation.override(language):
            texts.append(_wording(appointment=appointment, event=event, zone=zone))
    return texts[0], texts[1]


def office_recipients(*, appointment: Appointment) -> list:
    """The office's active members who may still see the file (through the gate's recipient list)."""
    members = set(
        OrganisationMember.objects.filter(organisation_id=appointment.organisation_id, removed_at=None).values_list(
            "account_id", flat=True
        )
    )
    everyone = recipients_for(application_ids=[appointment.application_id], need=Need.STATUS)
    return [account for account in everyone.get(appointment.application_id, []) if account.pk in members]


def _notify(*, appointment: Appointment, event: str) -> None:
    """Tell both sides, each in its own time zone: the office's members about the file, the officer apart.

    The officer's message names no application row: the centre and delivery judge an
    application's messages by the client's grants, which a staff member does not hold.
    """
    path = f"liaison/appointments/{appointment.pk}/"
    key = f"liaison_appointment:{appointment.pk}:{event}"
    office_en, office_fr = _both(appointment=appointment, event=event, zone=appointment.office_time_zone)
    officer_en, officer_fr = _both(appointment=appointment, event=event, zone=appointment.officer_time_zone)
    messages = [
        OutboundMessage(
            recipient=account,
            kind=Kind.APPOINTMENT,
            dedupe_key=key,
            application_id=appointment.application_id,
            message_en=office_en,
            message_fr=office_fr,
            message_in_email=True,
            about_label=appointment.application.number,
            link_path=path,
        )
        for account in office_recipients(appointment=appointment)
    ]
    messages.append(
        OutboundMessage(
            recipient=appointment.officer,
            kind=Kind.APPOINTMENT,
            dedupe_key=key,
            message_en=officer_en,
            message_fr=officer_fr,
            message_in_email=True,
            about_label=appointment.application.number,
            link_path=path,
        )
    )
    outbox_write(messages=messages)


# Reads ---------------------------------------------------------------------------------------


def _office_grant_covers() -> Q:
    """Appointments whose office still holds a grant in force covering their (open) file."""
    grants = Grant.objects.filter(live_grants_q(), organisation_id=OuterRef("organisation_id"))
    return (
        Q(Exists(grants.filter(application=OuterRef("application_id"))))
        | Q(Exists(grants.filter(application__isnull=True, client=OuterRef("application__client_id"))))
    ) & ~Q(application__status=Application.Status.CLOSED)


def appointments_for_office(*, member) -> QuerySet[Appointment]:
    """The appointments of the member's parliamentary offices about files they may still see."""
    offices = parliamentary_memberships(member=member).values("organisation_id")
    return (
        Appointment.objects.filter(organisation_id__in=offices)
        .filter(visible_q(viewer=member, need=Need.STATUS, prefix="application__", include_staff=False))
        .filter(_office_grant_covers())
        .select_related("officer", "organisation", "application", "booked_by")
    )


def appointments_for_officer(*, officer) -> QuerySet[Appointment]:
    if not is_liaison_officer(officer):
        return Appointment.objects.none()
    return Appointment.objects.filter(officer=officer).select_related(
        "officer", "organisation", "application", "booked_by"
    )


def appointment_for_viewer(*, viewer, pk: int, request: HttpRequest | None = None) -> tuple[Appointment, str]:
    """The appointment and the viewer's side ("officer" or "office"), else Http404.

    Its officer sees it; a member of its office sees it only while the gate lets them
    see its file under that office's grant (the read is recorded by the gate).
    """
    appointment = (
        Appointment.objects.select_related("officer", "organisation", "application", "booked_by", "rescheduled_from")
        .filter(pk=pk)
        .first()
    )
    if appointment is None or viewer is None or not viewer.is_authenticated:
        raise Http404
    if appointment.officer_id == viewer.pk and is_liaison_officer(viewer):
        return appointment, "officer"
    if not parliamentary_memberships(member=viewer).filter(organisation_id=appointment.organisation_id).exists():
        raise Http404
    application = application_for_viewer(
        viewer=viewer, number=appointment.application.number, need=Need.STATUS, request=request
    )
    if application.viewer_basis != Basis.GRANTEE or not any(
        grant.organisation_id == appointment.organisation_id
        for grant in grants_for_viewer(viewer=viewer, application=application)
    ):
        raise Http404
    return appointment, "office"


def booked_hours_by_day(*, start: datetime.date, days: int, zone: str) -> list[dict]:
    """Per officer and day (in `zone`): appointments held or booked and their minutes, summed in SQL."""
    tz = zoneinfo.ZoneInfo(zone)
    first = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    last = datetime.datetime.combine(start + datetime.timedelta(days=days), datetime.time.min, tzinfo=tz)
    return list(
        Appointment.objects.filter(starts_at__gte=first, starts_at__lt=last)
        .exclude(state=Appointment.State.CANCELLED)
        .annotate(day=TruncDate("starts_at", tzinfo=tz))
        .values("day", "officer_id", "officer__email", "officer__first_name", "officer__last_name")
        .annotate(appointments=Count("pk"), minutes=Sum("length_minutes"))
        .order_by("day", "officer__last_name", "officer__email")
    )


def appointments_cancel_for_revoked_grant(*, grant: Grant, actor, request: HttpRequest | None = None) -> int:
    """Cancel the office's coming appointments about files it can no longer see once `grant` is revoked.

    An appointment stays when another grant in force still covers its file for that office.
    The officer is told; the office heard of the revocation itself. Returns how many were cancelled.
    """
    if grant.organisation_id is None:
        return 0
    files = (
        Q(application_id=grant.application_id) if grant.application_id else Q(application__client_id=grant.client_id)
    )
    still_covered = Grant.objects.filter(live_grants_q(), organisation_id=OuterRef("organisation_id")).filter(
        Q(application_id=OuterRef("application_id"))
        | Q(application__isnull=True, client_id=OuterRef("application__client_id"))
    )
    coming = (
        Appointment.objects.filter(files, organisation_id=grant.organisation_id, state=Appointment.State.BOOKED)
        .filter(starts_at__gt=timezone.now())
        .exclude(Exists(still_covered))
        .select_related("application", "organisation", "officer")
    )
    # Stored once for both sides, whatever their language, like a reason typed by a person: in both languages.
    reason = "The client withdrew their consent. / La personne cliente a retiré son consentement."
    cancelled = 0
    for appointment in coming.select_for_update(of=("self",)):
        Appointment.objects.filter(pk=appointment.pk).update(
            state=Appointment.State.CANCELLED, cancel_reason=reason, cancelled_by=actor, cancelled_at=timezone.now()
        )
        appointment.refresh_from_db()
        case_audit_record(
            action=AuditAction.APPOINTMENT_CHANGED,
            application=appointment.application,
            actor=actor,
            basis="client",
            request=request,
            extra={"appointment": appointment.pk, "change": "cancelled", "reason": "consent_withdrawn"},
        )
        _notify(appointment=appointment, event="cancelled")
        cancelled += 1
    return cancelled

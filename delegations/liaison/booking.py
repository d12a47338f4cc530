"""Booking, cancelling, moving and marking appointments, and cancelling those of a revoked grant."""

import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.access import (
    Basis,
    Need,
    application_for_viewer,
    applications_for_viewer,
    live_grants_q,
)
from applications.audit import case_audit_record
from applications.models import Application, Grant, Organisation, OrganisationMember
from core.models import AuditAction
from delegations.liaison.availability import busy_appointments, is_offered
from delegations.liaison.officers import (
    LiaisonRefused,
    SlotTaken,
    default_zone,
    is_liaison_officer,
    officer_zone,
    parliamentary_memberships,
    zone_valid,
)
from delegations.liaison.telling import appointment_audit, appointment_notify
from delegations.liaison_models import LENGTHS, Appointment


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
    if not is_offered(officer=officer, starts_at=starts_at, length=length):
        raise LiaisonRefused(_("The officer does not offer this time. Choose one of the times shown."))
    ends_at = starts_at + datetime.timedelta(minutes=length)
    if busy_appointments(officer_ids=[officer.pk], start=starts_at, end=ends_at).exists():
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
    office_zone = time_zone if time_zone and zone_valid(time_zone) else default_zone()
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
            officer_time_zone=officer_zone(officer=officer, starts_at=starts_at),
            rescheduled_from=None,
            now=now,
        )
        appointment_audit(appointment=appointment, action=AuditAction.APPOINTMENT_BOOKED, actor=member, request=request)
        appointment_notify(appointment=appointment, event="booked")
    return appointment


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
        appointment_audit(
            appointment=appointment,
            action=AuditAction.APPOINTMENT_CHANGED,
            actor=actor,
            request=request,
            extra={"change": event, "side": side, "reason": reason},
        )
        if event == "cancelled":
            appointment_notify(appointment=appointment, event="cancelled")
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
            officer_time_zone=officer_zone(officer=old.officer, starts_at=starts_at),
            rescheduled_from=old,
            now=now,
        )
        appointment_audit(
            appointment=new,
            action=AuditAction.APPOINTMENT_BOOKED,
            actor=actor,
            request=request,
            extra={"moved_from": old.pk},
        )
        appointment_notify(appointment=new, event="moved")
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
        appointment_audit(
            appointment=appointment,
            action=AuditAction.APPOINTMENT_CHANGED,
            actor=officer,
            request=request,
            extra={"change": state, "side": "officer"},
        )
        if state == Appointment.State.NO_SHOW:
            appointment_notify(appointment=appointment, event="no_show")
    return appointment


def appointment_mark_no_show(*, appointment: Appointment, officer, request: HttpRequest | None = None) -> Appointment:
    return appointment_mark(appointment=appointment, officer=officer, state=Appointment.State.NO_SHOW, request=request)


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
        appointment_notify(appointment=appointment, event="cancelled")
        cancelled += 1
    return cancelled

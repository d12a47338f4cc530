"""Reads of appointments for an office, for an officer and for one viewer; booked hours for the admin."""

import datetime
import zoneinfo

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import Http404, HttpRequest

from applications.access import (
    Basis,
    Need,
    application_for_viewer,
    grants_for_viewer,
    live_grants_q,
    visible_q,
)
from applications.models import Application, Grant
from delegations.liaison.officers import is_liaison_officer, parliamentary_memberships
from delegations.liaison_models import Appointment

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

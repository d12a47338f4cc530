"""Liaison pages (/en|fr/liaison/): offices book, see, cancel and move appointments; officers publish
availability, see their day or week, cancel, move and record no-shows.

Who gets in:
- office pages: a signed-in member of a verified parliamentary office, signed in with two-step
  verification (sent to set it up or enter a code otherwise); anyone else gets a 404;
- officer pages: an active staff account in the Liaison group, with two-step verification
  (portal.middleware.StaffSecondStepMiddleware sends staff to it first; a 403 here is the second lock);
- an appointment's page: its officer, or a member of its office while the office's grant covers the file.

Times are shown in the zone the viewer chose (kept in their session; the portal's zone until
they choose), always named beside them.
"""

import datetime
import zoneinfo
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.i18n import active_language
from core.second_step import has_second_step, signed_in_with_second_step
from delegations.ical import appointment_calendar
from delegations.liaison import (
    LiaisonRefused,
    Slot,
    appointment_book,
    appointment_cancel,
    appointment_for_viewer,
    appointment_mark,
    appointment_reschedule,
    appointments_for_office,
    appointments_for_officer,
    availability_publish,
    bookable_applications,
    is_liaison_officer,
    liaison_officers,
    officer_label,
    parliamentary_memberships,
    slots_open,
    when_label,
    zone_label,
    zone_valid,
)
from delegations.liaison_forms import (
    AvailabilityForm,
    BookForm,
    DayForm,
    ReasonForm,
    RescheduleForm,
    SlotSearchForm,
    ZoneForm,
    slot_parse,
    slot_value,
)
from delegations.liaison_models import Appointment, Availability

ZONE_SESSION_KEY = "liaison_time_zone"


def viewer_zone(request: HttpRequest) -> str:
    zone = request.session.get(ZONE_SESSION_KEY, "")
    return zone if zone and zone_valid(zone) else settings.TIME_ZONE


def _second_step_missing(request: HttpRequest) -> HttpResponse:
    """Send an office member without a second step in this session to set one up or enter a code."""
    if not has_second_step(request.user):
        messages.warning(request, _("Office accounts must use two-step verification. Set it up to continue."))
        return redirect("mfa_activate_totp")
    return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.get_full_path()})}")


def _entry(request: HttpRequest, *, officers: bool, members: bool) -> HttpResponse | None:
    """None to let the request in; else the answer for who is asking (see the module docstring)."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if officers and is_liaison_officer(user):
        if not signed_in_with_second_step(request):
            # StaffSecondStepMiddleware sends staff to their second step before any page; this is the second lock.
            raise PermissionDenied
        return None
    if members and parliamentary_memberships(member=user).exists():
        return None if signed_in_with_second_step(request) else _second_step_missing(request)
    raise Http404


def _door(*, officers: bool, members: bool) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            return _entry(request, officers=officers, members=members) or view(request, *args, **kwargs)

        return wrapper

    return decorator


member_required = _door(officers=False, members=True)
officer_required = _door(officers=True, members=False)
# Either side: which appointments each may open is decided by appointment_for_viewer.
either_side_required = _door(officers=True, members=True)


def _slot_label(slot: Slot, *, zone: str, officers: dict[int, str]) -> str:
    local = timezone.localtime(slot.starts_at, zoneinfo.ZoneInfo(zone))
    finish = timezone.localtime(slot.ends_at, zoneinfo.ZoneInfo(zone))
    return _("%(start)s to %(end)s, with %(officer)s") % {
        "start": formats.time_format(local, "TIME_FORMAT"),
        "end": formats.time_format(finish, "TIME_FORMAT"),
        "officer": officers.get(slot.officer_id, ""),
    }


def _day_bounds(day: datetime.date, zone: str, days: int = 1) -> tuple[datetime.datetime, datetime.datetime]:
    tz = zoneinfo.ZoneInfo(zone)
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    return start, datetime.datetime.combine(day + datetime.timedelta(days=days), datetime.time.min, tzinfo=tz)


@require_POST
def zone_choose(request: HttpRequest) -> HttpResponse:
    """Remember the zone the viewer reads times in, then go back to the page they were on."""
    form = ZoneForm(request.POST, prefix="zone")
    if form.is_valid():
        request.session[ZONE_SESSION_KEY] = form.cleaned_data["time_zone"]
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("liaison:office")
    return redirect(back)


def _context(request: HttpRequest, **extra) -> dict:
    zone = viewer_zone(request)
    return {
        "zone": zone,
        "zone_name": zone_label(zone),
        "zone_form": ZoneForm(prefix="zone", initial={"time_zone": zone}),
        "next_path": request.get_full_path(),
        **extra,
    }


def _rows(appointments, zone: str) -> list[dict]:
    return [
        {
            "appointment": appointment,
            "when": when_label(moment=appointment.starts_at, zone=zone),
            "officer": officer_label(appointment.officer),
        }
        for appointment in appointments
    ]


# Office side ---------------------------------------------------------------------------------


@member_required
@require_safe
def office(request: HttpRequest) -> HttpResponse:
    """My office's appointments: coming ones first, then the last month's."""
    zone = viewer_zone(request)
    now = timezone.now()
    appointments = appointments_for_office(member=request.user)
    upcoming = appointments.filter(ends_at__gte=now).order_by("starts_at")[:100]
    past = appointments.filter(ends_at__lt=now, starts_at__gte=now - datetime.timedelta(days=31)).order_by(
        "-starts_at"
    )[:100]
    return render(
        request,
        "delegations/liaison/office.html",
        _context(request, upcoming=_rows(upcoming, zone), past=_rows(past, zone)),
    )


@member_required
def book(request: HttpRequest) -> HttpResponse:
    """Choose the file, officer, day and length (GET), then a time, topic and note (POST books)."""
    zone = viewer_zone(request)
    numbers = list(bookable_applications(member=request.user).values_list("number", flat=True))
    officers = {officer.pk: officer_label(officer) for officer in liaison_officers()}
    source = request.GET if request.method == "GET" else request.POST
    search = SlotSearchForm(
        source if "application" in source else None,
        numbers=numbers,
        officers=list(officers.items()),
        initial={"day": timezone.localdate(timezone=zoneinfo.ZoneInfo(zone)) + datetime.timedelta(days=1)},
    )
    slots: list[Slot] = []
    form = None
    status = 200
    if search.is_bound:
        if search.is_valid():
            data = search.cleaned_data
            start, end = _day_bounds(data["day"], zone)
            officer = next((o for o in liaison_officers() if str(o.pk) == data["officer"]), None)
            slots = slots_open(start=start, end=end, length=int(data["length"]), officer=officer)
            choices = [(slot_value(slot), _slot_label(slot, zone=zone, officers=officers)) for slot in slots]
            form = BookForm(request.POST if request.method == "POST" else None, slot_choices=choices)
        else:
            status = 400
    if request.method == "POST":
        if form is None:
            return render(
                request,
                "delegations/liaison/book.html",
                _context(request, search=search, form=None, numbers=numbers),
                status=400,
            )
        if form.is_valid():
            parsed = slot_parse(form.cleaned_data["slot"])
            officer = next((o for o in liaison_officers() if parsed and o.pk == parsed[0]), None)
            if parsed is None or officer is None:
                form.add_error("slot", _("Choose one of the times shown."))
            else:
                try:
                    appointment = appointment_book(
                        member=request.user,
                        number=search.cleaned_data["application"],
                        officer=officer,
                        starts_at=parsed[1],
                        length=int(search.cleaned_data["length"]),
                        topic=form.cleaned_data["topic"],
                        note=form.cleaned_data["note"],
                        time_zone=zone,
                        request=request,
                    )
                except LiaisonRefused as error:
                    form.add_error("slot", str(error))
                else:
                    messages.success(request, _("Your appointment is booked. Both sides were told."))
                    return redirect("liaison:detail", pk=appointment.pk)
        status = 400
    context = _context(request, search=search, form=form, slots=slots, numbers=numbers)
    return render(request, "delegations/liaison/book.html", context, status=status)


# Either side ---------------------------------------------------------------------------------


def _moves(appointment: Appointment, day: datetime.date, zone: str) -> list[tuple[str, str]]:
    start, end = _day_bounds(day, zone)
    slots = slots_open(
        start=start,
        end=end,
        length=appointment.length_minutes,
        officer=appointment.officer,
        ignore_appointment=appointment,
    )
    officers = {appointment.officer_id: officer_label(appointment.officer)}
    # Its own time is free of itself, but moving there changes nothing: not offered.
    return [
        (slot_value(slot), _slot_label(slot, zone=zone, officers=officers))
        for slot in slots
        if slot.starts_at != appointment.starts_at
    ]


def _detail_page(
    request: HttpRequest, appointment: Appointment, side: str, *, bound: dict | None = None, status: int = 200
) -> HttpResponse:
    zone = viewer_zone(request)
    day_form = DayForm(request.GET or None)
    day, _days = day_form.period(zone=zoneinfo.ZoneInfo(zone))
    if not request.GET.get("day"):
        day = timezone.localtime(appointment.starts_at, zoneinfo.ZoneInfo(zone)).date()
    can_change = appointment.is_booked and appointment.ends_at > timezone.now()
    forms = {
        "cancel_form": ReasonForm(prefix="cancel"),
        "move_form": RescheduleForm(prefix="move", slot_choices=_moves(appointment, day, zone) if can_change else []),
    }
    forms.update(bound or {})
    context = _context(
        request,
        appointment=appointment,
        side=side,
        when=when_label(moment=appointment.starts_at, zone=zone),
        officer=officer_label(appointment.officer),
        can_change=can_change,
        can_mark=side == "officer" and appointment.is_booked and appointment.starts_at <= timezone.now(),
        move_day=day,
        error_form=next(iter(bound.values())) if bound else None,
        **forms,
    )
    return render(request, "delegations/liaison/detail.html", context, status=status)


@either_side_required
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment, side = appointment_for_viewer(viewer=request.user, pk=pk, request=request)
    return _detail_page(request, appointment, side)


@either_side_required
@require_safe
def calendar(request: HttpRequest, pk: int) -> HttpResponse:
    appointment, _side = appointment_for_viewer(viewer=request.user, pk=pk, request=request)
    body = appointment_calendar(
        appointment=appointment, attendee_email=str(getattr(request.user, "email", "")), language=active_language()
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="liaison-appointment-{appointment.pk}.ics"'
    return response


@either_side_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    appointment, side = appointment_for_viewer(viewer=request.user, pk=pk, request=request)
    form = ReasonForm(request.POST, prefix="cancel")
    if not form.is_valid():
        return _detail_page(request, appointment, side, bound={"cancel_form": form}, status=400)
    try:
        appointment_cancel(
            appointment=appointment, actor=request.user, reason=form.cleaned_data["reason"], request=request
        )
    except LiaisonRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The appointment is cancelled. Both sides were told."))
    return redirect("liaison:detail", pk=appointment.pk)


@either_side_required
@require_POST
def reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    appointment, side = appointment_for_viewer(viewer=request.user, pk=pk, request=request)
    zone = viewer_zone(request)
    day_form = DayForm(request.POST)
    day, _days = day_form.period(zone=zoneinfo.ZoneInfo(zone))
    form = RescheduleForm(request.POST, prefix="move", slot_choices=_moves(appointment, day, zone))
    if form.is_valid():
        parsed = slot_parse(form.cleaned_data["slot"])
        if parsed is None or parsed[0] != appointment.officer_id:
            form.add_error("slot", _("Choose one of the times shown."))
        else:
            try:
                moved = appointment_reschedule(
                    appointment=appointment,
                    actor=request.user,
                    starts_at=parsed[1],
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except LiaisonRefused as error:
                form.add_error("slot", str(error))
            else:
                messages.success(request, _("The appointment is moved. Both sides were told."))
                return redirect("liaison:detail", pk=moved.pk)
    return _detail_page(request, appointment, side, bound={"move_form": form}, status=400)


# Officer side --------------------------------------------------------------------------------


@officer_required
@require_POST
def mark(request: HttpRequest, pk: int) -> HttpResponse:
    appointment, _side = appointment_for_viewer(viewer=request.user, pk=pk, request=request)
    state = request.POST.get("state", "")
    try:
        appointment_mark(appointment=appointment, officer=request.user, state=state, request=request)
    except LiaisonRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Recorded."))
    return redirect("liaison:detail", pk=appointment.pk)


@officer_required
@require_safe
def officer_day(request: HttpRequest) -> HttpResponse:
    """The officer's appointments for a day or the week from it, in their chosen zone."""
    zone = viewer_zone(request)
    form = DayForm(request.GET or None, initial={"span": "week"})
    day, days = form.period(zone=zoneinfo.ZoneInfo(zone))
    start, end = _day_bounds(day, zone, days)
    appointments = (
        appointments_for_officer(officer=request.user)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at")
    )
    context = _context(
        request,
        form=form,
        day=day,
        days=days,
        rows=_rows(appointments, zone),
        previous_day=day - datetime.timedelta(days=days),
        next_day=day + datetime.timedelta(days=days),
        span="week" if days == 7 else "day",
    )
    return render(
        request,
        "delegations/liaison/officer_day.html",
        context,
        status=200 if form.is_valid() or not form.is_bound else 400,
    )


@officer_required
def availability(request: HttpRequest) -> HttpResponse:
    """Publish a range of time, and see the ranges to come."""
    zone = viewer_zone(request)
    form = AvailabilityForm(request.POST or None, initial={"time_zone": zone, "lengths": ["30"]})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                availability_publish(
                    officer=request.user,
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    lengths=[int(length) for length in data["lengths"]],
                    time_zone=data["time_zone"],
                )
            except LiaisonRefused as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Your availability is published."))
                return redirect("liaison:availability")
        status = 400
    ranges = Availability.objects.filter(officer_id=request.user.pk, ends_at__gte=timezone.now()).order_by("starts_at")[
        :100
    ]
    rows = [
        {
            "from": when_label(moment=item.starts_at, zone=zone),
            "until": formats.time_format(timezone.localtime(item.ends_at, zoneinfo.ZoneInfo(zone)), "TIME_FORMAT"),
            "lengths": item.lengths,
        }
        for item in ranges
    ]
    return render(
        request, "delegations/liaison/availability.html", _context(request, form=form, rows=rows), status=status
    )

"""Admin of liaison appointments: the list by day and officer, and a day page with each officer's
appointments and the booked hours per day (summed in SQL).

Appointments change only through delegations.liaison (audited, both sides told), so here they are
read-only; availability can be corrected or removed.
"""

import datetime
import zoneinfo
from itertools import groupby

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from delegations.liaison import booked_hours_by_day, officer_label
from delegations.liaison_forms import DayForm
from delegations.liaison_models import Appointment, Availability

DAY_PAGE_WEEK = 7


@admin.register(Availability)
class AvailabilityAdmin(admin.ModelAdmin):
    list_display = ["officer", "starts_at", "ends_at", "time_zone", "takes_15", "takes_30", "takes_45", "takes_60"]
    list_filter = [("officer", admin.RelatedOnlyFieldListFilter), ("starts_at", admin.DateFieldListFilter)]
    list_select_related = ["officer"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["officer"]


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ["starts_at", "length_minutes", "officer", "organisation", "application", "topic", "state"]
    list_filter = [
        ("starts_at", admin.DateFieldListFilter),
        ("officer", admin.RelatedOnlyFieldListFilter),
        "state",
        "topic",
    ]
    list_select_related = ["officer", "organisation", "application"]
    date_hierarchy = "starts_at"
    search_fields = ["application__number", "organisation__name_en", "organisation__name_fr", "officer__email"]
    ordering = ["starts_at"]

    def get_urls(self):
        return [
            path("day/", self.admin_site.admin_view(self.day_view), name="delegations_appointment_day"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "day_url": reverse("admin:delegations_appointment_day")}
        return super().changelist_view(request, extra_context=extra_context)

    def day_view(self, request):
        """One day's appointments per officer, and the booked hours of each officer for the week from it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        form = DayForm(request.GET or None)
        day, _days = form.period(zone=zone)
        start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
        appointments = (
            Appointment.objects.filter(starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=1))
            .select_related("officer", "organisation", "application")
            .order_by("officer__last_name", "officer__email", "officer_id", "starts_at")
        )
        officers = [
            {
                "name": officer_label(rows[0].officer),
                "rows": [
                    {
                        "appointment": row,
                        "starts": timezone.localtime(row.starts_at, zone),
                        "url": reverse("admin:delegations_appointment_change", args=[row.pk]),
                    }
                    for row in rows
                ],
            }
            for rows in (list(group) for _officer, group in groupby(appointments, key=lambda row: row.officer_id))
        ]
        hours = [
            {
                **row,
                "officer": f"{row['officer__first_name']} {row['officer__last_name']}".strip() or row["officer__email"],
                "hours": round(row["minutes"] / 60, 2),
            }
            for row in booked_hours_by_day(start=day, days=DAY_PAGE_WEEK, zone=settings.TIME_ZONE)
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Liaison appointments of %(day)s") % {"day": day.isoformat()},
            "form": form,
            "day": day,
            "previous_day": day - datetime.timedelta(days=1),
            "next_day": day + datetime.timedelta(days=1),
            "officers": officers,
            "hours": hours,
        }
        return TemplateResponse(request, "admin/delegations/appointment_day.html", context)

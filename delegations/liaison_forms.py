"""Forms of the liaison pages: publishing availability, finding and booking a time, cancelling and moving."""

import datetime
import zoneinfo
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from delegations.liaison import ZONES, Slot
from delegations.liaison_models import LENGTHS, Appointment

DATE_HELP = _("Year, month and day, for example 2027-03-12.")
DATE_ERRORS = {"invalid": _("Enter the date as year, month and day, for example 2027-03-12.")}
TIME_ERRORS = {"invalid": _("Enter the time as hours and minutes on the 24-hour clock, for example 14:30.")}
LENGTH_CHOICES = [(str(minutes), _("%(minutes)s minutes") % {"minutes": minutes}) for minutes in LENGTHS]


def _date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=["%Y-%m-%d"],
        help_text=DATE_HELP,
        error_messages=DATE_ERRORS,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"inputmode": "numeric"}),
        **kwargs,
    )


def _time_field(label) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        input_formats=["%H:%M"],
        help_text=_("24-hour clock, for example 14:30."),
        error_messages=TIME_ERRORS,
        widget=forms.TimeInput(format="%H:%M", attrs={"inputmode": "numeric"}),
    )


def slot_value(slot: Slot) -> str:
    return f"{slot.officer_id}|{slot.starts_at.astimezone(datetime.UTC).isoformat()}"


def slot_parse(value: str) -> tuple[int, datetime.datetime] | None:
    officer, _sep, starts = value.partition("|")
    try:
        moment = datetime.datetime.fromisoformat(starts)
        officer_id = int(officer)
    except ValueError:
        return None
    return (officer_id, moment) if moment.tzinfo else None


class ZoneForm(forms.Form):
    time_zone = forms.ChoiceField(label=_("Show times in"), choices=ZONES)


class AvailabilityForm(forms.Form):
    """A dated range in the officer's zone, and the lengths taken in it."""

    day = _date_field(_("Day"))
    start = _time_field(_("From"))
    end = _time_field(_("Until"))
    lengths = forms.MultipleChoiceField(
        label=_("Appointment lengths you take"),
        choices=LENGTH_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one appointment length.")},
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=ZONES)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        zone = zoneinfo.ZoneInfo(data["time_zone"])
        data["starts_at"] = datetime.datetime.combine(data["day"], data["start"], tzinfo=zone)
        data["ends_at"] = datetime.datetime.combine(data["day"], data["end"], tzinfo=zone)
        if data["ends_at"] <= data["starts_at"]:
            self.add_error("end", _("The end must come after the start."))
        return data


class SlotSearchForm(forms.Form):
    """Which file, which officer (or any), which day and how long: read from the query string."""

    application = forms.ChoiceField(label=_("Application"))
    officer = forms.ChoiceField(label=_("Liaison officer"), required=False)
    day = _date_field(_("Day"))
    length = forms.ChoiceField(label=_("Length"), choices=LENGTH_CHOICES, initial="30")

    def __init__(self, *args, numbers: list[str], officers: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["application"]).choices = [(number, number) for number in numbers]
        cast(forms.ChoiceField, self.fields["officer"]).choices = [
            ("", _("Any officer")),
            *((str(pk), name) for pk, name in officers),
        ]


class BookForm(forms.Form):
    """The chosen time, the topic and a short note."""

    slot = forms.ChoiceField(
        label=_("Time"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a time."), "invalid_choice": _("Choose one of the times shown.")},
    )
    topic = forms.ChoiceField(label=_("Topic"), choices=Appointment.Topic.choices)
    note = forms.CharField(
        label=_("Note for the officer"),
        required=False,
        max_length=500,
        help_text=_("Optional, 500 characters at most. Do not write health or other sensitive details."),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 500}),
    )

    def __init__(self, *args, slot_choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["slot"]).choices = slot_choices


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
        error_messages={"required": _("Give a reason.")},
    )


class RescheduleForm(ReasonForm):
    slot = forms.ChoiceField(
        label=_("New time"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a time."), "invalid_choice": _("Choose one of the times shown.")},
    )

    def __init__(self, *args, slot_choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["slot"]).choices = slot_choices


class DayForm(forms.Form):
    day = _date_field(_("Day"), required=False)
    span = forms.ChoiceField(
        label=_("Show"), choices=[("day", _("The day")), ("week", _("The week from that day"))], required=False
    )

    def period(self, *, zone: zoneinfo.ZoneInfo) -> tuple[datetime.date, int]:
        data = self.cleaned_data if self.is_valid() else {}
        day = data.get("day") or timezone.localdate(timezone=zone)
        # Without a choice, what the page set as its initial span (the officer's page: the week ahead).
        span = data.get("span") or self.initial.get("span", "day")
        return day, 7 if span == "week" else 1

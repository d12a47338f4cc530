"""The JSON shape of one upstream event (DRF), checked the same way for the API and the admin CSV import."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from applications.access import normalize_application_number
from applications.models import Application
from status_tracker.events import (
    EARLIEST_EVENT,
    FUTURE_TOLERANCE,
    MAX_GROUNDS,
    MAX_MESSAGE_LENGTH,
    MAX_NOTES_LENGTH,
    RFC3339_OFFSET,
    EventIn,
    kind_rule_errors,
)
from status_tracker.models import EventKind, StageState


class RFC3339DateTimeField(serializers.DateTimeField):
    """A date-time that must carry its offset: a bare local time is ambiguous across time zones."""

    default_error_messages = {
        "offset": _(
            "Give the time with its offset from UTC, for example 2026-03-01T14:30:00Z or 2026-03-01T09:30:00-05:00."
        ),
    }

    def to_internal_value(self, value):
        if isinstance(value, str):
            value = value.strip()
            if not RFC3339_OFFSET.search(value):
                self.fail("offset")
            # RFC 3339 allows a lower-case "t" and "z"; Python's parser wants upper case.
            value = value.upper()
        return super().to_internal_value(value)


class MessageSerializer(serializers.Serializer):
    en = serializers.CharField(max_length=MAX_MESSAGE_LENGTH, trim_whitespace=True)
    fr = serializers.CharField(max_length=MAX_MESSAGE_LENGTH, trim_whitespace=True)


class EventInputSerializer(serializers.Serializer):
    """One event as upstream sends it. `validate` enforces what each kind needs."""

    event_id = serializers.RegexField(
        r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}$",
        max_length=64,
        help_text=_("Unique id of the event in the upstream system (letters, digits, . _ : -; at most 64)."),
        error_messages={"invalid": _("Use at most 64 letters, digits, dots, underscores, colons or hyphens.")},
    )
    application_number = serializers.CharField(max_length=20)
    occurred_at = RFC3339DateTimeField(help_text=_("When it happened upstream, RFC 3339 with an offset."))
    kind = serializers.ChoiceField(choices=EventKind.choices)
    stage = serializers.SlugField(max_length=40, required=False, allow_blank=True)
    state = serializers.ChoiceField(choices=StageState.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(
        choices=[Application.Status.RECEIVED, Application.Status.IN_PROGRESS], required=False, allow_blank=True
    )
    outcome = serializers.ChoiceField(choices=Application.Outcome.choices, required=False, allow_blank=True)
    grounds = serializers.ListField(
        child=serializers.SlugField(max_length=60), required=False, max_length=MAX_GROUNDS, default=list
    )
    notes = serializers.CharField(
        max_length=MAX_NOTES_LENGTH,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text=_("The officer's notes as released to the client, redactions included."),
    )
    notes_language = serializers.ChoiceField(
        choices=[("en", "en"), ("fr", "fr")],
        required=False,
        allow_blank=True,
        help_text=_("The language the notes are written in: en or fr. Without it, the client's preferred language."),
    )
    made_in_canada = serializers.BooleanField(required=False, allow_null=True, default=None)
    message = MessageSerializer(
        required=False,
        allow_null=True,
        help_text=_("Optional wording for the client in both languages; otherwise the portal's own is used."),
    )
    visible_to_client = serializers.BooleanField(
        required=False,
        default=True,
        help_text=_(
            "Whether the client sees this event. For a decision: false = decided but not yet released "
            "to the client (the file is closed, but the client sees nothing of the decision); send the "
            "decision again with true to release it."
        ),
    )

    def validate_occurred_at(self, value: datetime.datetime) -> datetime.datetime:
        if value > timezone.now() + FUTURE_TOLERANCE:
            raise serializers.ValidationError(_("This time is in the future."))
        if value < EARLIEST_EVENT:
            raise serializers.ValidationError(_("This time is before the year 2000."))
        return value

    def validate(self, attrs: dict) -> dict:
        errors = kind_rule_errors(attrs)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def to_event(self) -> EventIn:
        data = self.validated_data
        message = data.get("message") or {}
        return EventIn(
            event_id=data["event_id"],
            application_number=normalize_application_number(data["application_number"]),
            occurred_at=data["occurred_at"],
            kind=data["kind"],
            stage=data.get("stage") or "",
            state=data.get("state") or "",
            status=data.get("status") or "",
            outcome=data.get("outcome") or "",
            grounds=tuple(dict.fromkeys(data.get("grounds") or [])),
            notes=data.get("notes") or "",
            notes_language=data.get("notes_language") or "",
            made_in_canada=data.get("made_in_canada"),
            message_en=message.get("en", ""),
            message_fr=message.get("fr", ""),
            visible_to_client=data.get("visible_to_client", True),
        )

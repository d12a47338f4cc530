"""An iCalendar file (RFC 5545, with the iTIP method of RFC 5546) for one liaison appointment.

A booked appointment is a REQUEST, a cancelled or moved one a CANCEL with a higher
sequence, both with the same UID so a calendar replaces or removes the event it holds.
Times are written in UTC; each calendar shows them in its owner's zone.
"""

import datetime
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from delegations.liaison_models import Appointment

LINE_OCTETS = 75


def _utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and line breaks."""
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 character (continuations start with a space)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= LINE_OCTETS:
        return line
    parts: list[str] = []
    current = ""
    limit = LINE_OCTETS
    for character in line:
        if len((current + character).encode("utf-8")) > limit:
            parts.append(current)
            current = ""
            limit = LINE_OCTETS - 1  # the leading space of a continuation counts
        current += character
    parts.append(current)
    return "\r\n ".join(parts)


def appointment_uid(appointment: Appointment) -> str:
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "portal"
    return f"liaison-appointment-{appointment.pk}@{host}"


def appointment_calendar(*, appointment: Appointment, attendee_email: str, language: str) -> str:
    """The .ics text for `appointment`, addressed to the person downloading it, in `language`."""
    cancelled = appointment.state == Appointment.State.CANCELLED
    organiser = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "no-reply@portal.example"
    with translation.override(language):
        summary = _("Liaison appointment about application %(number)s") % {"number": appointment.application.number}
        description = _("Topic: %(topic)s. Office: %(office)s.") % {
            "topic": appointment.get_topic_display(),
            "office": appointment.organisation.name,
        }
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Immigration and Citizenship//Case status portal//EN",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if cancelled else 'REQUEST'}",
        "BEGIN:VEVENT",
        f"UID:{appointment_uid(appointment)}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(appointment.starts_at)}",
        f"DTEND:{_utc(appointment.ends_at)}",
        f"SEQUENCE:{1 if cancelled else 0}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        f"SUMMARY:{_text(summary)}",
        f"DESCRIPTION:{_text(description)}",
        f"ORGANIZER:mailto:{organiser}",
        f"ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:{attendee_email}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_fold(line) + "\r\n" for line in lines)

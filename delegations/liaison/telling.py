"""What each change to an appointment writes to the audit and tells both sides; the reminders."""

import datetime

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applications.access import (
    Basis,
    Need,
    recipients_for,
)
from applications.audit import case_audit_record
from applications.models import OrganisationMember
from core.models import AuditAction
from delegations.liaison.officers import officer_label, when_label
from delegations.liaison_models import Appointment
from notifications.models import Kind
from notifications.outbox import OutboundMessage, outbox_write

REMINDERS = {"24h": datetime.timedelta(hours=24), "1h": datetime.timedelta(hours=1)}


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
                    appointment_notify(appointment=appointment, event=f"reminder_{which}")
                    count += 1
        sent[which] = count
    return sent


def appointment_audit(
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


def appointment_notify(*, appointment: Appointment, event: str) -> None:
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

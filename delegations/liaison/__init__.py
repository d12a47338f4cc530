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

The package's modules, from the bottom up: `officers` (people, zones and labels),
`availability` (published ranges and open slots), `telling` (audit, notifications,
reminders), `reads` and `booking` (every change). Callers import from the package.
"""

from delegations.liaison.availability import availability_publish, slots_open
from delegations.liaison.booking import (
    application_for_booking,
    appointment_book,
    appointment_cancel,
    appointment_mark,
    appointment_mark_no_show,
    appointment_reschedule,
    appointments_cancel_for_revoked_grant,
    bookable_applications,
)
from delegations.liaison.officers import (
    GRID,
    MAX_AVAILABILITY,
    MAX_SLOT_WINDOW,
    ZONES,
    LiaisonRefused,
    Slot,
    SlotTaken,
    is_liaison_officer,
    liaison_officers,
    officer_label,
    parliamentary_memberships,
    when_label,
    zone_label,
    zone_valid,
)
from delegations.liaison.reads import (
    appointment_for_viewer,
    appointments_for_office,
    appointments_for_officer,
    booked_hours_by_day,
)
from delegations.liaison.telling import REMINDERS, appointment_reminders_send, office_recipients

__all__ = [
    "GRID",
    "LiaisonRefused",
    "MAX_AVAILABILITY",
    "MAX_SLOT_WINDOW",
    "REMINDERS",
    "Slot",
    "SlotTaken",
    "ZONES",
    "application_for_booking",
    "appointment_book",
    "appointment_cancel",
    "appointment_for_viewer",
    "appointment_mark",
    "appointment_mark_no_show",
    "appointment_reminders_send",
    "appointment_reschedule",
    "appointments_cancel_for_revoked_grant",
    "appointments_for_office",
    "appointments_for_officer",
    "availability_publish",
    "bookable_applications",
    "booked_hours_by_day",
    "is_liaison_officer",
    "liaison_officers",
    "office_recipients",
    "officer_label",
    "parliamentary_memberships",
    "slots_open",
    "when_label",
    "zone_label",
    "zone_valid",
]

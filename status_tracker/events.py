"""One upstream event as data, and the rules each kind must follow, wherever it comes from (no DRF here)."""

import datetime
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from applications.models import Application
from status_tracker.models import EventKind, StageState

# Clocks drift; an event stamped a little ahead of ours is accepted, further is a mistake.
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)
EARLIEST_EVENT = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
RFC3339_OFFSET = re.compile(r"(Z|z|[+-]\d{2}:?\d{2})$")
MAX_MESSAGE_LENGTH = 2000
MAX_NOTES_LENGTH = 20000
MAX_GROUNDS = 20


@dataclass(frozen=True)
class EventIn:
    """One validated upstream event, before the database has been consulted."""

    event_id: str
    application_number: str
    occurred_at: datetime.datetime
    kind: str
    stage: str = ""
    state: str = ""
    status: str = ""
    outcome: str = ""
    grounds: tuple[str, ...] = field(default_factory=tuple)
    notes: str = ""
    notes_language: str = ""  # "en" or "fr" when upstream says; else the client's language
    made_in_canada: bool | None = None
    message_en: str = ""
    message_fr: str = ""
    visible_to_client: bool = True


def kind_rule_errors(attrs: dict) -> dict[str, str]:
    """What is wrong with an event's fields for its kind, by field name; may set the implied state.

    An action_required event always means waiting_on_client, so its `state` is filled in.
    """
    kind = attrs["kind"]
    errors: dict[str, str] = {}

    def forbid(*names: str) -> None:
        for name in names:
            if attrs.get(name):
                errors[name] = _("Leave this out for a %(kind)s event.") % {"kind": kind}

    def require(*names: str) -> None:
        for name in names:
            if not attrs.get(name):
                errors[name] = _("A %(kind)s event needs this field.") % {"kind": kind}

    if kind == EventKind.STAGE:
        require("stage", "state")
        forbid("status", "outcome", "grounds", "notes")
    elif kind == EventKind.ACTION_REQUIRED:
        require("stage")
        forbid("status", "outcome", "grounds", "notes")
        if attrs.get("state") and attrs["state"] != StageState.WAITING_ON_CLIENT:
            errors["state"] = _("An action_required event always puts the stage in waiting_on_client.")
        attrs["state"] = StageState.WAITING_ON_CLIENT
    elif kind == EventKind.STATUS:
        require("status")
        forbid("stage", "state", "outcome", "grounds", "notes")
    elif kind == EventKind.DECISION:
        require("outcome")
        forbid("stage", "state", "status")
        if attrs.get("grounds") and attrs.get("outcome") != Application.Outcome.REFUSED:
            errors["grounds"] = _("Refusal grounds apply only to a refused application.")
    elif kind == EventKind.NOTE:
        forbid("state", "status", "outcome", "grounds", "notes")
        if not attrs.get("message"):
            errors["message"] = _("A note event needs a message in English and French.")
    return errors

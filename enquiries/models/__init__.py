"""Client Support Centre enquiries: topics (each a queue with its own service standard),
tickets and their messages, the record of every change, documents, saved replies,
crisis channels, satisfaction answers and the monthly service figures.

A ticket's service clock counts business days in the office's time zone (see
enquiries/clock.py): `clock_started_on` is the first business day it counts,
`paused_business_days` the days already spent waiting on the client, and
`paused_since` is set while the clock is stopped. `due_on` is derived from those and
rewritten whenever one of them changes, so the queue can sort and filter on it.

One module per part: `topics`, `tickets`, `documents` and `service`; everything is
imported from `enquiries.models`, as Django and the rest of the portal expect.
"""

from enquiries.models.documents import Document, document_path
from enquiries.models.service import Deflection, SavedReply, ServiceSnapshot, SurveyResponse
from enquiries.models.tickets import (
    ACTIVE_STATES,
    FINAL_STATES,
    OPEN_TO_CLIENT_STATES,
    Ticket,
    TicketChange,
    TicketMessage,
    TicketState,
)
from enquiries.models.topics import CrisisChannel, Topic

__all__ = [
    "ACTIVE_STATES",
    "CrisisChannel",
    "Deflection",
    "Document",
    "FINAL_STATES",
    "OPEN_TO_CLIENT_STATES",
    "SavedReply",
    "ServiceSnapshot",
    "SurveyResponse",
    "Ticket",
    "TicketChange",
    "TicketMessage",
    "TicketState",
    "Topic",
    "document_path",
]

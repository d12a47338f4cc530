"""The satisfaction survey: one answer per ticket, reached by a signed link that needs no sign-in.

The link carries the ticket's id and reference, signed and timestamped; it works for
SURVEY_MAX_AGE_SECONDS. Only answered or closed tickets can be rated. The rating is
recorded at once; a rating of 1 or 2 then asks why (a short list and words), which is
added to the same answer once. Everything here is safe against double submission and two
requests at once: the database keeps one answer per ticket.
"""

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from enquiries.models import SurveyResponse, Ticket, TicketState

SURVEY_SALT = "enquiries.survey"
# The link in an answer's email keeps working for 60 days.
SURVEY_MAX_AGE_SECONDS = 60 * 24 * 3600
COMMENT_MAX_CHARS = 2000
# Only answers to these can be rated (a reopened ticket waits for its next answer).
RATEABLE_STATES = (TicketState.ANSWERED, TicketState.CLOSED)
# Ratings at or below this ask why.
ASK_WHY_AT_MOST = 2
# Why a client was dissatisfied: codes stored in SurveyResponse.reasons, and what the form says.
REASONS = [
    ("not_answered", _("The answer did not answer my question")),
    ("too_long", _("It took too long")),
    ("hard_to_understand", _("It was hard to understand")),
    ("asked_again", _("I had to ask again")),
    ("other", _("Something else")),
]
REASON_CODES = [code for code, _label in REASONS]


class SurveyNotOpen(Exception):
    """The ticket cannot be rated now (it has not been answered, or was reopened)."""


def survey_token(*, ticket: Ticket) -> str:
    return signing.dumps({"ticket": ticket.pk, "ref": ticket.reference}, salt=SURVEY_SALT, compress=True)


def _token_data(token: str) -> dict:
    data = signing.loads(token, salt=SURVEY_SALT, max_age=SURVEY_MAX_AGE_SECONDS)
    if not isinstance(data, dict) or not isinstance(data.get("ticket"), int):
        raise signing.BadSignature("unexpected survey token")
    return data


def survey_ticket_id(*, token: str) -> int:
    """The ticket id in a valid token; raises signing.BadSignature (or SignatureExpired) otherwise."""
    return _token_data(token)["ticket"]


def survey_ticket(*, token: str) -> Ticket | None:
    """The ticket a valid, unexpired token names (with its answer, if any), else None.

    Never raises on junk: anything that is not a token we signed is simply no ticket.
    """
    try:
        data = _token_data(token)
    except (signing.BadSignature, ValueError, TypeError):  # ValueError covers undecodable text
        return None
    ticket = Ticket.objects.select_related("survey").filter(pk=data["ticket"]).first()
    if ticket is None or ticket.reference != data.get("ref"):
        return None
    return ticket


def survey_path(*, ticket: Ticket) -> str:
    """The survey page's path below the language prefix, for Notification.link_path."""
    return f"survey/{survey_token(ticket=ticket)}/"


def survey_answer(*, ticket: Ticket) -> SurveyResponse | None:
    """The ticket's answer, if it has one (no query when the ticket was read with select_related("survey"))."""
    try:
        return ticket.survey
    except SurveyResponse.DoesNotExist:
        return None


def survey_asks_why(*, response: SurveyResponse) -> bool:
    """Whether the answer still waits for the reasons of a low rating."""
    return response.rating <= ASK_WHY_AT_MOST and not response.reasons


def _clean_reasons(reasons) -> list[str]:
    chosen = set(reasons or [])
    unknown = chosen - set(REASON_CODES)
    if unknown:
        raise ValueError(f"unknown reasons: {sorted(unknown)}")
    return [code for code in REASON_CODES if code in chosen]


def survey_record(
    *, ticket: Ticket, rating: int, reasons: list[str] | None = None, comment: str = ""
) -> tuple[SurveyResponse, bool]:
    """Record the ticket's one answer; return it and whether it is new.

    A second answer (a double click, a second tab, a second request racing the first) gets
    the first one back, unchanged, with False. Reasons are kept only for ratings that ask
    why. Raises SurveyNotOpen for a ticket that is not answered or closed, and ValueError
    for a rating outside 1–5, an unknown reason or a comment over COMMENT_MAX_CHARS.
    """
    if ticket.state not in RATEABLE_STATES:
        raise SurveyNotOpen(ticket.state)
    if rating not in SurveyResponse.Rating.values:
        raise ValueError(f"rating out of range: {rating!r}")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_CHARS:
        raise ValueError("comment too long")
    reasons = _clean_reasons(reasons) if rating <= ASK_WHY_AT_MOST else []
    # get_or_create catches the unique constraint's error when another request won the race.
    return SurveyResponse.objects.get_or_create(
        ticket=ticket, defaults={"rating": rating, "reasons": reasons, "comment": comment}
    )


def survey_reasons_add(*, response: SurveyResponse, reasons: list[str], details: str = "") -> bool:
    """Add why a low rating was given, once; return whether anything was added.

    `details` (words) are kept only when the answer has no comment yet, so the comment
    stays one text within its limit. Words without a reason ticked count as "other".
    """
    reasons = _clean_reasons(reasons)
    details = (details or "").strip()
    if len(details) > COMMENT_MAX_CHARS:
        raise ValueError("details too long")
    with transaction.atomic():
        locked = SurveyResponse.objects.select_for_update().get(pk=response.pk)
        if not survey_asks_why(response=locked):
            return False
        if details and locked.comment:
            details = ""
        if not reasons and not details:
            return False
        locked.reasons = reasons or ["other"]
        fields = ["reasons"]
        if details:
            locked.comment = details
            fields.append("comment")
        locked.save(update_fields=fields)
    response.reasons, response.comment = locked.reasons, locked.comment
    return True

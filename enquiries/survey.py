"""The satisfaction survey: one answer per ticket, reached by a signed link that needs no sign-in."""

from django.core import signing

from enquiries.models import Ticket

SURVEY_SALT = "enquiries.survey"
# The link in an answer's email keeps working for 60 days.
SURVEY_MAX_AGE_SECONDS = 60 * 24 * 3600


def survey_token(*, ticket: Ticket) -> str:
    return signing.dumps({"ticket": ticket.pk, "ref": ticket.reference}, salt=SURVEY_SALT, compress=True)


def survey_ticket_id(*, token: str) -> int:
    """The ticket id in a valid token; raises signing.BadSignature (or SignatureExpired) otherwise."""
    data = signing.loads(token, salt=SURVEY_SALT, max_age=SURVEY_MAX_AGE_SECONDS)
    if not isinstance(data, dict) or not isinstance(data.get("ticket"), int):
        raise signing.BadSignature("unexpected survey token")
    return data["ticket"]


def survey_path(*, ticket: Ticket) -> str:
    """The survey page's path below the language prefix, for Notification.link_path."""
    return f"survey/{survey_token(ticket=ticket)}/"

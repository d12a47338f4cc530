"""The survey offer on an answered enquiry: whether to show it, and a fresh signed link."""

from dataclasses import dataclass

from django import template
from django.urls import reverse

from enquiries.models import Ticket
from enquiries.survey import RATEABLE_STATES, survey_answer, survey_token

register = template.Library()


@dataclass(frozen=True)
class SurveyOffer:
    show: bool
    answered: bool = False
    url: str = ""


@register.simple_tag
def survey_offer(ticket: Ticket) -> SurveyOffer:
    """Offer the survey on an answered or closed ticket, or thank for the answer already given.

    Read the ticket with select_related("survey") to spare a query.
    """
    if ticket is None or ticket.state not in RATEABLE_STATES:
        return SurveyOffer(show=False)
    if survey_answer(ticket=ticket) is not None:
        return SurveyOffer(show=True, answered=True)
    return SurveyOffer(show=True, url=reverse("survey:answer", kwargs={"token": survey_token(ticket=ticket)}))

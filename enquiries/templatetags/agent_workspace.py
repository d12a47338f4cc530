"""Template helpers of the agent workspace."""

from django import template

from enquiries.agent_selectors import document_download_url
from enquiries.models import Document, TicketState

register = template.Library()


@register.simple_tag
def document_url(document: Document) -> str:
    """The staff download link of a document, or "" when there is none to give (see document_download_url)."""
    return document_download_url(document=document)


@register.filter
def state_label(value: str) -> str:
    """A ticket state's name in the active language (a change records states as codes)."""
    try:
        return str(TicketState(value).label)
    except ValueError:
        return value

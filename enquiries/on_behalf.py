"""Enquiries sent for a client by someone they gave a grant, and the parliamentary offices' own queue.

A grantee whose grant lets them act (Need.ACT_ON_BEHALF in applications.access) writes
from the same form as the client: the files they may act on are offered next to their
own, and the one chosen is opened again through `application_for_viewer`, which says
under which grant (and audits the read). The ticket records the grant and the
organisation; `account` stays the sender, so receipts and answers go to them.

An enquiry from a parliamentary office (sent under an office's grant whatever topic was
chosen, or by a member of a verified office who chose the parliamentary topic about no
file) goes to the "parliamentary" topic: its own queue, 10 business days, or the topic's urgent standard (2 business days,
how the 48 hours are counted on the business-day clock) when the office marks it urgent.
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest

from applications.access import Basis, Need, application_for_viewer
from applications.models import Application, Grant, Organisation
from enquiries.models import Topic

PARLIAMENTARY_TOPIC = "parliamentary"
# An urgent parliamentary enquiry comes before the office's normal ones (a crisis stays above both).
URGENT_PRIORITY_BOOST = 10


@dataclass(frozen=True)
class Sender:
    """Whom an enquiry is from: the person, and for a grantee the grant and organisation they write under."""

    grant: Grant | None = None
    organisation: Organisation | None = None

    @property
    def on_behalf(self) -> bool:
        return self.grant is not None

    @property
    def parliamentary(self) -> bool:
        return self.organisation is not None and self.organisation.kind == Organisation.Kind.PARLIAMENTARY_OFFICE


def parliamentary_offices_for(*, viewer) -> list[Organisation]:
    """The verified parliamentary offices the viewer is an active member of, by name (one query)."""
    if viewer is None or not viewer.is_authenticated or not viewer.is_active:
        return []
    offices: QuerySet[Organisation] = Organisation.objects.filter(
        kind=Organisation.Kind.PARLIAMENTARY_OFFICE,
        verified_at__isnull=False,
        members__account=viewer,
        members__removed_at=None,
    ).distinct()
    return list(offices.order_by("name_en", "pk"))


def parliamentary_topic() -> Topic | None:
    """The parliamentary offices' queue, while it is switched on."""
    return Topic.objects.filter(code=PARLIAMENTARY_TOPIC, kind=Topic.Kind.PARLIAMENTARY, is_active=True).first()


def sender_for(
    *,
    viewer,
    application: Application | None,
    topic: Topic,
    offices: list[Organisation],
    request: HttpRequest | None = None,
) -> tuple[Application | None, Sender]:
    """The application as the viewer may act on it, and whom the enquiry is from; Http404 if they may not act.

    `application` comes from the form's choices (already filtered through the gate); it is
    opened again for Need.ACT_ON_BEHALF so a grant revoked or narrowed meanwhile refuses,
    and so the grant used is known. About no file, a parliamentary office member who chose
    the parliamentary topic writes for their (first) office.
    """
    if application is None:
        office = offices[0] if offices and topic.kind == Topic.Kind.PARLIAMENTARY else None
        return None, Sender(organisation=office)
    reached = application_for_viewer(viewer=viewer, number=application.number, need=Need.ACT_ON_BEHALF, request=request)
    if reached.viewer_basis is not Basis.GRANTEE:
        return reached, Sender()
    grant = reached.viewer_grant
    return reached, Sender(grant=grant, organisation=grant.organisation if grant is not None else None)


def route_for(*, sender: Sender, topic: Topic, urgent: bool) -> tuple[Topic, bool]:
    """The topic (queue) the enquiry goes to, and whether it is urgent there.

    A parliamentary office's enquiry goes to the parliamentary queue; urgency exists only there.
    """
    if sender.parliamentary:
        queue = parliamentary_topic()
        if queue is not None:
            return queue, urgent and queue.urgent_standard_days is not None
    if topic.kind == Topic.Kind.PARLIAMENTARY:
        return topic, urgent and topic.urgent_standard_days is not None
    return topic, False


def standard_days_for(*, topic: Topic, urgent: bool) -> int:
    """The business days the ticket has: the topic's standard, or its urgent one."""
    if urgent and topic.urgent_standard_days:
        return topic.urgent_standard_days
    return topic.service_standard_days

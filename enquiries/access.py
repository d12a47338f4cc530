"""Who may see which enquiry: clients their own, agents the queues of their topics, supervisors all.

Built on applications.access: a client's enquiry about an application shows only
while the client may still see that application (unlinking hides it with the rest
of the file), and what an agent opens of the application goes through
`application_for_viewer`, so the read is audited like any staff read. Anything a
viewer may not see is a 404. Every staff view of a ticket is written to the audit.

Agents and supervisors are active staff accounts in the *Agent* or *Supervisor*
group; the workspace additionally requires two-step verification (enquiries.views.agents).

Documents follow what they belong to: an enquiry's attachments its ticket, a document
sent for a *waiting on you* request its application (see `document_for_viewer`).
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest

from applications.access import Basis, Need, application_for_viewer, owner_q, visible_q
from applications.models import Application, OrganisationMember
from core.audit import audit_record
from core.models import AuditAction
from core.second_step import signed_in_with_second_step
from enquiries.models import Document, Ticket, TicketState
from enquiries.references import reference_normalize

AGENT_GROUP = "Agent"
SUPERVISOR_GROUP = "Supervisor"
TICKET_SUBJECT = "enquiry"
DOCUMENT_SUBJECT = "document"


def _groups(user) -> set[str]:
    if user is None or not user.is_authenticated or not user.is_active or not user.is_staff:
        return set()
    cached = getattr(user, "_enquiry_groups", None)
    if cached is None:
        cached = set(user.groups.filter(name__in=[AGENT_GROUP, SUPERVISOR_GROUP]).values_list("name", flat=True))
        user._enquiry_groups = cached
    return cached


def is_supervisor(user) -> bool:
    return SUPERVISOR_GROUP in _groups(user)


def is_agent(user) -> bool:
    """An agent or a supervisor: someone who works the queue."""
    return bool(_groups(user))


def agent_verified(request: HttpRequest) -> bool:
    """An agent or supervisor who signed in with two-step verification: the only way into the workspace."""
    return is_agent(request.user) and signed_in_with_second_step(request)


def client_tickets_q(*, viewer) -> Q:
    """The viewer's own enquiries and their organisations' (sent by a colleague for the office or firm);
    those about a file only while the viewer may still see that file through the gate.

    A member removed from their organisation loses its enquiries with its files, at once.
    """
    if viewer is None or not viewer.is_authenticated or not viewer.is_active:
        return Q(pk__in=[])
    files = visible_q(viewer=viewer, need=Need.STATUS, prefix="application__", include_staff=False)
    colleagues = OrganisationMember.objects.filter(
        organisation=OuterRef("organisation"),
        organisation__verified_at__isnull=False,
        account=viewer,
        removed_at=None,
    )
    return (Q(account=viewer) | Q(Exists(colleagues))) & (Q(application__isnull=True) | files)


def tickets_for_client(*, viewer) -> QuerySet[Ticket]:
    """The viewer's enquiries (spam and merged ones included: they were sent, and say what became of them)."""
    return Ticket.objects.filter(client_tickets_q(viewer=viewer)).exclude(state=TicketState.UNCONFIRMED)


def ticket_reply_allowed(*, viewer, ticket: Ticket) -> bool:
    """Whether the viewer may add to the ticket: only its sender, and for an enquiry sent for a
    client only while their grant still lets them act on that file. Colleagues read it."""
    if ticket.account_id is None or ticket.account_id != getattr(viewer, "pk", None):
        return False
    if ticket.on_behalf_grant_id is None:
        return True
    files = visible_q(viewer=viewer, need=Need.ACT_ON_BEHALF, include_staff=False)
    return Application.objects.filter(files, pk=ticket.application_id).exists()


def ticket_for_client(*, viewer, reference: str) -> Ticket:
    canonical = reference_normalize(reference)
    if canonical is None:
        raise Http404
    ticket = (
        tickets_for_client(viewer=viewer)
        .select_related("topic", "application__program", "application__client", "survey", "organisation", "account")
        .filter(reference=canonical)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def agent_tickets_q(*, viewer) -> Q:
    """The tickets an agent may work: their topics' queues; a supervisor every queue."""
    if is_supervisor(viewer):
        return Q()
    if is_agent(viewer):
        return Q(topic__agents=viewer)
    return Q(pk__in=[])


def tickets_for_agent(*, viewer) -> QuerySet[Ticket]:
    if not is_agent(viewer):
        return Ticket.objects.none()
    return Ticket.objects.filter(agent_tickets_q(viewer=viewer)).exclude(state=TicketState.UNCONFIRMED)


def ticket_for_agent(*, viewer, reference: str, request: HttpRequest | None = None, audit: bool = True) -> Ticket:
    """The ticket if the viewer works its queue, else Http404; the view is written to the audit."""
    canonical = reference_normalize(reference)
    if canonical is None or not is_agent(viewer):
        raise Http404
    ticket = (
        tickets_for_agent(viewer=viewer)
        .select_related(
            "topic",
            "application__program",
            "application__current_stage",
            "assigned_to",
            "account",
            "organisation",
            "on_behalf_grant",
        )
        .filter(reference=canonical)
        .first()
    )
    if ticket is None:
        raise Http404
    if audit:
        audit_record(
            action=AuditAction.TICKET_READ,
            actor=viewer,
            subject_type=TICKET_SUBJECT,
            subject_id=ticket.pk,
            case_number=ticket.application.number if ticket.application else "",
            basis="supervisor" if is_supervisor(viewer) else "agent",
            request=request,
            extra={"reference": ticket.reference},
        )
    return ticket


def _client_owns_document(*, viewer, document: Document) -> bool:
    """The client the document belongs to now: the enquiry's, or whoever may act on the application."""
    if document.ticket is not None:
        return tickets_for_client(viewer=viewer).filter(pk=document.ticket.pk).exists()
    if document.application is None:
        return False
    files = visible_q(viewer=viewer, need=Need.ACT_ON_BEHALF, include_staff=False)
    return Application.objects.filter(files, pk=document.application.pk).exists()


def _links_viewer(*, viewer, document: Document) -> bool:
    """Whether the viewer's own account is linked to the document's application (or sent its enquiry)."""
    if document.application is None:
        return document.ticket is not None and document.ticket.account_id == viewer.pk
    return Application.objects.filter(owner_q(viewer=viewer), pk=document.application_id).exists()


def _staff_basis(*, viewer, document: Document, request: HttpRequest) -> str | None:
    """On what basis staff may open the document, or None.

    Only from a session signed in with two-step verification: an enquiry's attachment
    by an agent of its queue (a supervisor: any queue); a document sent for a *waiting on
    you* request by staff who may read the application (the read of the file is audited
    by applications.access).
    """
    if not (viewer.is_staff and signed_in_with_second_step(request)):
        return None
    if document.ticket is not None:
        if not tickets_for_agent(viewer=viewer).filter(pk=document.ticket.pk).exists():
            return None
        return "supervisor" if is_supervisor(viewer) else "agent"
    if document.application is None:
        return None
    try:
        application = application_for_viewer(
            viewer=viewer, number=document.application.number, need=Need.STATUS, request=request
        )
    except Http404:
        return None
    if application.viewer_basis is not Basis.STAFF:
        return None
    return "agent" if is_agent(viewer) else "staff"


def document_for_viewer(*, viewer, pk: int, request: HttpRequest) -> Document:
    """The document numbered `pk` if the viewer may download it, else Http404.

    Its client may (a deleted document too, so the page can say it is gone); staff as
    `_staff_basis` allows, never a deleted one. Every read by anyone but the person who
    sent it is written to the audit.
    """
    if viewer is None or not viewer.is_authenticated or not viewer.is_active:
        raise Http404
    document = (
        Document.objects.select_related("ticket", "application", "stage").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if document is None:
        raise Http404
    if _client_owns_document(viewer=viewer, document=document):
        # The client's own account, or a grantee who may send documents for them.
        basis = "owner" if _links_viewer(viewer=viewer, document=document) else "grantee"
    else:
        staff_basis = None if document.deleted_at else _staff_basis(viewer=viewer, document=document, request=request)
        if staff_basis is None:
            raise Http404
        basis = staff_basis
    if document.uploaded_by_id != viewer.pk:
        audit_record(
            action=AuditAction.DOCUMENT_READ,
            actor=viewer,
            subject_type=DOCUMENT_SUBJECT,
            subject_id=document.pk,
            case_number=document.application.number if document.application else "",
            basis=basis,
            request=request,
            extra={"reference": document.ticket.reference} if document.ticket else {},
        )
    return document

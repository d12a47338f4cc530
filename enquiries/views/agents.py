"""The agent workspace: the queue and one ticket, with its actions (claim, assign, transfer, note, reply,
merge, spam). Server-rendered; every action is a POST that calls one service of enquiries.workspace.

Who gets in (`agent_required`):
- anonymous visitors are sent to sign in, like on any signed-in page;
- anyone who is not an agent or supervisor gets a 404, staff without the groups included:
  the workspace offers them nothing, and one answer for all keeps the rule simple;
- the second step is required of every staff account before any page
  (portal.middleware.StaffSecondStepMiddleware: set it up, or enter the code); should that
  ever be bypassed, an agent whose session did not use it gets a 403 here.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from enquiries.access import agent_verified, is_agent, is_supervisor, ticket_for_agent
from enquiries.agent_forms import (
    AssignForm,
    MergeForm,
    NoteForm,
    QueueFilterForm,
    ReplyForm,
    SavedReplyChoiceForm,
    TransferForm,
)
from enquiries.agent_selectors import (
    QUEUE_PAGE_SIZE,
    QUEUE_STATES,
    assignees_for,
    merge_targets_for,
    queue_rows,
    queue_state_counts,
    queue_tickets,
    saved_replies_for,
    saved_reply_text,
    ticket_workspace_for,
    topics_for_agent,
    transfer_topics_for,
)
from enquiries.models import FINAL_STATES, OPEN_TO_CLIENT_STATES, Ticket, TicketState
from enquiries.services import ALLOWED
from enquiries.workspace import (
    WorkspaceRefused,
    person_label,
    ticket_assign,
    ticket_claim,
    ticket_mark_spam,
    ticket_merge,
    ticket_note_add,
    ticket_reply,
    ticket_transfer,
)


def agent_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let in only agents and supervisors who signed in with two-step verification (see the module docstring)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_agent(user):
            raise Http404
        if not agent_verified(request):
            # portal.middleware.StaffSecondStepMiddleware sends every staff member without a second
            # step to set one up or to enter their code before any page; this is the second lock.
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@agent_required
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    supervisor = is_supervisor(viewer)
    form = QueueFilterForm(request.GET, topics=topics_for_agent(viewer=viewer), supervisor=supervisor)
    valid = form.is_valid()
    filters = form.filters()
    page = Paginator(queue_tickets(viewer=viewer, filters=filters), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = queue_state_counts(viewer=viewer, filters=filters)
    query = request.GET.copy()
    query.pop("page", None)
    state_links = []
    for state in QUEUE_STATES:
        linked = query.copy()
        linked["state"] = state.value
        state_links.append({"state": state, "count": counts[state.value], "query": linked.urlencode()})
    context = {
        "form": form,
        "page": page,
        "rows": queue_rows(tickets=list(page.object_list)),
        "state_links": state_links,
        "filters": filters,
        "query": query.urlencode(),
        "supervisor": supervisor,
    }
    return render(request, "enquiries/agents/queue.html", context, status=200 if valid else 400)


def _permissions(viewer, ticket: Ticket) -> dict[str, bool]:
    """Which actions the page offers (the services check again on the locked row)."""
    mine_or_nobodys = ticket.assigned_to_id in (None, viewer.pk) or is_supervisor(viewer)
    active = ticket.state not in FINAL_STATES
    return {
        "can_claim": active and ticket.assigned_to_id is None,
        "can_assign": active and mine_or_nobodys,
        "can_reply": ticket.state in OPEN_TO_CLIENT_STATES and mine_or_nobodys,
        "can_merge": ticket.state in OPEN_TO_CLIENT_STATES and mine_or_nobodys,
        "can_spam": TicketState.SPAM in ALLOWED[TicketState(ticket.state)] and mine_or_nobodys,
    }


def _ticket_page(request: HttpRequest, ticket: Ticket, *, bound: dict | None = None, status: int = 200) -> HttpResponse:
    viewer = request.user
    workspace = ticket_workspace_for(viewer=viewer, ticket=ticket, request=request)
    replies = saved_replies_for(ticket=ticket)
    chooser = SavedReplyChoiceForm(request.GET if "reply" in request.GET else None, replies=replies)
    reply_initial = {}
    if chooser.is_bound and chooser.is_valid() and chooser.cleaned_data["reply"]:
        chosen = next(reply for reply in replies if reply.pk == chooser.cleaned_data["reply"])
        reply_initial = {
            "body": saved_reply_text(reply=chosen, ticket=ticket, client_view=workspace.client_view),
            "saved_reply": chosen.pk,
        }
    forms = {
        "reply_form": ReplyForm(initial=reply_initial),
        "note_form": NoteForm(),
        "assign_form": AssignForm(people=assignees_for(viewer=viewer, ticket=ticket)),
        "transfer_form": TransferForm(topics=transfer_topics_for(ticket=ticket)),
        "merge_form": MergeForm(targets=merge_targets_for(viewer=viewer, ticket=ticket)),
    }
    forms.update(bound or {})
    context = {
        "ticket": ticket,
        "workspace": workspace,
        "client_view": workspace.client_view,
        "replies": replies,
        "chooser": chooser,
        "assigned_to_label": person_label(ticket.assigned_to),
        # The one form sent with errors, for the error summary at the top.
        "error_form": next(iter(bound.values())) if bound else None,
        **forms,
        **_permissions(viewer, ticket),
    }
    return render(request, "enquiries/agents/ticket.html", context, status=status)


@agent_required
@require_safe
def ticket_detail(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = ticket_for_agent(viewer=request.user, reference=reference, request=request)
    return _ticket_page(request, ticket)


def _action(request: HttpRequest, reference: str) -> Ticket:
    # The action's own record (a change, a message) says who did what: no read audit for a POST.
    return ticket_for_agent(viewer=request.user, reference=reference, request=request, audit=False)


def _invalid(request: HttpRequest, reference: str, name: str, form) -> HttpResponse:
    """Show the page again with the form and its errors; this is a view of the ticket, so it is audited."""
    ticket = ticket_for_agent(viewer=request.user, reference=reference, request=request)
    return _ticket_page(request, ticket, bound={name: form}, status=400)


def _back(ticket: Ticket) -> HttpResponse:
    return redirect("agents:ticket", reference=ticket.reference)


def _refused(request: HttpRequest, ticket: Ticket, error: WorkspaceRefused) -> HttpResponse:
    messages.error(request, error.message)
    return _back(ticket)


@agent_required
@require_POST
def ticket_claim_view(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _action(request, reference)
    try:
        ticket_claim(ticket_id=ticket.pk, agent=request.user)
    except WorkspaceRefused as error:
        return _refused(request, ticket, error)
    messages.success(request, _("You claimed enquiry %(reference)s.") % {"reference": ticket.reference})
    return _back(ticket)


@agent_required
@require_POST
def ticket_assign_view(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _action(request, reference)
    form = AssignForm(request.POST, people=assignees_for(viewer=request.user, ticket=ticket))
    if not form.is_valid():
        return _invalid(request, reference, "assign_form", form)
    assignee = form.cleaned_data["assignee"]
    try:
        ticket_assign(ticket_id=ticket.pk, agent=request.user, assignee=assignee, note=form.cleaned_data["note"])
    except WorkspaceRefused as error:
        return _refused(request, ticket, error)
    if assignee is None:
        messages.success(request, _("Enquiry %(reference)s is back in the queue.") % {"reference": ticket.reference})
    else:
        messages.success(
            request,
            _("Enquiry %(reference)s is now with %(name)s.")
            % {"reference": ticket.reference, "name": person_label(assignee)},
        )
    return _back(ticket)


@agent_required
@require_POST
def ticket_transfer_view(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _action(request, reference)
    form = TransferForm(request.POST, topics=transfer_topics_for(ticket=ticket))
    if not form.is_valid():
        return _invalid(request, reference, "transfer_form", form)
    topic = form.cleaned_data["topic"]
    try:
        ticket_transfer(ticket_id=ticket.pk, agent=request.user, topic=topic, note=form.cleaned_data["note"])
    except WorkspaceRefused as error:
        return _refused(request, ticket, error)
    messages.success(
        request,
        _("Enquiry %(reference)s moved to the queue “%(topic)s”.")
        % {"reference": ticket.reference, "topic": topic.name},
    )
    # Moved out of the agent's own queues, it is no longer theirs to open.
    return redirect("agents:queue")


@agent_required
@require_POST
def ticket_note_view(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _action(request, reference)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _invalid(request, reference, "note_form", form)
    try:
        ticket_note_add(ticket_id=ticket.pk, agent=request.user, body=form.cleaned_data["body"])
    except WorkspaceRefused as error:
        return _refused(request, ticket, error)
    messages.success(request, _("Your note was added. The client does not see it."))
    return _back(ticket)


@agent_required
@require_POST
def ticket_reply_view(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _action(request, reference)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _invalid(request, reference, "reply_form", form)
    replies = {reply.pk: reply for reply in saved_replies_for(ticket=ticket)}
    wait = form.cleaned_data["wait_for_client"]
    try:
        ticket_reply(
            ticket_id=ticket.pk,
            agent=request.user,
            body=form.cleaned_data["body"],
            wait_for_client=wait,
            saved_reply=replies.get(form.cleaned_data["saved_reply"]),
        )
    except WorkspaceRefused as error:
        return _refused(request, ticket, error)
    if wait:
        messages.success(
            request, _("Your reply was sent. The enquiry waits for the client's answer; its clock is paused.")
        )
    else:
        messages.success(request, _("Your reply was sent to the client."))
    return _back(ticket)


@agent_required
@require_POST
def ticket_merge_view(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _action(request, reference)
    form = MergeForm(request.POST, targets=merge_targets_for(viewer=request.user, ticket=ticket))
    if not form.is_valid():
        return _invalid(request, reference, "merge_form", form)
    target = form.cleaned_data["into"]
    try:
        ticket_merge(ticket_id=ticket.pk, agent=request.user, into_id=target.pk)
    except WorkspaceRefused as error:
        return _refused(request, ticket, error)
    messages.success(
        request,
        _("Enquiry %(reference)s was merged into this one.") % {"reference": ticket.reference},
    )
    return redirect("agents:ticket", reference=target.reference)


@agent_required
@require_POST
def ticket_spam_view(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _action(request, reference)
    try:
        ticket_mark_spam(ticket_id=ticket.pk, agent=request.user)
    except WorkspaceRefused as error:
        return _refused(request, ticket, error)
    messages.success(request, _("Enquiry %(reference)s was marked as spam.") % {"reference": ticket.reference})
    return redirect("agents:queue")

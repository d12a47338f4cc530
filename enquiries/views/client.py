"""The client's pages: ask a question (answer first, ask second), the way in without an account
and its email confirmation, my enquiries, and one enquiry with its conversation and a reply."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from applications.access import Need, applications_for_viewer
from applications.models import Application
from applications.services import LinkResult, application_identify_guest
from core.http import client_ip
from enquiries.access import ticket_for_client, ticket_reply_allowed
from enquiries.client_forms import (
    NO_APPLICATION,
    NORMAL,
    DeflectionForm,
    EnquiryChoiceForm,
    EnquiryForm,
    GuestEnquiryForm,
    ReplyForm,
)
from enquiries.client_selectors import (
    answer_first_for,
    changes_for_client,
    client_tickets_page,
    conversation_for_client,
    due_date_for,
    open_duplicates_for,
    state_words,
    ticket_sent_with_key,
)
from enquiries.crisis import crisis_banners, topics_offered
from enquiries.models import OPEN_TO_CLIENT_STATES, Ticket, TicketState, Topic
from enquiries.on_behalf import Sender, parliamentary_offices_for, parliamentary_topic, route_for, sender_for
from enquiries.submission import (
    CONFIRM_MAX_AGE_SECONDS,
    ReplyRefused,
    SubmissionKeyUsed,
    confirm_ticket,
    deflection_record,
    submission_key_new,
    ticket_client_reply,
    ticket_guest_confirm,
    ticket_guest_submit,
    ticket_submit,
)
from enquiries.uploads import documents_save


def _stale_form_error() -> str:
    return _("This form was already used. Check your message and send it again.")


def _choices_for(request: HttpRequest) -> dict:
    """What the signed-in person may ask about: their own applications and those they may act on
    for a client (through the gate), and the topics on offer now (with the parliamentary queue
    and its urgency for members of a parliamentary office)."""
    viewer = request.user
    files = applications_for_viewer(viewer=viewer, need=Need.ACT_ON_BEHALF, include_grants=True)
    applications = list(files.select_related("client"))
    owned = set(applications_for_viewer(viewer=viewer, need=Need.ACT_ON_BEHALF).values_list("number", flat=True))
    topics = list(topics_offered())
    parliamentary = bool(_offices(request))
    queue = parliamentary_topic() if parliamentary else None
    if queue is not None:
        topics = [queue, *topics]
    return {
        "applications": applications,
        "topics": topics,
        "followed": frozenset(application.number for application in applications) - owned,
        "parliamentary": parliamentary,
    }


def _offices(request: HttpRequest) -> list:
    """The parliamentary offices the person works for, read once per request."""
    offices = getattr(request, "_parliamentary_offices", None)
    if offices is None:
        offices = parliamentary_offices_for(viewer=request.user)
        setattr(request, "_parliamentary_offices", offices)  # noqa: B010 (not a declared attribute of HttpRequest)
    return offices


def _sender(request: HttpRequest, *, application: Application | None, topic: Topic):
    """The application as the person may act on it now, and whom they write for (Http404 if they may not)."""
    return sender_for(
        viewer=request.user, application=application, topic=topic, offices=_offices(request), request=request
    )


def _render_choose(request: HttpRequest, *, choice: EnquiryChoiceForm, status: int = 200) -> HttpResponse:
    context = {"form": choice, "banners": crisis_banners()}
    return render(request, "enquiries/client/new_choose.html", context, status=status)


def _render_compose(
    request: HttpRequest,
    *,
    application: Application | None,
    topic: Topic,
    form: EnquiryForm,
    sender: Sender | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "answer": answer_first_for(application=application, topic=topic),
        "duplicates": list(form.duplicates.values()),
        "banners": crisis_banners(),
        "no_application": NO_APPLICATION,
        "sender": sender or Sender(),
    }
    return render(request, "enquiries/client/new_compose.html", context, status=status)


def _attachments_saver(form, *, uploaded_by):
    """The hook that stores a message's attachments in the message's own transaction (all or none)."""
    checked = form.cleaned_data.get("attachments") or []
    if not checked:
        return None

    def save(message) -> None:
        documents_save(checked=checked, uploaded_by=uploaded_by, ticket=message.ticket, message=message)

    return save


def _compose_form(
    request: HttpRequest, *, application, topic, choices: dict, data=None, sender: Sender | None = None
) -> EnquiryForm:
    # Open enquiries in the queue this one would go to (an office's go to the parliamentary queue).
    queue, _urgent = route_for(sender=sender or Sender(), topic=topic, urgent=False)
    duplicates = open_duplicates_for(viewer=request.user, application=application, topic=queue)
    initial = {
        "application": application.number if application else NO_APPLICATION,
        "topic": topic.code,
        "submission_key": submission_key_new(),
        "urgency": (data if data is not None else request.GET).get("urgency") or NORMAL,
    }
    language = getattr(request.user, "preferred_language", "") or get_language()
    files = request.FILES if data is not None else None
    return EnquiryForm(data, files, initial=initial, language=language, duplicates=duplicates, **choices)


# Never stored by a shared cache: each page carries its own one-time form key.
@never_cache
@require_http_methods(["GET", "POST"])
def enquiry_new(request: HttpRequest) -> HttpResponse:
    """Ask a question: signed in, choose then read what we know then write; otherwise the guest form."""
    if not request.user.is_authenticated:
        return _guest_new(request)
    if request.method == "POST":
        return _enquiry_send(request)
    choices = _choices_for(request)
    if "application" in request.GET and "topic" in request.GET and "change" not in request.GET:
        choice = EnquiryChoiceForm(request.GET, **choices)
        if not choice.is_valid():
            return _render_choose(request, choice=choice, status=400)
        application, topic = choice.cleaned_data["application"], choice.cleaned_data["topic"]
        application, sender = _sender(request, application=application, topic=topic)
        form = _compose_form(request, application=application, topic=topic, choices=choices, sender=sender)
        return _render_compose(request, application=application, topic=topic, form=form, sender=sender)
    initial = {key: request.GET[key] for key in ("application", "topic") if key in request.GET}
    return _render_choose(request, choice=EnquiryChoiceForm(initial=initial, **choices))


def _enquiry_send(request: HttpRequest) -> HttpResponse:
    sent_before = ticket_sent_with_key(viewer=request.user, submission_key=request.POST.get("submission_key", ""))
    if sent_before is not None:
        # The same form again (a double click, a reload): the first sending's answer.
        return redirect("enquiries:sent", reference=sent_before.reference)
    choices = _choices_for(request)
    choice = EnquiryChoiceForm(request.POST, **choices)
    if not choice.is_valid():
        return _render_choose(request, choice=choice, status=400)
    application, topic = choice.cleaned_data["application"], choice.cleaned_data["topic"]
    # Asked again of the gate: a grant revoked or narrowed since the page was shown is a 404, never a ticket.
    application, sender = _sender(request, application=application, topic=topic)
    form = _compose_form(
        request, application=application, topic=topic, choices=choices, data=request.POST, sender=sender
    )
    if form.is_valid():
        target = form.add_to_ticket()
        if target is not None:
            return _add_to_open_enquiry(
                request, form=form, ticket=target, application=application, topic=topic, sender=sender
            )
        try:
            submitted = ticket_submit(
                account=request.user,
                application=application,
                topic=topic,
                message=form.cleaned_data["message"],
                language=form.cleaned_data["language"],
                submission_key=form.cleaned_data["submission_key"],
                on_message=_attachments_saver(form, uploaded_by=request.user),
                sender=sender,
                urgent=choice.urgent(),
            )
        except SubmissionKeyUsed:
            # Keep what they wrote, under a fresh key, and ask them to send it again.
            data = request.POST.copy()
            data["submission_key"] = submission_key_new()
            form = _compose_form(
                request, application=application, topic=topic, choices=choices, data=data, sender=sender
            )
            form.is_valid()
            form.add_error(None, _stale_form_error())
        else:
            return redirect("enquiries:sent", reference=submitted.ticket.reference)
    return _render_compose(request, application=application, topic=topic, form=form, sender=sender, status=400)


def _add_to_open_enquiry(
    request: HttpRequest, *, form: EnquiryForm, ticket: Ticket, application, topic, sender: Sender
) -> HttpResponse:
    try:
        ticket_client_reply(
            ticket=ticket,
            account=request.user,
            message=form.cleaned_data["message"],
            on_message=_attachments_saver(form, uploaded_by=request.user),
        )
    except ReplyRefused:
        form.add_error("add_to", _("That enquiry is no longer open. Choose again."))
        return _render_compose(request, application=application, topic=topic, form=form, sender=sender, status=400)
    messages.success(
        request, _("Your message was added to your enquiry %(reference)s.") % {"reference": ticket.reference}
    )
    return redirect("enquiries:detail", reference=ticket.reference)


@login_required
@require_POST
def enquiry_deflect(request: HttpRequest) -> HttpResponse:
    """ "This answered my question": counted once per page, and thanked."""
    form = DeflectionForm(request.POST, **_choices_for(request))
    if not form.is_valid():
        # A page from before a change (a topic switched off, an application unlinked): start again.
        return redirect("enquiries:new")
    application, topic = form.cleaned_data["application"], form.cleaned_data["topic"]
    deflection_record(
        account=request.user,
        application=application,
        topic=topic,
        submission_key=form.cleaned_data["submission_key"],
    )
    return render(request, "enquiries/client/deflected.html", {"application": application, "topic": topic})


@login_required
@require_safe
def enquiry_sent(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = ticket_for_client(viewer=request.user, reference=reference)
    context = {"ticket": ticket, "due": due_date_for(ticket=ticket), "state": state_words(ticket.state)}
    return render(request, "enquiries/client/sent.html", context)


@login_required
@require_safe
def enquiry_list(request: HttpRequest) -> HttpResponse:
    page = client_tickets_page(viewer=request.user, page_number=request.GET.get("page"))
    rows = [(ticket, state_words(ticket.state)) for ticket in page]
    return render(request, "enquiries/client/list.html", {"page": page, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def enquiry_detail(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = ticket_for_client(viewer=request.user, reference=reference)
    allowed = ticket_reply_allowed(viewer=request.user, ticket=ticket)
    can_reply = allowed and ticket.state in OPEN_TO_CLIENT_STATES
    form = ReplyForm(request.POST, request.FILES) if request.method == "POST" else ReplyForm()
    if request.method == "POST":
        if not allowed:
            form.add_error(
                None, _("Only the person who sent this enquiry, while they may act for the client, can reply.")
            )
        elif not can_reply:
            form.add_error(None, _("This enquiry is closed: send a new enquiry instead."))
        elif form.is_valid():
            try:
                ticket_client_reply(
                    ticket=ticket,
                    account=request.user,
                    message=form.cleaned_data["message"],
                    on_message=_attachments_saver(form, uploaded_by=request.user),
                )
            except ReplyRefused:
                form.add_error(None, _("This enquiry is closed: send a new enquiry instead."))
            else:
                messages.success(request, _("Your reply was sent."))
                return redirect("enquiries:detail", reference=ticket.reference)
    # Where a merged enquiry went, when that one is the client's too (it usually is).
    merged_into = ticket.merged_into if ticket.state == TicketState.MERGED else None
    if merged_into is not None and merged_into.account_id != request.user.pk:
        merged_into = None
    context = {
        "ticket": ticket,
        "state": state_words(ticket.state),
        "due": due_date_for(ticket=ticket),
        "conversation": conversation_for_client(ticket=ticket),
        "changes": changes_for_client(ticket=ticket),
        "form": form,
        "can_reply": can_reply,
        "reply_allowed": allowed,
        "merged_into": merged_into,
    }
    return render(request, "enquiries/client/detail.html", context, status=400 if form.errors else 200)


# ---- Without an account -------------------------------------------------------------------


def _guest_new(request: HttpRequest) -> HttpResponse:
    topics = list(topics_offered())
    if request.method != "POST":
        initial = {"topic": request.GET.get("topic", ""), "submission_key": submission_key_new()}
        form = GuestEnquiryForm(initial=initial, topics=topics)
        return _render_guest(request, form=form)
    form = GuestEnquiryForm(request.POST, request.FILES, topics=topics)
    if form.is_valid():
        result, application = application_identify_guest(ip_address=client_ip(request), **form.identifiers())
        if result is LinkResult.IDENTIFIED and application is not None:
            try:
                ticket_guest_submit(
                    application=application,
                    topic=form.cleaned_data["topic"],
                    message=form.cleaned_data["message"],
                    language=form.cleaned_data["language"],
                    email=form.cleaned_data["email"],
                    name=form.cleaned_data["name"],
                    submission_key=form.cleaned_data["submission_key"],
                    on_message=_attachments_saver(form, uploaded_by=None),
                )
            except SubmissionKeyUsed:
                form.add_error(None, _stale_form_error())
            else:
                return redirect("enquiries:guest_sent")
        elif result is LinkResult.LOCKED:
            form.add_error(
                None,
                _("For your security, enquiries without an account are paused for 24 hours after too many tries."),
            )
        else:
            # The same words whether the number exists or not.
            form.add_error(
                None,
                _(
                    "We could not find an application with the details you entered. "
                    "Check the application number and your identifiers, then try again."
                ),
            )
    return _render_guest(request, form=form, status=400)


def _render_guest(request: HttpRequest, *, form: GuestEnquiryForm, status: int = 200) -> HttpResponse:
    context = {"form": form, "banners": crisis_banners()}
    return render(request, "enquiries/client/new_guest.html", context, status=status)


@require_safe
def enquiry_guest_sent(request: HttpRequest) -> HttpResponse:
    context = {"confirm_days": CONFIRM_MAX_AGE_SECONDS // (24 * 3600)}
    return render(request, "enquiries/client/guest_sent.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def enquiry_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation email: a button (mail scanners open links), then the receipt page."""
    ticket = confirm_ticket(token=token)
    if ticket is None:
        return render(request, "enquiries/client/confirm_invalid.html", status=404)
    if request.method == "POST":
        ticket_guest_confirm(ticket=ticket)
        return redirect("enquiries:confirm", token=token)
    if ticket.state == TicketState.UNCONFIRMED:
        return render(request, "enquiries/client/confirm.html", {"ticket": ticket, "token": token})
    context = {"ticket": ticket, "due": due_date_for(ticket=ticket), "state": state_words(ticket.state)}
    return render(request, "enquiries/client/confirmed.html", context)

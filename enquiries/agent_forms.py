"""Forms of the agent workspace: the queue's filters and the actions on one ticket."""

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from applications.models import Language
from enquiries.agent_selectors import DEFAULT_QUEUE_STATES, QUEUE_STATES, Assigned, QueueFilters
from enquiries.models import SavedReply, Ticket, TicketState, Topic

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ACTIVE_CHOICE = "active"


def _choose_from(form: forms.Form, name: str, queryset: QuerySet, label: Callable | None = None) -> None:
    """Give a ModelChoiceField its rows (known only per request) and, optionally, how to name each."""
    field = cast(forms.ModelChoiceField, form.fields[name])
    field.queryset = queryset
    if label is not None:
        field.label_from_instance = label  # type: ignore[method-assign]


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string; anything not given keeps its default."""

    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=Topic.objects.none(), required=False, empty_label=_("All my topics")
    )
    language = forms.ChoiceField(
        label=_("Reply language"), choices=[("", _("Any language")), *Language.choices], required=False
    )
    state = forms.ChoiceField(
        label=_("State"),
        choices=[(ACTIVE_CHOICE, _("To do (new, open, waiting on the client)"))]
        + [(state.value, state.label) for state in QUEUE_STATES],
        required=False,
    )
    assigned = forms.ChoiceField(
        label=_("Assigned to"),
        choices=[
            (Assigned.ANYONE, _("Anyone or nobody")),
            (Assigned.ME, _("Me")),
            (Assigned.UNASSIGNED, _("Nobody yet")),
        ],
        required=False,
    )
    due_by = forms.DateField(
        label=_("Due on or before"),
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text=_("Year, month and day, for example 2026-03-27."),
        error_messages={"invalid": _("Enter the date as year, month and day, for example 2026-03-27.")},
        # A text box, not the browser's date picker, whose display format varies by browser.
        widget=forms.DateInput(format="%Y-%m-%d"),
    )

    def __init__(self, *args, topics, supervisor: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _choose_from(self, "topic", topics)
        if supervisor:
            cast(forms.ModelChoiceField, self.fields["topic"]).empty_label = _("All topics")

    def filters(self) -> QueueFilters:
        """The filters to apply: the valid fields as given, the defaults for the rest (call after is_valid)."""
        data = getattr(self, "cleaned_data", {})
        state = data.get("state") or ACTIVE_CHOICE
        return QueueFilters(
            topic=data.get("topic"),
            language=data.get("language") or "",
            states=DEFAULT_QUEUE_STATES if state == ACTIVE_CHOICE else (TicketState(state),),
            assigned=data.get("assigned") or Assigned.ANYONE,
            due_by=data.get("due_by"),
        )


def _message_field(label: "StrOrPromise", help_text: "StrOrPromise" = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=settings.ENQUIRY_MESSAGE_MAX_CHARS,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": _("Write a message before sending."),
            "max_length": _("Keep the message under %(limit_value)d characters (it has %(show_value)d)."),
        },
    )


class NoteForm(forms.Form):
    body = _message_field(_("Internal note"), _("Only agents see notes; the client never does."))

    prefix = "note"


class ReplyForm(forms.Form):
    body = _message_field(_("Reply to the client"))
    saved_reply = forms.IntegerField(required=False, widget=forms.HiddenInput)
    wait_for_client = forms.BooleanField(
        label=_("Wait for the client's answer (pauses the service clock)"),
        required=False,
    )

    prefix = "reply"


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Give to"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Nobody: back to the queue"),
    )
    note = forms.CharField(label=_("Reason (optional)"), max_length=400, required=False)

    prefix = "assign"

    def __init__(self, *args, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _choose_from(self, "assignee", people, lambda user: user.get_full_name() or user.email)


class TransferForm(forms.Form):
    topic = forms.ModelChoiceField(
        label=_("Move to the queue"),
        queryset=Topic.objects.none(),
        empty_label=_("Choose a queue"),
        error_messages={"required": _("Choose the queue to move the enquiry to.")},
    )
    note = forms.CharField(label=_("Reason (optional)"), max_length=400, required=False)

    prefix = "transfer"

    def __init__(self, *args, topics, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _choose_from(self, "topic", topics, lambda topic: topic.name)


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        label=_("Merge into the enquiry"),
        queryset=Ticket.objects.none(),
        empty_label=_("Choose an enquiry"),
        to_field_name="reference",
        error_messages={
            "required": _("Choose the enquiry to merge this one into."),
            "invalid_choice": _("Choose one of the client's open enquiries from the list."),
        },
    )

    prefix = "merge"

    def __init__(self, *args, targets, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _choose_from(self, "into", targets, lambda ticket: f"{ticket.reference} – {ticket.topic.name}")


class SavedReplyChoiceForm(forms.Form):
    """A GET form: choose a saved reply to fill the reply box with."""

    reply = forms.TypedChoiceField(label=_("Saved reply"), coerce=int, required=False)

    def __init__(self, *args, replies: list[SavedReply], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["reply"]).choices = [("", _("Choose a saved reply"))] + [
            (reply.pk, reply.title) for reply in replies
        ]

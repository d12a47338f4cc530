"""Forms of the client's side of enquiries: choose what it is about, write, reply; and the guest's form.

Choices (applications, topics, open enquiries) are given by the view, read through the
access functions, so a form never offers or accepts anything its sender may not use.
The fields a message carries are listed once (`MESSAGE_FIELDS`): attachments join there.
"""

from collections.abc import Sequence

from django import forms
from django.conf import settings
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from applications.forms import LinkApplicationForm
from applications.models import Application, Language
from enquiries.models import Ticket, Topic
from enquiries.submission import message_clean
from enquiries.uploads import DocumentsField
from notifications.content import client_initials

NO_APPLICATION = "none"
NEW_ENQUIRY = "new"
NORMAL = "normal"
URGENT = "urgent"


def _application_label(application: Application, *, followed: bool = False) -> str:
    if followed:
        # A file the sender acts on for a client: their initials tell the sender's files apart.
        return _("%(number)s – %(program)s (for %(client)s)") % {
            "number": application.number,
            "program": application.program.name,
            "client": client_initials(application),
        }
    return f"{application.number} – {application.program.name}"


def topic_field(topics: dict[str, Topic]) -> forms.ChoiceField:
    """The topic choice, offered the same way to signed-in clients and to guests."""
    return forms.ChoiceField(
        label=_("What is your question about?"),
        choices=[("", _("Choose a topic"))] + [(code, topic.name) for code, topic in topics.items()],
        error_messages={
            "required": _("Choose what your question is about."),
            "invalid_choice": _("This topic is not offered any more. Choose one from the list."),
        },
    )


class MessageFieldsMixin:
    """The message itself, its reply language, and the one-time key of the form."""

    def _message_fields_add(self, *, language: str | None, keyed: bool = True) -> None:
        """Add the message; the reply language (initially `language`) unless None; the key if `keyed`."""
        fields = self.fields  # type: ignore[attr-defined]
        limit = settings.ENQUIRY_MESSAGE_MAX_CHARS
        fields["message"] = forms.CharField(
            label=_("Your message"),
            help_text=ngettext(
                "Plain text, at most %(limit)d character. Do not write your full UCI or passport number.",
                "Plain text, at most %(limit)d characters. Do not write your full UCI or passport number.",
                limit,
            )
            % {"limit": limit},
            widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "true"}),
            error_messages={"required": _("Write your message.")},
        )
        if language is not None:
            fields["language"] = forms.ChoiceField(
                label=_("Language of our reply"),
                choices=Language.choices,
                initial=language if language in dict(Language.choices) else Language.ENGLISH,
                error_messages={"required": _("Choose the language of our reply.")},
            )
        fields["attachments"] = DocumentsField(required=False, label=_("Documents (optional)"))
        if keyed:
            fields["submission_key"] = forms.CharField(
                widget=forms.HiddenInput,
                max_length=64,
                error_messages={"required": _("This page is out of date. Write your message again and send it.")},
            )

    def clean_message(self) -> str:
        text = message_clean(self.cleaned_data["message"])  # type: ignore[attr-defined]
        limit = settings.ENQUIRY_MESSAGE_MAX_CHARS
        if not text:
            raise forms.ValidationError(_("Write your message."))
        if len(text) > limit:
            raise forms.ValidationError(
                ngettext(
                    "Your message is %(count)d characters long. Shorten it to %(limit)d character or fewer.",
                    "Your message is %(count)d characters long. Shorten it to %(limit)d characters or fewer.",
                    limit,
                )
                % {"count": len(text), "limit": limit}
            )
        return text


class EnquiryChoiceForm(forms.Form):
    """Step one: which application (or none yet) and which topic.

    `followed` are the numbers among `applications` that the sender acts on for a client
    (under a grant); with `parliamentary` (the sender works for a parliamentary office)
    the form also asks whether the enquiry is urgent.
    """

    def __init__(
        self,
        *args,
        applications: Sequence[Application],
        topics: Sequence[Topic],
        followed: frozenset[str] = frozenset(),
        parliamentary: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.applications = {application.number: application for application in applications}
        self.topics = {topic.code: topic for topic in topics}
        self.fields["application"] = forms.ChoiceField(
            label=_("Which application is it about?"),
            choices=[("", _("Choose an application"))]
            + [
                (number, _application_label(application, followed=number in followed))
                for number, application in self.applications.items()
            ]
            + [(NO_APPLICATION, _("No application yet, or one not linked to my account"))],
            error_messages={
                "required": _("Choose the application your question is about, or “No application yet”."),
                "invalid_choice": _("Choose one of your applications from the list."),
            },
        )
        self.fields["topic"] = topic_field(self.topics)
        if parliamentary:
            self.fields["urgency"] = forms.ChoiceField(
                label=_("How urgent is it?"),
                help_text=_(
                    "Our offices' enquiries are answered within 10 business days; urgent ones within 2 "
                    "business days (48 hours, counted in business days). Keep “urgent” for a serious, "
                    "time-bound reason, and say why in your message."
                ),
                choices=[(NORMAL, _("Normal")), (URGENT, _("Urgent"))],
                initial=NORMAL,
                # Left out (the "This answered my question" button does not carry it): normal.
                required=False,
                error_messages={"invalid_choice": _("Choose “Normal” or “Urgent”.")},
            )

    def urgent(self) -> bool:
        return self.cleaned_data.get("urgency") == URGENT

    def clean_application(self) -> Application | None:
        number = self.cleaned_data["application"]
        return None if number == NO_APPLICATION else self.applications[number]

    def clean_topic(self) -> Topic:
        return self.topics[self.cleaned_data["topic"]]


class EnquiryForm(MessageFieldsMixin, EnquiryChoiceForm):
    """Step two: the message, with the step-one choices carried along in hidden fields.

    With `duplicates` (open enquiries on the same application and topic), the client
    chooses between adding to one of them and opening a new one.
    """

    MESSAGE_FIELDS = ("message", "attachments", "language")

    def __init__(self, *args, language: str, duplicates: Sequence[Ticket] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].widget = forms.HiddenInput()
        self.fields["topic"].widget = forms.HiddenInput()
        if "urgency" in self.fields:
            self.fields["urgency"].widget = forms.HiddenInput()
        self._message_fields_add(language=language)
        self.duplicates = {ticket.reference: ticket for ticket in duplicates}
        if self.duplicates:
            self.fields["add_to"] = forms.ChoiceField(
                label=_("Add to the enquiry you already sent, or open a new one?"),
                choices=[(reference, reference) for reference in self.duplicates] + [(NEW_ENQUIRY, NEW_ENQUIRY)],
                widget=forms.RadioSelect,
                initial=next(iter(self.duplicates)),
                # Not required: the same form sent twice may find the first one's ticket here.
                required=False,
                error_messages={"invalid_choice": _("That enquiry is no longer open. Choose again.")},
            )

    def message_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.MESSAGE_FIELDS]

    def add_to_ticket(self) -> Ticket | None:
        """The open enquiry chosen to add the message to, or None for a new one."""
        reference = self.cleaned_data.get("add_to") or NEW_ENQUIRY
        return self.duplicates.get(reference)


class DeflectionForm(EnquiryChoiceForm):
    """The "This answered my question" button: the choices it answered, and the page's key."""

    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class ReplyForm(MessageFieldsMixin, forms.Form):
    """A reply on the enquiry's own page (its language was chosen when it was sent)."""

    MESSAGE_FIELDS = ("message", "attachments")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._message_fields_add(language=None, keyed=False)
        self.fields["message"].label = _("Your reply")

    def message_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.MESSAGE_FIELDS]


class GuestEnquiryForm(MessageFieldsMixin, LinkApplicationForm):
    """For people without an account: the linking form's identifiers, who they are, and the message."""

    MESSAGE_FIELDS = ("message", "attachments", "language")

    def __init__(self, *args, topics: Sequence[Topic], **kwargs):
        super().__init__(*args, **kwargs)
        self.topics = {topic.code: topic for topic in topics}
        self.fields["name"] = forms.CharField(
            label=_("Your full name"),
            max_length=200,
            widget=forms.TextInput(attrs={"autocomplete": "name"}),
            error_messages={"required": _("Enter your name.")},
        )
        self.fields["email"] = forms.EmailField(
            label=_("Your email address"),
            max_length=254,
            help_text=_("We will send you a link to confirm it, then our answer."),
            widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
            error_messages={
                "required": _("Enter your email address."),
                "invalid": _("Enter an email address like name@example.com."),
            },
        )
        self.fields["topic"] = topic_field(self.topics)
        self._message_fields_add(language=get_language() or Language.ENGLISH)
        self.fields["application_number"].error_messages["required"] = _("Enter the application number.")

    def clean_topic(self) -> Topic:
        return self.topics[self.cleaned_data["topic"]]

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Enter your name."))
        return name

    def identifiers(self) -> dict:
        """What applications.services.application_identify_guest takes."""
        return {
            key: self.cleaned_data.get(key)
            for key in ("application_number", "uci", "family_name", "date_of_birth", "country_of_birth")
        }

    def message_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.MESSAGE_FIELDS]

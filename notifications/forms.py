"""The notification preferences form: channels per kind, a mobile number, the daily digest."""

import phonenumbers
from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import PREFERENCE_KINDS, Kind, NotificationPreference

KIND_LABELS = {
    Kind.STATUS_CHANGE: _("Status changes"),
    Kind.ACTION_REQUIRED: _("When we need something from you"),
    Kind.DECISION: _("Decisions"),
    Kind.OVERDUE: _("When an application passes the normal processing time"),
    Kind.ENQUIRY_ANSWERED: _("Answers to my enquiries"),
}
EMAIL_FIELDS = [f"email_{kind}" for kind in PREFERENCE_KINDS]
SMS_FIELDS = [f"sms_{kind}" for kind in PREFERENCE_KINDS]
# Where a number typed without its country code is taken to be.
DEFAULT_PHONE_REGION = "CA"


def normalize_phone_number(raw: str) -> str:
    """E.164 from what people type: '(613) 555-0199', '613.555.0199', '1 613 555 0199', '+33 6 12 34 56 78'.

    Raises ValueError when it is not a valid number. A number without a country code is
    read as Canadian, as most of our clients' are; "00" is accepted for "+" as dialled in Europe.
    """
    text = raw.strip()
    if not text:
        return ""
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException as error:
        raise ValueError(str(error)) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class NotificationPreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = [*EMAIL_FIELDS, "daily_digest", "phone_number", *SMS_FIELDS]
        labels = {
            **{f"email_{kind}": KIND_LABELS[kind] for kind in PREFERENCE_KINDS},
            **{f"sms_{kind}": KIND_LABELS[kind] for kind in PREFERENCE_KINDS},
            "daily_digest": _("Send me one email a day with all my updates, instead of one email per change"),
            "phone_number": _("Mobile number"),
        }
        help_texts = {
            "phone_number": _("For example 613-555-0199, or +33 6 12 34 56 78 for a number outside North America."),
            "daily_digest": _("Sent each morning when there is news. Text messages are not affected."),
        }
        widgets = {
            "phone_number": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's 16 characters are for the E.164 form; people type spaces and brackets.
        self.fields["phone_number"].max_length = 30
        self.fields["phone_number"].validators = []
        self.fields["phone_number"].widget.attrs["maxlength"] = "30"

    def clean_phone_number(self) -> str:
        try:
            return normalize_phone_number(self.cleaned_data.get("phone_number") or "")
        except ValueError:
            raise forms.ValidationError(
                _("Enter a mobile number such as 613-555-0199, or start with + and the country code."),
                code="invalid",
            ) from None

    def clean(self):
        cleaned = super().clean()
        wants_sms = any(cleaned.get(name) for name in SMS_FIELDS)
        if wants_sms and not cleaned.get("phone_number") and "phone_number" not in self.errors:
            self.add_error(
                "phone_number",
                forms.ValidationError(
                    _("Enter a mobile number to get text messages, or untick the text message choices."),
                    code="required",
                ),
            )
        return cleaned

    def email_fields(self):
        return [self[name] for name in EMAIL_FIELDS]

    def sms_fields(self):
        return [self[name] for name in SMS_FIELDS]

"""Forms for linking an application to an account."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from applications.access import normalize_application_number


class LinkApplicationForm(forms.Form):
    application_number = forms.CharField(
        label=_("Application number"),
        max_length=20,
        help_text=_("It is on your acknowledgement of receipt, for example E001234567."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    uci = forms.CharField(
        label=_("Unique client identifier (UCI)"),
        max_length=14,
        required=False,
        help_text=_("8 or 10 digits. Leave empty to use your family name, date of birth and country of birth instead."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    family_name = forms.CharField(
        label=_("Family name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Enter your date of birth as year, month and day, for example 1990-03-27.")},
        help_text=_("Year, month and day, for example 1990-03-27."),
        # A text box, not the browser's date picker, whose display format varies by browser.
        widget=forms.DateInput(attrs={"autocomplete": "bday"}, format="%Y-%m-%d"),
    )
    country_of_birth = forms.ChoiceField(label=_("Country of birth"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request so the country names follow the active language.
        self.fields["country_of_birth"].choices = [("", _("Choose a country"))] + list(countries)

    def clean_application_number(self) -> str:
        number = normalize_application_number(self.cleaned_data["application_number"])
        if not number.isalnum():
            raise forms.ValidationError(_("Enter the application number using letters and digits only."))
        return number

    def clean_uci(self) -> str:
        uci = "".join(char for char in self.cleaned_data["uci"] if char not in " -")
        if uci and (not uci.isdigit() or len(uci) not in (8, 10)):
            raise forms.ValidationError(_("Enter your UCI as 8 or 10 digits."))
        return uci

    def clean_date_of_birth(self) -> datetime.date | None:
        value = self.cleaned_data["date_of_birth"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("Your date of birth must be in the past."))
        return value

    def clean(self):
        cleaned = super().clean()
        if self.errors or cleaned.get("uci"):
            return cleaned
        missing = {
            "family_name": _("Enter your family name, or your UCI."),
            "date_of_birth": _("Enter your date of birth, or your UCI."),
            "country_of_birth": _("Choose your country of birth, or enter your UCI."),
        }
        for field, message in missing.items():
            if not cleaned.get(field):
                self.add_error(field, message)
        return cleaned

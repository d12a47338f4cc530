"""Forms of the organisation pages and the directory."""

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.models import OrganisationMember


class MemberInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address of the person to invite"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter the email address of the person to invite."),
            "invalid": _("Enter an email address in the format name@example.com."),
        },
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=OrganisationMember.Role.choices,
        initial=OrganisationMember.Role.CASEWORKER,
        help_text=_("Office managers can invite and remove people; caseworkers work on the cases."),
    )


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search by name or riding"),
        required=False,
        max_length=100,
        help_text=_("For example, a Member's or Senator's name, a riding or a Senate division."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )

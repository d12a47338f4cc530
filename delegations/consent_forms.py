"""Forms of the consent pages: give access, answer a request, narrow, ask a client, record a paper form."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.models import Grant, Organisation
from delegations.consent import GranteeChoice

GRANTEE_OFFICE = "office"
GRANTEE_FIRM = "firm"
GRANTEE_PERSON = "person"

PERSON_KINDS = [
    (Grant.Kind.REPRESENTATIVE_PAID, _("My paid representative (a lawyer, a Quebec notary or a licensed consultant)")),
    (Grant.Kind.REPRESENTATIVE_UNPAID, _("My unpaid representative (a friend, a relative, a community worker)")),
    (Grant.Kind.DESIGNATED, _("A person I designate to follow my file (for example a family member)")),
]

SCOPE_CHOICES = [
    (Grant.Scope.STATUS, _("The status, stages, dates and processing-time estimate only")),
    (Grant.Scope.DECISION, _("The above, and the decision with its reasons")),
    (Grant.Scope.NOTES, _("The above, and the officer's notes")),
]


LAST_DAY_INVALID = _("Enter the last day as year, month and day, for example 2027-03-31.")


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        if obj.kind == Organisation.Kind.PARLIAMENTARY_OFFICE:
            return f"{obj.member_name} – {obj.riding} ({obj.get_chamber_display()})"
        return obj.name


class ApplicationChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.number} – {obj.program.name}"


class GiveForm(forms.Form):
    """The client's choices; `confirming` adds the signature that makes them consent."""

    grantee_type = forms.ChoiceField(
        label=_("Who do you give access to?"),
        choices=[
            (GRANTEE_OFFICE, _("The office of a Member of Parliament or a Senator")),
            (GRANTEE_FIRM, _("A law firm, consulting firm or community organisation")),
            (GRANTEE_PERSON, _("A person, by their email address")),
        ],
        widget=forms.RadioSelect,
    )
    office = OrganisationChoiceField(
        label=_("Office of a Member of Parliament or a Senator"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Only offices the department has verified are listed."),
    )
    firm = OrganisationChoiceField(
        label=_("Firm or organisation"), queryset=Organisation.objects.none(), required=False
    )
    kind = forms.ChoiceField(
        label=_("What is this person or firm for you?"),
        choices=PERSON_KINDS,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Not needed for the office of a Member of Parliament or a Senator."),
    )
    grantee_name = forms.CharField(label=_("Person's full name"), max_length=160, required=False)
    grantee_email = forms.EmailField(
        label=_("Person's email address"),
        required=False,
        help_text=_("They will get an invitation and must sign in with this address to accept it."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    licence_number = forms.CharField(
        label=_("Licence or bar number"),
        max_length=40,
        required=False,
        help_text=_("Required for a paid representative."),
    )
    all_applications = forms.BooleanField(
        label=_("All my applications, including those I submit later"), required=False
    )
    applications = ApplicationChoiceField(
        label=_("Or only these applications"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scope = forms.ChoiceField(
        label=_("What may they see?"), choices=SCOPE_CHOICES, initial=Grant.Scope.STATUS, widget=forms.RadioSelect
    )
    may_act = forms.BooleanField(label=_("They may also send enquiries and documents for me"), required=False)
    last_day = forms.DateField(
        label=_("Last day of access (optional)"),
        required=False,
        help_text=_(
            "For example 2027-03-31. For the office of a Member of Parliament or a Senator, access ends after "
            "12 months at most."
        ),
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": LAST_DAY_INVALID},
        # A text box in year-month-day, like every date the portal asks for: a date picker's format varies.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        verified = Organisation.objects.filter(verified_at__isnull=False)
        self.fields["office"].queryset = verified.filter(kind=Organisation.Kind.PARLIAMENTARY_OFFICE).order_by(
            "member_name"
        )
        self.fields["firm"].queryset = verified.exclude(kind=Organisation.Kind.PARLIAMENTARY_OFFICE).order_by("name_en")
        self.fields["applications"].queryset = applications

    def clean(self):
        data = super().clean()
        grantee_type = data.get("grantee_type")
        if grantee_type == GRANTEE_OFFICE and not data.get("office"):
            self.add_error("office", _("Choose an office from the list."))
        if grantee_type == GRANTEE_FIRM and not data.get("firm"):
            self.add_error("firm", _("Choose a firm or organisation from the list."))
        if grantee_type in (GRANTEE_FIRM, GRANTEE_PERSON) and not data.get("kind"):
            self.add_error("kind", _("Choose what this person or firm is for you."))
        if grantee_type == GRANTEE_PERSON:
            if not data.get("grantee_email") and "grantee_email" not in self.errors:
                self.add_error("grantee_email", _("Enter the email address of the person you give access to."))
            if not (data.get("grantee_name") or "").strip():
                self.add_error("grantee_name", _("Enter the name of the person you give access to."))
        if not data.get("all_applications") and not data.get("applications") and "applications" not in self.errors:
            self.add_error("applications", _("Choose at least one of your applications, or all of them."))
        return data

    def grantee(self) -> GranteeChoice:
        data = self.cleaned_data
        if data["grantee_type"] == GRANTEE_OFFICE:
            return GranteeChoice(organisation=data["office"])
        if data["grantee_type"] == GRANTEE_FIRM:
            return GranteeChoice(organisation=data["firm"])
        return GranteeChoice(email=data["grantee_email"], name=data["grantee_name"])

    def grant_kind(self) -> str:
        if self.cleaned_data["grantee_type"] == GRANTEE_OFFICE:
            return Grant.Kind.PARLIAMENTARY
        return self.cleaned_data["kind"]

    def chosen_applications(self):
        if self.cleaned_data.get("all_applications"):
            return None
        return list(self.cleaned_data["applications"])


class SignForm(forms.Form):
    """The signature under the consent: the client's typed name and their confirmation."""

    signed_name = forms.CharField(
        label=_("Type your full name to sign"),
        max_length=200,
        help_text=_("As it appears on your application."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    confirm = forms.BooleanField(
        label=_("I have read this consent and I give it"),
        error_messages={"required": _("Tick the box to confirm that you give this consent.")},
    )


def _lower_scopes(scope: str) -> list:
    order: list[str] = [str(value) for value, _label in SCOPE_CHOICES]
    return [choice for choice in SCOPE_CHOICES if order.index(str(choice[0])) <= order.index(scope)]


class NarrowForm(forms.Form):
    """Less than the grant gives now: a narrower scope, no longer acting, an earlier last day."""

    scope = forms.ChoiceField(label=_("What may they see?"), widget=forms.RadioSelect)
    may_act = forms.BooleanField(label=_("They may also send enquiries and documents for me"), required=False)
    last_day = forms.DateField(
        label=_("Last day of access"),
        required=False,
        help_text=_("Leave empty to keep the current end. For example 2027-03-31."),
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": LAST_DAY_INVALID},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, grant: Grant, **kwargs):
        kwargs.setdefault("initial", {"scope": grant.scope, "may_act": grant.may_act})
        super().__init__(*args, **kwargs)
        scope_field = cast(forms.ChoiceField, self.fields["scope"])
        scope_field.choices = _lower_scopes(grant.scope)
        if not grant.may_act:
            del self.fields["may_act"]


class AnswerForm(NarrowForm):
    """The client's answer to a request: accept (perhaps for less, signing) or refuse."""

    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[("accept", _("Accept, with the choices below")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    signed_name = forms.CharField(
        label=_("Type your full name to sign"),
        max_length=200,
        required=False,
        help_text=_("Needed to accept. As it appears on your application."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["answer", "scope", "may_act", "last_day", "signed_name"]


class AskForm(forms.Form):
    """A grantee asks a client for access to one application."""

    organisation = forms.ChoiceField(label=_("You ask as"), widget=forms.RadioSelect)
    application_number = forms.CharField(label=_("Application number"), max_length=20)
    family_name = forms.CharField(
        label=_("Client's family name"),
        max_length=100,
        help_text=_("As it appears on the application."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label=_("What are you for the client?"),
        choices=[
            (Grant.Kind.REPRESENTATIVE_PAID, _("Their paid representative")),
            (Grant.Kind.REPRESENTATIVE_UNPAID, _("Their unpaid representative")),
            (Grant.Kind.DESIGNATED, _("A person they designate")),
        ],
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Not needed for the office of a Member of Parliament or a Senator."),
    )
    licence_number = forms.CharField(label=_("Licence or bar number"), max_length=40, required=False)
    scope = forms.ChoiceField(
        label=_("What do you ask to see?"), choices=SCOPE_CHOICES, initial=Grant.Scope.STATUS, widget=forms.RadioSelect
    )
    may_act = forms.BooleanField(label=_("I also ask to send enquiries and documents for the client"), required=False)
    note = forms.CharField(
        label=_("Why you ask (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The client reads this with your request."),
    )

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = {str(member.organisation_id): member.organisation for member in memberships}
        choices = [(key, organisation.name) for key, organisation in self.memberships.items()]
        self.fields["organisation"].choices = [*choices, ("", _("Myself, as a person"))]
        self.fields["organisation"].required = False
        self.fields["organisation"].initial = choices[0][0] if choices else ""

    def clean(self):
        data = super().clean()
        organisation = self.chosen_organisation()
        is_office = organisation is not None and organisation.kind == Organisation.Kind.PARLIAMENTARY_OFFICE
        if not is_office and not data.get("kind"):
            self.add_error("kind", _("Choose what you are for the client."))
        if data.get("kind") == Grant.Kind.REPRESENTATIVE_PAID and not is_office and not data.get("licence_number"):
            if organisation is None:
                self.add_error("licence_number", _("Enter your licence or bar number."))
        return data

    def chosen_organisation(self) -> Organisation | None:
        return self.memberships.get(self.cleaned_data.get("organisation") or "")

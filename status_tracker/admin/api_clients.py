"""Admin for upstream API clients: add one by name and see its token once; revoke it."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from status_tracker.api_clients import api_client_create, api_client_revoke, api_client_scopes_change
from status_tracker.models import DEFAULT_SCOPES, ApiClient, ApiScope


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=DEFAULT_SCOPES,
        help_text=_("Give each system only what it needs."),
        error_messages={"required": _("Choose at least one scope.")},
    )

    class Meta:
        model = ApiClient
        fields = ["name", "scopes"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    list_display = ["name", "token_prefix", "scope_list", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "token_prefix"]
    actions = ["revoke"]
    readonly_fields = ["name", "token_prefix", "created_at", "last_used_at", "revoked_at"]

    @admin.display(description=_("scopes"))
    def scope_list(self, obj: ApiClient) -> str:
        return " ".join(obj.scopes or [])

    def get_fields(self, request, obj=None):
        # Adding asks for a name and scopes; the token is made on save. The digest is never shown.
        if obj is None:
            return ["name", "scopes"]
        return [*self.readonly_fields, "scopes"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        # Events keep a reference to the client that sent them: revoke instead.
        return False

    def save_model(self, request, obj, form, change) -> None:
        if change:
            # Only the scopes are editable on an existing client; the change is audited.
            api_client_scopes_change(
                api_client=obj, scopes=form.cleaned_data["scopes"], actor=request.user, request=request
            )
            return
        client, token = api_client_create(
            name=form.cleaned_data["name"], actor=request.user, scopes=form.cleaned_data["scopes"], request=request
        )
        # The admin redirects and logs using `obj`: make it the saved row.
        obj.pk = client.pk
        obj.name = client.name
        obj.token_prefix = client.token_prefix
        obj.token_hash = client.token_hash
        obj.created_at = client.created_at
        obj.scopes = client.scopes
        obj._state.adding = False
        messages.warning(
            request,
            _(
                "The token for %(name)s is %(token)s. Copy it now and give it to the upstream system: "
                "it is not stored and will never be shown again."
            )
            % {"name": client.name, "token": token},
        )

    @admin.action(description=_("Revoke the selected clients' tokens"), permissions=["change"])
    def revoke(self, request, queryset) -> None:
        revoked = sum(api_client_revoke(api_client=client, actor=request.user, request=request) for client in queryset)
        self.message_user(
            request,
            ngettext("Revoked %(count)d client.", "Revoked %(count)d clients.", revoked) % {"count": revoked},
            messages.SUCCESS,
        )

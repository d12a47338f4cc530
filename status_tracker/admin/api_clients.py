"""Admin for upstream API clients: add one by name and see its token once; revoke it."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from status_tracker.api_clients import api_client_create, api_client_revoke
from status_tracker.models import ApiClient


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "token_prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "token_prefix"]
    actions = ["revoke"]
    readonly_fields = ["name", "token_prefix", "created_at", "last_used_at", "revoked_at"]

    def get_fields(self, request, obj=None):
        # Adding asks only for a name; the token is made on save. The digest is never shown.
        if obj is None:
            return ["name"]
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        # Events keep a reference to the client that sent them: revoke instead.
        return False

    def save_model(self, request, obj, form, change) -> None:
        if change:
            return  # nothing on an existing client is editable here
        client, token = api_client_create(name=form.cleaned_data["name"], actor=request.user, request=request)
        # The admin redirects and logs using `obj`: make it the saved row.
        obj.pk = client.pk
        obj.name = client.name
        obj.token_prefix = client.token_prefix
        obj.token_hash = client.token_hash
        obj.created_at = client.created_at
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

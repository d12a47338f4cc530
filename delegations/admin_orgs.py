"""Admin for organisations: verify them, see and change their people. Every change is audited."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from applications.models import Organisation, OrganisationMember
from core.admin import ReadOnlyInline
from delegations.org_models import MemberInvitation
from delegations.organisations import (
    OrganisationError,
    member_add,
    member_remove,
    member_role_change,
    organisation_verify,
)
from delegations.selectors import email_domain_allowed


class VerifiedFilter(admin.SimpleListFilter):
    title = _("verified")
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("yes", _("Verified")), ("no", _("Waiting for verification"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(verified_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(verified_at__isnull=True)
        return queryset


class MemberFormSet(forms.BaseInlineFormSet):
    """Refuses, with a message by the row, an address outside the parliamentary domains for an MP's office."""

    def clean(self) -> None:
        super().clean()
        active = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and form.cleaned_data.get("account")
            and form.instance.removed_at is None
        ]
        if active and not any(form.cleaned_data.get("role") == OrganisationMember.Role.MANAGER for form in active):
            raise forms.ValidationError(
                _("An organisation needs an office manager. Make someone else a manager before removing this one.")
            )
        if self.instance.kind != Organisation.Kind.PARLIAMENTARY_OFFICE:
            return
        for form in active:
            if form.instance.pk is None and not email_domain_allowed(email=form.cleaned_data["account"].email):
                form.add_error(
                    "account", _("People in a parliamentary office must use their parliamentary email address.")
                )


class MemberInline(admin.TabularInline):
    model = OrganisationMember
    formset = MemberFormSet
    extra = 0
    can_delete = False  # a membership ends with "Remove", which keeps its history
    fields = ["account", "role", "licence_number", "joined_at", "removed_at", "removed_by"]
    readonly_fields = ["joined_at", "removed_at", "removed_by"]
    raw_id_fields = ["account"]
    verbose_name = _("member")
    verbose_name_plural = _("members")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account", "removed_by")


class InvitationInline(ReadOnlyInline):
    model = MemberInvitation
    fields = ("email", "role", "invited_by", "created_at", "expires_at", "accepted_at", "withdrawn_at")
    readonly_fields = ("email", "role", "invited_by", "created_at", "expires_at", "accepted_at", "withdrawn_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("invited_by")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name_en", "kind", "chamber", "member_name", "riding_en", "is_verified_display", "active_members"]
    list_filter = ["kind", VerifiedFilter, "chamber"]
    search_fields = ["name_en", "name_fr", "member_name", "riding_en", "riding_fr", "email"]
    readonly_fields = ["verified_at", "verified_by", "created_at"]
    fieldsets = [
        (None, {"fields": ["kind", "name_en", "name_fr", "email"]}),
        (
            _("Parliamentary office"),
            {"fields": ["chamber", "member_name", "riding_en", "riding_fr"]},
        ),
        (_("Verification"), {"fields": ["verified_at", "verified_by", "created_at"]}),
    ]
    inlines = [MemberInline, InvitationInline]
    actions = ["verify_selected"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(active_member_count=Count("members", filter=Q(members__removed_at=None)))
        )

    @admin.display(boolean=True, description=_("verified"), ordering="verified_at")
    def is_verified_display(self, organisation: Organisation) -> bool:
        return organisation.verified_at is not None

    @admin.display(description=_("members"), ordering="active_member_count")
    def active_members(self, organisation: Organisation) -> int:
        return getattr(organisation, "active_member_count", 0)

    @admin.action(description=_("Verify the selected organisations"))
    def verify_selected(self, request, queryset):
        verified = sum(
            organisation_verify(organisation=organisation, verified_by=request.user, request=request)
            for organisation in queryset
        )
        self.message_user(
            request,
            ngettext("%(count)d organisation verified.", "%(count)d organisations verified.", verified)
            % {"count": verified},
            messages.SUCCESS,
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not OrganisationMember:
            return super().save_formset(request, form, formset, change)
        saved = formset.save(commit=False)
        changed = {instance.pk: fields for instance, fields in formset.changed_objects}
        for instance in saved:
            if instance.pk is not None and "role" in changed.get(instance.pk, []):
                role = instance.role
                instance.role = OrganisationMember.objects.get(pk=instance.pk).role
                instance.save(update_fields=[field for field in changed[instance.pk] if field != "role"] or None)
                try:
                    member_role_change(member=instance, role=role, changed_by=request.user, request=request)
                except OrganisationError as error:
                    self.message_user(request, error.message, messages.ERROR)
            elif instance.pk is None:
                try:
                    member_add(
                        organisation=form.instance,
                        account=instance.account,
                        role=instance.role,
                        licence_number=instance.licence_number,
                        added_by=request.user,
                        request=request,
                    )
                except OrganisationError as error:
                    self.message_user(request, error.message, messages.ERROR)
            else:
                instance.save()
        formset.save_m2m()
        return None


@admin.register(OrganisationMember)
class OrganisationMemberAdmin(admin.ModelAdmin):
    """Every membership, to find a person's and to remove them (the last manager stays)."""

    list_display = ["account", "organisation", "role", "joined_at", "removed_at"]
    list_filter = ["role", "organisation__kind", ("removed_at", admin.EmptyFieldListFilter)]
    search_fields = ["account__email", "organisation__name_en", "organisation__name_fr"]
    list_select_related = ["account", "organisation"]
    # The role changes on the organisation's page, where the last-manager rule and the audit apply.
    readonly_fields = ["organisation", "account", "role", "joined_at", "removed_at", "removed_by"]
    fields = ["organisation", "account", "role", "licence_number", "joined_at", "removed_at", "removed_by"]
    actions = ["remove_selected"]

    def has_add_permission(self, request) -> bool:
        return False  # members are added on their organisation's page, or by accepting an invitation

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Remove the selected members (their access ends at once)"))
    def remove_selected(self, request, queryset):
        removed = 0
        for member in queryset.filter(removed_at=None):
            try:
                member_remove(member=member, removed_by=request.user, request=request, as_administrator=True)
            except OrganisationError as error:
                self.message_user(request, f"{member.account}: {error.message}", messages.ERROR)
            else:
                removed += 1
        self.message_user(
            request,
            ngettext("%(count)d member removed.", "%(count)d members removed.", removed) % {"count": removed},
            messages.SUCCESS,
        )

"""Records shared by every app: the audit trail, and the answers kept for Idempotency-Key replays."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.cache import FALLBACK_TABLE
from core.i18n import Bilingual


class AuditAction(models.TextChoices):
    CASE_READ = "case_read", _("Case read by someone other than its owner")
    CASE_LINKED = "case_linked", _("Application linked to an account")
    CASE_UNLINKED = "case_unlinked", _("Application unlinked from an account")
    API_TOKEN_CREATED = "api_token_created", _("Service token created")
    API_TOKEN_REVOKED = "api_token_revoked", _("Service token revoked")
    API_TOKEN_SCOPES_CHANGED = "api_token_scopes", _("Service token scopes changed")
    CASE_CORRECTED = "case_corrected", _("Status or decision corrected by staff")
    PREFERENCES_CHANGED = "preferences_changed", _("Notification preferences changed")
    TICKET_READ = "ticket_read", _("Enquiry read by staff")
    DOCUMENT_READ = "document_read", _("Document opened by someone other than its sender")
    DOCUMENT_DELETED = "document_deleted", _("Document deleted")
    STATUS_CHECKED = "status_checked", _("Status checked without signing in")
    GRANT_GIVEN = "grant_given", _("Access to a file given")
    GRANT_REQUESTED = "grant_requested", _("Access to a file asked for")
    GRANT_REFUSED = "grant_refused", _("Request for access refused")
    GRANT_CHANGED = "grant_changed", _("Access to a file narrowed or changed")
    GRANT_REVOKED = "grant_revoked", _("Access to a file revoked")
    GRANT_ACCEPTED = "grant_accepted", _("Access to a file accepted by the person invited")
    ORGANISATION_VERIFIED = "org_verified", _("Organisation verified")
    MEMBER_ADDED = "member_added", _("Organisation member added")
    MEMBER_REMOVED = "member_removed", _("Organisation member removed")
    APPOINTMENT_BOOKED = "appointment_booked", _("Liaison appointment booked")
    APPOINTMENT_CHANGED = "appointment_changed", _("Liaison appointment cancelled, moved or marked")


AUDIT_ACTIONS = [value for value, _label in AuditAction.choices]


class AuditEvent(models.Model):
    """Who did what to which record, on what basis, from where: written by the service that acts.

    The subject is named by kind and id rather than by a foreign key, so the trail
    outlives what it describes and this app depends on no other. `case_number` is set
    whenever the event concerns an application, so a client can read what happened
    to their own files.
    """

    action = models.CharField(_("what"), max_length=32, choices=AuditAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # For actors that are not accounts (a service token, a scheduled job), or an account since deleted.
    actor_label = models.CharField(_("who (as recorded)"), max_length=160, blank=True)
    subject_type = models.CharField(_("subject kind"), max_length=40)
    subject_id = models.CharField(_("subject id"), max_length=64)
    case_number = models.CharField(_("application number"), max_length=40, blank=True)
    basis = models.CharField(_("on what basis"), max_length=80, blank=True)
    ip_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    extra = models.JSONField(_("details"), default=dict, blank=True)
    occurred_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["case_number", "-occurred_at"], name="audit_case_idx", condition=~Q(case_number="")),
            models.Index(fields=["subject_type", "subject_id", "-occurred_at"], name="audit_subject_idx"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_idx"),
            models.Index(fields=["action", "-occurred_at"], name="audit_action_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=AUDIT_ACTIONS), name="audit_action_known"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.subject_type}:{self.subject_id}"


class IdempotencyRecord(models.Model):
    """The first answer to a request sent with an Idempotency-Key, replayed for repeats (core.api.idempotency).

    `client_id` is the id of whoever sent the key in the app that authenticates
    API callers (status_tracker.ApiClient), held as a plain id so this app depends
    on none. The table was made by status_tracker, and the database still holds
    its foreign key to the client table.
    """

    client_id = models.BigIntegerField(_("API client"), db_column="api_client_id", db_index=True)
    key = models.CharField(_("idempotency key"), max_length=255)
    request_hash = models.CharField(_("request digest"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"))
    response_body = models.JSONField(_("response body"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        db_table = "status_tracker_idempotencyrecord"
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["client_id", "key"], name="idempotency_key_once_per_client")]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.key}"


class Holiday(Bilingual, models.Model):
    """A federal holiday: deadlines and service clocks skip it like a weekend. Editable in admin."""

    date = models.DateField(_("date"), unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]
        # Made by status_tracker before the calendar became shared.
        db_table = "status_tracker_holiday"

    def __str__(self) -> str:
        return f"{self.date} {self.name_en}"

    @property
    def name(self) -> str:
        return self.localized("name")


class RateCounter(models.Model):
    """A rate-limit window's count, kept here only while the cache (Redis) cannot be reached.

    core.ratelimit counts in the cache; when the cache fails it counts here instead, so
    a limit never silently switches off. Old windows are deleted as new ones start.
    """

    scope = models.CharField(_("limit"), max_length=40)
    key = models.CharField(_("who"), max_length=80)
    window_start = models.DateTimeField(_("window start"))
    count = models.PositiveIntegerField(_("requests"), default=0)

    class Meta:
        verbose_name = _("rate-limit counter")
        verbose_name_plural = _("rate-limit counters")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key", "window_start"], name="rate_counter_once_per_window"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key} {self.window_start:%H:%M} = {self.count}"


class CacheFallbackEntry(models.Model):
    """A cache entry written while Redis could not be reached (core.cache.RedisWithDatabaseFallback).

    The columns are those Django's DatabaseCache reads and writes (what `createcachetable`
    would make); the table is created by a migration like every other.
    """

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = FALLBACK_TABLE

    def __str__(self) -> str:
        return self.cache_key

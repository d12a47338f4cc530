"""Files a client sent, with an enquiry or for a *waiting on you* request."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enquiries.models.tickets import Ticket, TicketMessage
from enquiries.storage import documents_storage


def document_path(instance: "Document", filename: str) -> str:
    # Never the sender's file name: a random name in a dated folder, outside any public URL.
    return f"documents/{instance.created_on_path()}/{uuid.uuid4().hex}"


class Document(models.Model):
    """A file a client sent: with an enquiry, or for a *waiting on you* request on a stage."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("enquiry"), on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    message = models.ForeignKey(
        TicketMessage,
        verbose_name=_("message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
    )
    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    # The stage whose *waiting on you* request the document answers.
    stage = models.ForeignKey(
        "applications.Stage",
        verbose_name=_("for the request at stage"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Emptied when the file is deleted (retention); the row stays, with when and why.
    file = models.FileField(_("file"), upload_to=document_path, storage=documents_storage, max_length=200, blank=True)
    # As sent, cleaned of path separators and control characters; shown, never used as a path.
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=60)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # The files sent together in one go share it: the timeline groups them, and a form sent
    # twice (the same submission) stores its files once.
    submission = models.UUIDField(_("sent together as"), default=uuid.uuid4, editable=False)
    note = models.TextField(_("note from the sender"), blank=True, max_length=1000, db_default="")
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    deleted_reason = models.CharField(_("why deleted"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="document_ticket_idx"),
            models.Index(fields=["application", "created_at"], name="document_application_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ticket__isnull=False) | Q(application__isnull=False), name="document_has_owner"
            ),
            models.UniqueConstraint(fields=["submission", "sha256"], name="document_once_per_submission"),
        ]

    def __str__(self) -> str:
        return self.original_name

    def created_on_path(self) -> str:
        from django.utils import timezone

        return (self.created_at or timezone.now()).strftime("%Y/%m/%d")

"""The signed paper consent forms staff record grants from, kept in the clients' documents store."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enquiries.storage import documents_storage


def evidence_path(instance: "ConsentEvidence", filename: str) -> str:
    # Never the file's own name: a random one in a folder of its own, outside any public URL.
    return f"consent/{uuid.uuid4().hex}"


class ConsentEvidence(models.Model):
    """A scan of a consent form the client signed on paper, and the grants recorded from it.

    The file passed the documents pipeline's check (enquiries.uploads) before it was kept;
    it is stored like the documents clients send, never at a public address.
    """

    grants = models.ManyToManyField("applications.Grant", verbose_name=_("grants"), related_name="evidence")
    file = models.FileField(_("scan"), upload_to=evidence_path, storage=documents_storage, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=60)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    signed_on = models.DateField(_("signed on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent form")
        verbose_name_plural = _("consent forms")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.signed_on})"

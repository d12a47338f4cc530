"""Invitations to join an organisation: sent by its office manager, accepted by the person invited."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Organisation, OrganisationMember


def invitation_token() -> str:
    """An unguessable public name for an invitation: its link carries it, never the row's id."""
    return secrets.token_urlsafe(32)


class MemberInvitation(models.Model):
    """An office manager's invitation to an email address to join their organisation.

    Only an account that has verified that very address can accept it, so the token in
    the link names the invitation without being a password. It lapses at `expires_at`,
    and a newer invitation to the same address replaces it.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(
        _("role"), max_length=12, choices=OrganisationMember.Role.choices, default=OrganisationMember.Role.CASEWORKER
    )
    token = models.CharField(max_length=64, unique=True, default=invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation to an organisation")
        verbose_name_plural = _("invitations to an organisation")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["organisation", "email"],
                name="invitation_open_idx",
                condition=Q(accepted_at=None, withdrawn_at=None),
            )
        ]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=["manager", "caseworker"]), name="invitation_role_known"),
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="invitation_expires_later"),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.withdrawn_at is None and self.expires_at > timezone.now()

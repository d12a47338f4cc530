"""Who else may see a client's files: organisations, their members, and the client's grants.

These are the rows `applications.access` reads to decide whether a delegate may open a
case, so they live beside the case register. The flows that create and change them
(consent online and on paper, invitations, requests, the directory, appointments) are
in `delegations`. Imported by `applications.models`; foreign keys are named as strings
so this module needs nothing from it.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.i18n import Bilingual


class Organisation(Bilingual, models.Model):
    """An office or firm whose members act for clients: an MP's or Senator's office, a law or consulting firm."""

    class Kind(models.TextChoices):
        PARLIAMENTARY_OFFICE = "parliamentary", _("Office of a Member of Parliament or Senator")
        LAW_FIRM = "law_firm", _("Law firm")
        CONSULTING_FIRM = "consulting_firm", _("Immigration consulting firm")
        COMMUNITY = "community", _("Community organisation")

    class Chamber(models.TextChoices):
        HOUSE = "house", _("House of Commons")
        SENATE = "senate", _("Senate")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    # Parliamentary offices only: whose office it is, and where they sit for.
    chamber = models.CharField(_("chamber"), max_length=10, choices=Chamber.choices, blank=True)
    member_name = models.CharField(_("Member's or Senator's name"), max_length=160, blank=True)
    riding_en = models.CharField(_("riding or Senate division (English)"), max_length=160, blank=True)
    riding_fr = models.CharField(_("riding or Senate division (French)"), max_length=160, blank=True)
    email = models.EmailField(_("office email"), blank=True)
    # No grant can name an organisation, and no member sees anything, until an administrator verifies it.
    verified_at = models.DateTimeField(_("verified on"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_en"]
        indexes = [models.Index(fields=["kind", "verified_at"], name="organisation_kind_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["parliamentary", "law_firm", "consulting_firm", "community"]),
                name="organisation_kind_known",
            ),
            models.CheckConstraint(
                condition=~Q(kind="parliamentary") | (Q(chamber__in=["house", "senate"]) & ~Q(member_name="")),
                name="organisation_parliamentary_has_member",
            ),
        ]

    def __str__(self) -> str:
        return self.name_en

    @property
    def name(self) -> str:
        return self.localized("name")

    @property
    def riding(self) -> str:
        return self.localized("riding")

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class OrganisationMember(models.Model):
    """An account working for an organisation. Removing a member ends their access at once."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("Office manager")
        CASEWORKER = "caseworker", _("Caseworker")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_memberships"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.CASEWORKER)
    # Representatives record their licence (CICC) or bar number.
    licence_number = models.CharField(_("licence or bar number"), max_length=40, blank=True)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("organisation member")
        verbose_name_plural = _("organisation members")
        ordering = ["organisation", "account"]
        indexes = [
            models.Index(fields=["account", "organisation"], name="member_account_idx", condition=Q(removed_at=None))
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "account"], condition=Q(removed_at=None), name="member_once_while_active"
            ),
            models.CheckConstraint(condition=Q(role__in=["manager", "caseworker"]), name="member_role_known"),
        ]

    def __str__(self) -> str:
        return f"{self.account} @ {self.organisation}"

    @property
    def is_active(self) -> bool:
        return self.removed_at is None


class Grant(models.Model):
    """A client's consent that someone else may see one or all of their applications.

    The grantee is an organisation (all its active members act under it) or one
    account. What they may see grows with `scope` (status < decision < officer's
    notes); `may_act` adds sending enquiries and documents for the client. A grant
    counts only while active, started, not expired and not revoked; for a
    parliamentary office it also ends, for each application, when that file closes.
    """

    class Kind(models.TextChoices):
        REPRESENTATIVE_PAID = "rep_paid", _("Paid representative")
        REPRESENTATIVE_UNPAID = "rep_unpaid", _("Unpaid representative")
        DESIGNATED = "designated", _("Designated person")
        PARLIAMENTARY = "parliamentary", _("Office of a Member of Parliament or Senator")

    class Scope(models.TextChoices):
        STATUS = "status", _("Status and timeline only")
        DECISION = "decision", _("Status, and the decision with its reasons")
        NOTES = "notes", _("Status, the decision, and the officer's notes")

    class State(models.TextChoices):
        REQUESTED = "requested", _("Asked for by the grantee, waiting for the client")
        INVITED = "invited", _("Given to a person who has not accepted yet")
        ACTIVE = "active", _("Active")
        REFUSED = "refused", _("Refused by the client")
        REVOKED = "revoked", _("Revoked")

    class Source(models.TextChoices):
        ONLINE = "online", _("Given online by the client")
        PAPER = "paper", _("Recorded by staff from a signed form")
        REQUEST = "request", _("Asked for by the grantee")

    client = models.ForeignKey("applications.Client", on_delete=models.CASCADE, related_name="grants")
    # Empty: every application of the client, present and future.
    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="grants",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
    )
    grantee_account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="grants_received",
    )
    # A person invited by email, until they accept with an account of that address.
    grantee_email = models.EmailField(_("invited email"), blank=True)
    grantee_name = models.CharField(_("grantee's name"), max_length=160, blank=True)
    licence_number = models.CharField(_("licence or bar number"), max_length=40, blank=True)
    scope = models.CharField(_("what they may see"), max_length=10, choices=Scope.choices, default=Scope.STATUS)
    may_act = models.BooleanField(_("may send enquiries and documents for the client"), default=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    starts_at = models.DateTimeField(_("starts"))
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    # The consent as the client saw it, in both languages, and how it was given.
    consent_text_en = models.TextField(_("consent text (English)"), blank=True)
    consent_text_fr = models.TextField(_("consent text (French)"), blank=True)
    consent_language = models.CharField(_("language consent was read in"), max_length=2, default="en")
    signed_name = models.CharField(_("name typed or signed by the client"), max_length=200, blank=True)
    source = models.CharField(_("how consent was given"), max_length=10, choices=Source.choices)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    given_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked for by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    request_note = models.CharField(_("why they ask"), max_length=500, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The first read under this grant notifies the client once.
    first_used_at = models.DateTimeField(_("first used"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["grantee_account", "state"], name="grant_account_idx"),
            models.Index(fields=["organisation", "state"], name="grant_organisation_idx"),
            models.Index(fields=["client", "state"], name="grant_client_idx"),
            models.Index(fields=["application", "state"], name="grant_application_idx"),
            models.Index(fields=["state", "expires_at"], name="grant_expiry_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["rep_paid", "rep_unpaid", "designated", "parliamentary"]),
                name="grant_kind_known",
            ),
            models.CheckConstraint(condition=Q(scope__in=["status", "decision", "notes"]), name="grant_scope_known"),
            models.CheckConstraint(
                condition=Q(state__in=["requested", "invited", "active", "refused", "revoked"]),
                name="grant_state_known",
            ),
            models.CheckConstraint(condition=Q(source__in=["online", "paper", "request"]), name="grant_source_known"),
            # Exactly one grantee: an organisation, or a person (an account, or an email until accepted).
            models.CheckConstraint(
                condition=(Q(organisation__isnull=False) & Q(grantee_account__isnull=True) & Q(grantee_email=""))
                | (Q(organisation__isnull=True) & (Q(grantee_account__isnull=False) | ~Q(grantee_email=""))),
                name="grant_one_grantee",
            ),
            models.CheckConstraint(
                condition=~Q(kind="parliamentary") | (Q(organisation__isnull=False) & Q(expires_at__isnull=False)),
                name="grant_parliamentary_office_expires",
            ),
            models.CheckConstraint(
                condition=~Q(state="active") | Q(given_at__isnull=False),
                name="grant_active_has_consent",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("starts_at")),
                name="grant_expires_after_start",
            ),
        ]

    def __str__(self) -> str:
        grantee = self.organisation or self.grantee_account or self.grantee_email
        target = self.application or _("all applications")
        return f"{grantee} → {self.client.uci} ({target})"

    @property
    def last_day(self) -> datetime.date | None:
        """The last whole day the grant is in force (it expires at the first moment of the next day)."""
        if self.expires_at is None:
            return None
        return (timezone.localtime(self.expires_at) - datetime.timedelta(microseconds=1)).date()

    @property
    def grantee_label(self) -> str:
        if self.organisation is not None:
            return self.organisation.name
        return self.grantee_name or str(self.grantee_account or self.grantee_email)

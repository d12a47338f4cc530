"""Liaison appointments: the times liaison officers offer, and the appointments parliamentary offices book.

An officer is an active staff account in the *Liaison* group (created by a data
migration). Availability is a dated range of time, stored as instants and entered in
the officer's time zone, with the appointment lengths the officer takes in it. An
appointment belongs to one officer, one parliamentary office and one application.

No double booking: on PostgreSQL an exclusion constraint refuses two booked
appointments of one officer whose times overlap, whatever the number of concurrent
requests; on SQLite, which has no such constraint, `delegations.liaison.appointment_book`
checks for an overlap inside a transaction that first takes SQLite's single write lock.
"""

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.db import models
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _

LIAISON_GROUP = "Liaison"
LENGTHS = (15, 30, 45, 60)


class TimeRange(Func):
    """PostgreSQL's tstzrange(start, end, '[)'): the half-open time an appointment takes."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresOnlyExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint that exists on PostgreSQL and is left out elsewhere (SQLite has none).

    Django would write EXCLUDE USING gist into SQLite's CREATE TABLE; here every other
    database gets no SQL, and model validation checks it only on PostgreSQL. Where it is
    missing, the booking service's own check applies.
    """

    def _postgres(self, schema_editor) -> bool:
        return schema_editor.connection.vendor == "postgresql"

    def constraint_sql(self, model, schema_editor):
        return super().constraint_sql(model, schema_editor) if self._postgres(schema_editor) else None

    def create_sql(self, model, schema_editor):
        return super().create_sql(model, schema_editor) if self._postgres(schema_editor) else None

    def remove_sql(self, model, schema_editor):
        return super().remove_sql(model, schema_editor) if self._postgres(schema_editor) else None

    def validate(self, model, instance, exclude=None, using="default"):
        from django.db import connections

        if connections[using].vendor == "postgresql":
            super().validate(model, instance, exclude=exclude, using=using)


class Availability(models.Model):
    """A range of time a liaison officer offers, and the appointment lengths they take in it."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("liaison officer"),
        on_delete=models.CASCADE,
        related_name="liaison_availability",
    )
    starts_at = models.DateTimeField(_("available from"))
    ends_at = models.DateTimeField(_("available until"))
    # The zone the officer entered the range in, and in which they read it back.
    time_zone = models.CharField(_("time zone"), max_length=40, default=settings.TIME_ZONE)
    takes_15 = models.BooleanField(_("15 minutes"), default=False)
    takes_30 = models.BooleanField(_("30 minutes"), default=True)
    takes_45 = models.BooleanField(_("45 minutes"), default=False)
    takes_60 = models.BooleanField(_("60 minutes"), default=False)
    created_at = models.DateTimeField(_("published"), auto_now_add=True)

    class Meta:
        verbose_name = _("liaison availability")
        verbose_name_plural = _("liaison availability")
        ordering = ["officer", "starts_at"]
        indexes = [models.Index(fields=["officer", "starts_at", "ends_at"], name="availability_officer_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="availability_ends_after_start"),
            models.CheckConstraint(
                condition=Q(takes_15=True) | Q(takes_30=True) | Q(takes_45=True) | Q(takes_60=True),
                name="availability_takes_a_length",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"

    @property
    def lengths(self) -> list[int]:
        return [minutes for minutes in LENGTHS if getattr(self, f"takes_{minutes}")]


class Appointment(models.Model):
    """A parliamentary office's appointment with a liaison officer about one application."""

    class Topic(models.TextChoices):
        STATUS = "status", _("Where the application stands")
        DOCUMENTS = "documents", _("Documents asked for or sent")
        DELAY = "delay", _("A delay beyond the processing time")
        URGENT = "urgent", _("An urgent or humanitarian situation")
        OTHER = "other", _("Something else")

    class State(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("The office did not attend")
        COMPLETED = "completed", _("Held")

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("liaison officer"),
        on_delete=models.PROTECT,
        related_name="liaison_appointments",
    )
    organisation = models.ForeignKey(
        "applications.Organisation",
        verbose_name=_("parliamentary office"),
        on_delete=models.PROTECT,
        related_name="liaison_appointments",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        on_delete=models.PROTECT,
        related_name="liaison_appointments_booked",
    )
    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="liaison_appointments",
    )
    topic = models.CharField(_("topic"), max_length=12, choices=Topic.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    length_minutes = models.PositiveSmallIntegerField(_("length in minutes"))
    # Each side's zone when it was booked, for the messages each side reads.
    officer_time_zone = models.CharField(_("officer's time zone"), max_length=40, default=settings.TIME_ZONE)
    office_time_zone = models.CharField(_("office's time zone"), max_length=40, default=settings.TIME_ZONE)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.BOOKED)
    cancel_reason = models.CharField(_("reason"), max_length=500, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    rescheduled_from = models.OneToOneField(
        "self",
        verbose_name=_("moved from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rescheduled_to",
    )
    reminder_24h_sent_at = models.DateTimeField(_("24-hour reminder sent"), null=True, blank=True)
    reminder_1h_sent_at = models.DateTimeField(_("1-hour reminder sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("booked on"), auto_now_add=True)

    class Meta:
        verbose_name = _("liaison appointment")
        verbose_name_plural = _("liaison appointments")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["officer", "starts_at"], name="appointment_officer_idx"),
            models.Index(fields=["organisation", "starts_at"], name="appointment_office_idx"),
            models.Index(fields=["application"], name="appointment_application_idx"),
            # The reminder sweeps read only booked appointments by start.
            models.Index(fields=["starts_at"], name="appointment_booked_idx", condition=Q(state="booked")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="appointment_ends_after_start"),
            models.CheckConstraint(condition=Q(length_minutes__in=LENGTHS), name="appointment_length_known"),
            models.CheckConstraint(
                condition=Q(topic__in=["status", "documents", "delay", "urgent", "other"]),
                name="appointment_topic_known",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["booked", "cancelled", "no_show", "completed"]),
                name="appointment_state_known",
            ),
            models.CheckConstraint(
                condition=~Q(state="cancelled") | Q(cancelled_at__isnull=False),
                name="appointment_cancelled_has_time",
            ),
            # No double booking (PostgreSQL; needs the btree_gist extension for the officer's equality).
            PostgresOnlyExclusionConstraint(
                name="appointment_no_double_booking",
                expressions=[
                    (TimeRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("officer", RangeOperators.EQUAL),
                ],
                condition=Q(state="booked"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer} {self.starts_at:%Y-%m-%d %H:%M} {self.application_id}"

    @property
    def is_booked(self) -> bool:
        return self.state == self.State.BOOKED

"""The nightly processing-time figures, kept one row per day so that pages, the API and the trend only read them."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from applications.models import Stage
from core.dates import DAYS_PER_MONTH
from processing_times.estimator import Calibration, Forecast


class ProcessingTimeSnapshot(models.Model):
    """One night's processing-time figures for a program, overall or for one country of residence.

    Days run from submission to final decision (approved or refused; withdrawals
    are left out) for decisions made within the program's window before
    `computed_on`. Rows are kept so that trends can be shown.
    """

    program = models.ForeignKey("applications.Program", on_delete=models.CASCADE, related_name="time_snapshots")
    country = CountryField(_("country of residence"), blank=True, help_text=_("Empty for all countries."))
    computed_on = models.DateField(_("as of"))
    window_days = models.PositiveIntegerField(_("window (days)"))
    sample_size = models.PositiveIntegerField(_("decisions in the window"))
    p50_days = models.FloatField(_("50th percentile (days)"), null=True, blank=True)
    p80_days = models.FloatField(_("80th percentile (days)"), null=True, blank=True)
    p90_days = models.FloatField(_("90th percentile (days)"), null=True, blank=True)
    waiting_count = models.PositiveIntegerField(_("applications waiting"), default=0)
    monthly_output = models.FloatField(_("decisions per month (last 3 months)"), default=0)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        # The table keeps the name it had when the model lived in status_tracker.
        db_table = "status_tracker_processingtimesnapshot"
        verbose_name = _("processing-time snapshot")
        verbose_name_plural = _("processing-time snapshots")
        ordering = ["-computed_on", "program", "country"]
        constraints = [
            models.UniqueConstraint(fields=["program", "country", "computed_on"], name="time_snapshot_once_a_day"),
            models.CheckConstraint(
                condition=Q(p50_days__isnull=True)
                | (Q(p50_days__lte=models.F("p80_days")) & Q(p80_days__lte=models.F("p90_days"))),
                name="time_snapshot_percentiles_ordered",
            ),
            models.CheckConstraint(condition=Q(monthly_output__gte=0), name="time_snapshot_output_not_negative"),
        ]
        indexes = [models.Index(fields=["program", "country", "-computed_on"], name="time_snapshot_latest_idx")]

    def __str__(self) -> str:
        return f"{self.program_id} {self.country or 'all'} {self.computed_on}"

    @property
    def window_in_weeks(self) -> bool:
        return self.window_days < 180

    @property
    def window_weeks(self) -> int:
        return round(self.window_days / 7)

    @property
    def window_months(self) -> int:
        return round(self.window_days / DAYS_PER_MONTH)

    @property
    def projection_days(self) -> float | None:
        """Days to clear today's queue at the recent pace: waiting / monthly output."""
        if self.monthly_output <= 0:
            return None
        return self.waiting_count / self.monthly_output * DAYS_PER_MONTH


class StageDurationSnapshot(models.Model):
    """How long one stage of one program took, over the stages completed in the window."""

    program = models.ForeignKey("applications.Program", on_delete=models.CASCADE, related_name="stage_snapshots")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    computed_on = models.DateField(_("as of"))
    window_days = models.PositiveIntegerField(_("window (days)"))
    sample_size = models.PositiveIntegerField(_("stages completed in the window"))
    p50_days = models.FloatField(_("median (days)"), null=True, blank=True)
    p80_days = models.FloatField(_("80th percentile (days)"), null=True, blank=True)
    # Every 5th percentile (0 %, 5 %, ... 100 %) in days: the time left given the time already spent.
    quantiles = models.JSONField(_("every 5th percentile (days)"), default=list, blank=True)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        db_table = "status_tracker_stagedurationsnapshot"
        verbose_name = _("stage-duration snapshot")
        verbose_name_plural = _("stage-duration snapshots")
        ordering = ["-computed_on", "program", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["program", "stage", "computed_on"], name="stage_snapshot_once_a_day"),
        ]
        indexes = [models.Index(fields=["program", "stage", "-computed_on"], name="stage_snapshot_latest_idx")]

    def __str__(self) -> str:
        return f"{self.program_id} {self.stage_id} {self.computed_on}"

    def days_left(self, *, spent: float, share: float = 0.5) -> float | None:
        """Days until `share` of the stages that have already lasted `spent` days are done (None without data).

        Among completed stages longer than `spent`, the `share` point of what remained: the
        conditional distribution, read from the stored percentiles by linear interpolation.
        """
        points = self.quantiles
        if len(points) < 2:
            return None
        levels = [index / (len(points) - 1) for index in range(len(points))]

        def level_at(days: float) -> float:  # the share of stages done within `days`
            if days <= points[0]:
                return 0.0
            if days >= points[-1]:
                return 1.0
            for index in range(1, len(points)):
                if days <= points[index]:
                    low, high = points[index - 1], points[index]
                    weight = 0.0 if high == low else (days - low) / (high - low)
                    return levels[index - 1] + weight * (levels[index] - levels[index - 1])
            return 1.0  # pragma: no cover

        def days_at(level: float) -> float:
            position = level * (len(points) - 1)
            lower = min(int(position), len(points) - 2)
            return points[lower] + (points[lower + 1] - points[lower]) * (position - lower)

        done = level_at(spent)
        if done >= 1.0:
            return None  # longer than every completed one: nothing in the data to go on
        return max(0.0, days_at(done + share * (1 - done)) - spent)


class QueuePosition(models.Model):
    """How many open applications of a program were submitted before a given day, counted nightly.

    One row per program and submission day that has open files (a few thousand), in place
    of a count written on every open application (hundreds of thousands of rows a night).
    Only the latest night's rows are kept.
    """

    program = models.ForeignKey("applications.Program", on_delete=models.CASCADE, related_name="+")
    # Where the program publishes times per country, each country of residence is its own queue.
    country = CountryField(_("country of residence"), blank=True, help_text=_("Empty for all countries."))
    submitted_on = models.DateField(_("submitted on"))
    computed_on = models.DateField(_("counted on"))
    ahead = models.PositiveIntegerField(_("open applications submitted earlier"))

    class Meta:
        verbose_name = _("queue position")
        verbose_name_plural = _("queue positions")
        constraints = [
            models.UniqueConstraint(fields=["program", "country", "submitted_on"], name="queue_position_once"),
        ]

    def __str__(self) -> str:
        return f"{self.program_id} {self.submitted_on}: {self.ahead}"


class QueueForecast(models.Model):
    """One night's queue-aware estimate figures for a program's queue (processing_times.estimator).

    A status page adds its own count of files ahead: the likely decision is
    `(ahead / pace_per_day + 1) x factor_p50 - 1` days from `computed_on`, and so on
    (processing_times.estimator.days_from).
    """

    program = models.ForeignKey("applications.Program", on_delete=models.CASCADE, related_name="+")
    country = CountryField(_("country of residence"), blank=True, help_text=_("Empty for all countries."))
    computed_on = models.DateField(_("as of"))
    pace_per_day = models.FloatField(_("files decided per day (last 2 weeks)"))
    factor_p50 = models.FloatField(_("median factor"))
    factor_p80 = models.FloatField(_("80th percentile factor"))
    factor_p90 = models.FloatField(_("90th percentile factor"))
    errors = models.PositiveIntegerField(_("decided files calibrated on"))
    widened = models.BooleanField(_("widened for lack of data"), default=False)

    class Meta:
        verbose_name = _("queue forecast")
        verbose_name_plural = _("queue forecasts")
        ordering = ["-computed_on", "program", "country"]
        constraints = [
            models.UniqueConstraint(fields=["program", "country", "computed_on"], name="queue_forecast_once_a_day"),
            models.CheckConstraint(condition=Q(pace_per_day__gt=0), name="queue_forecast_pace_positive"),
        ]
        indexes = [models.Index(fields=["program", "country", "-computed_on"], name="queue_forecast_latest_idx")]

    def __str__(self) -> str:
        return f"{self.program_id} {self.country or 'all'} {self.computed_on}"

    def days_left(self, *, ahead: int) -> tuple[float, float, float]:
        """Days from `computed_on` to the median, 80th and 90th percentile dates, as the estimator counts them."""
        calibration = Calibration(
            factors=(self.factor_p50, self.factor_p80, self.factor_p90), errors=self.errors, widened=self.widened
        )
        return Forecast(pace_per_day=self.pace_per_day, calibration=calibration).days_left(ahead=ahead)


class BacktestReport(models.Model):
    """The latest replay of the estimates against what happened, as published on the methodology page."""

    computed_on = models.DateField(_("as of"), unique=True)
    start = models.DateField(_("first submission day"))
    end = models.DateField(_("last submission day"))
    evaluated = models.PositiveIntegerField(_("files evaluated"))
    share_within_p80 = models.FloatField(_("share decided within the 80th percentile"), null=True)
    share_within_band = models.FloatField(_("share decided within the 50th to 90th percentile"), null=True)
    median_abs_error_days = models.FloatField(_("median error (days)"), null=True)
    median_bias_days = models.FloatField(_("median bias (days)"), null=True)
    judged_months = models.PositiveIntegerField(_("months with enough files"), default=0)
    months_holding = models.PositiveIntegerField(_("months within the aims"), default=0)
    worst_month = models.CharField(_("worst month"), max_length=7, blank=True)
    worst_month_share = models.FloatField(_("worst month's share within the 80th percentile"), null=True)
    programs = models.JSONField(_("per program"), default=list)
    months = models.JSONField(_("per month of submission"), default=list)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("estimate backtest")
        verbose_name_plural = _("estimate backtests")
        ordering = ["-computed_on"]

    def __str__(self) -> str:
        return f"backtest {self.computed_on}"

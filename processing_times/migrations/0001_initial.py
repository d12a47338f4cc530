"""The processing-time snapshots, taken over from status_tracker: state only, the tables and their names stay.

The content types move with the models, so that permissions already granted on them keep working.
"""

import django.db.models.deletion
import django_countries.fields
from django.db import migrations, models

from core.model_moves import content_types_move

forward, backward = content_types_move(
    from_app="status_tracker", to_app="processing_times", models=["processingtimesnapshot", "stagedurationsnapshot"]
)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("applications", "0008_approved_next_steps"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("status_tracker", "0005_processing_times_move_out"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ProcessingTimeSnapshot",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("country", django_countries.fields.CountryField(blank=True, help_text="Empty for all countries.", max_length=2, verbose_name="country of residence")),
                        ("computed_on", models.DateField(verbose_name="as of")),
                        ("window_days", models.PositiveIntegerField(verbose_name="window (days)")),
                        ("sample_size", models.PositiveIntegerField(verbose_name="decisions in the window")),
                        ("p50_days", models.FloatField(blank=True, null=True, verbose_name="50th percentile (days)")),
                        ("p80_days", models.FloatField(blank=True, null=True, verbose_name="80th percentile (days)")),
                        ("p90_days", models.FloatField(blank=True, null=True, verbose_name="90th percentile (days)")),
                        ("waiting_count", models.PositiveIntegerField(default=0, verbose_name="applications waiting")),
                        ("monthly_output", models.FloatField(default=0, verbose_name="decisions per month (last 3 months)")),
                        ("computed_at", models.DateTimeField(auto_now=True, verbose_name="computed at")),
                        ("program", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="time_snapshots", to="applications.program")),
                    ],
                    options={
                        "verbose_name": "processing-time snapshot",
                        "verbose_name_plural": "processing-time snapshots",
                        "db_table": "status_tracker_processingtimesnapshot",
                        "ordering": ["-computed_on", "program", "country"],
                        "indexes": [models.Index(fields=["program", "country", "-computed_on"], name="time_snapshot_latest_idx")],
                        "constraints": [
                            models.UniqueConstraint(fields=("program", "country", "computed_on"), name="time_snapshot_once_a_day"),
                            models.CheckConstraint(condition=models.Q(("p50_days__isnull", True), models.Q(("p50_days__lte", models.F("p80_days")), ("p80_days__lte", models.F("p90_days"))), _connector="OR"), name="time_snapshot_percentiles_ordered"),
                            models.CheckConstraint(condition=models.Q(("monthly_output__gte", 0)), name="time_snapshot_output_not_negative"),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="StageDurationSnapshot",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("computed_on", models.DateField(verbose_name="as of")),
                        ("window_days", models.PositiveIntegerField(verbose_name="window (days)")),
                        ("sample_size", models.PositiveIntegerField(verbose_name="stages completed in the window")),
                        ("p50_days", models.FloatField(blank=True, null=True, verbose_name="median (days)")),
                        ("p80_days", models.FloatField(blank=True, null=True, verbose_name="80th percentile (days)")),
                        ("computed_at", models.DateTimeField(auto_now=True, verbose_name="computed at")),
                        ("program", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="stage_snapshots", to="applications.program")),
                        ("stage", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="applications.stage")),
                    ],
                    options={
                        "verbose_name": "stage-duration snapshot",
                        "verbose_name_plural": "stage-duration snapshots",
                        "db_table": "status_tracker_stagedurationsnapshot",
                        "ordering": ["-computed_on", "program", "stage"],
                        "indexes": [models.Index(fields=["program", "stage", "-computed_on"], name="stage_snapshot_latest_idx")],
                        "constraints": [models.UniqueConstraint(fields=("program", "stage", "computed_on"), name="stage_snapshot_once_a_day")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forward, backward),
    ]

"""The processing-time snapshots move to the processing_times app: forget them here, keep their tables.

processing_times.0001_initial takes the same tables over, under their existing names.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("status_tracker", "0004_refusal_grounds_and_holidays")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ProcessingTimeSnapshot"),
                migrations.DeleteModel(name="StageDurationSnapshot"),
            ],
            database_operations=[],
        ),
    ]

"""Notifications stop pointing at status events: one unique key per recipient and channel instead.

Replaces notification_once_per_event and notification_overdue_once; 0003 filled the keys.
"""

from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_notification_fill_from_event"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="notification", name="notification_once_per_event"),
        migrations.RemoveConstraint(model_name="notification", name="notification_overdue_once"),
        migrations.RemoveField(model_name="notification", name="event"),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                condition=~Q(dedupe_key=""),
                fields=("recipient", "channel", "dedupe_key"),
                name="notification_once_per_key",
            ),
        ),
    ]

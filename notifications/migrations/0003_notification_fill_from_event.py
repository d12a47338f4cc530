"""Fill the new fields of existing notifications from the status event each pointed at.

Rows about an event get "status_event:<id>", the event's message in both languages,
and whether emails may quote it; overdue alerts get "overdue:<application id>".
Backwards, the event link is restored from the key. A migration of its own: on
PostgreSQL, updating rows and altering their table in one transaction fails.
"""

from django.db import migrations
from django.db.models import CharField, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat, Substr

EVENT_PREFIX = "status_event:"
# Event kinds whose wording emails quoted before this change (see notifications.content).
QUOTED_IN_EMAIL = ["stage", "status", "action_required"]


def fill_from_events(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    StatusEvent = apps.get_model("status_tracker", "StatusEvent")
    event = StatusEvent.objects.filter(pk=OuterRef("event_id"))
    Notification.objects.filter(event__isnull=False).update(
        dedupe_key=Concat(Value(EVENT_PREFIX), Cast("event_id", CharField())),
        message_en=Subquery(event.values("message_en")[:1]),
        message_fr=Subquery(event.values("message_fr")[:1]),
    )
    Notification.objects.filter(event__kind__in=QUOTED_IN_EMAIL).exclude(kind="decision").update(
        message_in_email=True
    )
    Notification.objects.filter(kind="overdue", application__isnull=False).update(
        dedupe_key=Concat(Value("overdue:"), Cast("application_id", CharField()))
    )


def fill_events_back(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    StatusEvent = apps.get_model("status_tracker", "StatusEvent")

    def event_id(key):
        return Cast(Substr(key, len(EVENT_PREFIX) + 1), IntegerField())

    # Events deleted since no longer took their notifications with them: those rows stay without one.
    still_there = Exists(StatusEvent.objects.filter(pk=event_id(OuterRef("dedupe_key"))))
    Notification.objects.filter(dedupe_key__startswith=EVENT_PREFIX).filter(still_there).update(
        event_id=event_id("dedupe_key")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_notification_dedupe_key_and_message"),
        ("status_tracker", "0003_upstream_api_decisions"),
    ]

    operations = [
        migrations.RunPython(fill_from_events, fill_events_back, elidable=True),
    ]

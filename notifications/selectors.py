"""Reads for the notification centre and the header badge."""

from django.db.models import QuerySet
from django.http import Http404

from notifications.models import Channel, Notification


def unread_count_for_user(*, user) -> int:
    """One COUNT on the partial index notification_unread_idx."""
    return Notification.objects.filter(recipient=user, channel=Channel.IN_APP, read_at__isnull=True).count()


def centre_notifications_for_user(*, user) -> QuerySet[Notification]:
    """The person's in-app notifications, newest first, with what each row shows already joined."""
    return (
        Notification.objects.filter(recipient=user, channel=Channel.IN_APP)
        .select_related("application__program", "event")
        .order_by("-created_at", "-id")
    )


def notification_for_viewer(*, viewer, notification_id: int) -> Notification:
    """The viewer's own in-app notification, else Http404 (whose it is never leaks)."""
    if viewer is None or not viewer.is_authenticated:
        raise Http404
    try:
        return Notification.objects.get(pk=notification_id, recipient=viewer, channel=Channel.IN_APP)
    except Notification.DoesNotExist:
        raise Http404 from None

"""Reads for the notification centre and the header badge, through the one access policy.

A notification about a file shows only while its recipient may still see that file
(applications.access, need STATUS): unlinking hides it at once, linking again brings
it back. Notifications about no file always show.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from applications.access import Need, visible_q
from applications.models import ApplicationLink
from notifications.models import Channel, Notification


def _visible(*, user) -> Q:
    files = visible_q(viewer=user, need=Need.STATUS, prefix="application__")
    # An empty Q means "every file"; OR-ing it with anything would drop it instead.
    if not files:
        return Q()
    return files | Q(application__isnull=True)


def visible_in_app_notifications(*, user) -> QuerySet[Notification]:
    """The person's own in-app notifications that they may still see."""
    return Notification.objects.filter(recipient=user, channel=Channel.IN_APP).filter(_visible(user=user))


def unread_count_for_user(*, user) -> int:
    """One COUNT on the partial index notification_unread_idx, joined to the links for access."""
    return visible_in_app_notifications(user=user).filter(read_at__isnull=True).count()


def centre_notifications_for_user(*, user) -> QuerySet[Notification]:
    """The person's visible in-app notifications, newest first, with what each row shows already joined.

    `recipient_owns` says whether the file is the person's own or one they follow for a client.
    """
    owns = ApplicationLink.objects.filter(application=OuterRef("application"), account=user)
    return (
        visible_in_app_notifications(user=user)
        .select_related("application__program", "application__client")
        .annotate(recipient_owns=Exists(owns))
        .order_by("-created_at", "-id")
    )


def notification_for_viewer(*, viewer, notification_id: int) -> Notification:
    """The viewer's own in-app notification while they may see it, else Http404 (whose it is never leaks)."""
    if viewer is None or not viewer.is_authenticated:
        raise Http404
    try:
        return visible_in_app_notifications(user=viewer).get(pk=notification_id)
    except Notification.DoesNotExist:
        raise Http404 from None

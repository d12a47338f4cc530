"""Reads for the notification centre and the header badge, through the one access policy.

A notification about a file shows only while its recipient may still see that file
(applications.access, need STATUS): unlinking hides it at once, linking again brings
it back. Notifications about no file always show.
"""

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from applications.access import Need, visible_q
from applications.models import ApplicationLink
from core.prepared import prepared
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


# The person's unread in-app rows per file, and whether their account is linked to that file.
UNREAD_BY_FILE_SQL = """
SELECT n.application_id, COUNT(*), EXISTS(
    SELECT 1 FROM {link} l WHERE l.application_id = n.application_id AND l.account_id = %s
)
FROM {notification} n
WHERE n.recipient_id = %s AND n.channel = %s AND n.read_at IS NULL
GROUP BY n.application_id
"""


def unread_count_for_user(*, user) -> int:
    """The header's badge: the person's unread in-app notifications that they may still see.

    One plain query on the partial index notification_unread_idx, counting per file and
    whether the person's account is linked to it: rows about no file and about their own
    files show (applications.access's owner rule). Only rows about files they do not own,
    which only a grant or staff access can show, go through the full access policy, in a
    second query. Building that policy's query for every page cost more than the rest of
    the header.
    """
    if not (user.is_authenticated and user.is_active):
        return visible_in_app_notifications(user=user).filter(read_at__isnull=True).count()
    sql = UNREAD_BY_FILE_SQL.format(
        link=connection.ops.quote_name(ApplicationLink._meta.db_table),
        notification=connection.ops.quote_name(Notification._meta.db_table),
    )
    if connection.vendor == "postgresql":
        sql = prepared(name="unread_by_file", sql=sql)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, user.pk, Channel.IN_APP])
        rows = cursor.fetchall()
    count = sum(unread for application_id, unread, owned in rows if application_id is None or owned)
    others = [application_id for application_id, _unread, owned in rows if application_id is not None and not owned]
    if others:
        count += visible_in_app_notifications(user=user).filter(read_at__isnull=True, application_id__in=others).count()
    return count


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

"""Write notification rows in the caller's transaction; delivery starts only after commit.

This is the outbox: the rows are the promise to tell someone, stored atomically
with the change itself. Nothing here talks to Redis or to a provider, so a broker
or provider outage can delay a message but never lose one.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from notifications import dispatch
from notifications.models import Channel, Notification, NotificationPreference, State


@dataclass(frozen=True)
class OutboundMessage:
    """One piece of news for one person, worded by its producer; the outbox chooses the channels.

    The producer picks the recipients (through `applications.access.recipients_for`)
    and names the news with `dedupe_key`, which is written once per recipient and
    channel whatever the number of attempts, e.g. "status_event:<id>".
    """

    # An account (an AUTH_USER_MODEL instance; this app does not import the model), or None for
    # an email to a person without one: then `address` and `language` say where and how.
    recipient: Any
    kind: str  # a notifications.models.Kind value: people choose channels per kind
    dedupe_key: str
    # The file the news is about: the centre hides it from anyone who may no longer see that file.
    application_id: int | None = None
    # Shown in the notification centre, behind sign-in.
    message_en: str = ""
    message_fr: str = ""
    # Whether emails may quote the wording as well: never for decisions or officer's notes.
    message_in_email: bool = False
    # For news about something other than an application (an enquiry): a label such as its
    # reference number, and the path of its page below the language prefix ("enquiries/…/").
    about_label: str = ""
    link_path: str = ""
    # Only for a recipient without an account.
    address: str = ""
    language: str = ""


ROW_FIELDS = (
    "recipient_id",
    "application_id",
    "kind",
    "channel",
    "state",
    "language",
    "address",
    "dedupe_key",
    "message_en",
    "message_fr",
    "message_in_email",
    "about_label",
    "link_path",
)


def _preferences_by_user(*, user_ids: set[int]) -> dict[int, NotificationPreference]:
    return {pref.user_id: pref for pref in NotificationPreference.objects.filter(user_id__in=user_ids)}


def _extra(message: OutboundMessage) -> tuple:
    return (message.message_in_email, message.about_label, message.link_path)


def _address_row(message: OutboundMessage) -> tuple:
    """The one email row for a person without an account (nothing else reaches them)."""
    return (
        None,
        message.application_id,
        message.kind,
        Channel.EMAIL,
        State.PENDING,
        message.language or "en",
        message.address,
        message.dedupe_key,
        message.message_en,
        message.message_fr,
        *_extra(message),
    )


def _channel_rows(message: OutboundMessage, preference: NotificationPreference) -> list[tuple]:
    """One row per channel this person wants for this kind of news (the centre always)."""
    account = message.recipient
    language = account.preferred_language or "en"
    rows = []
    for channel in (Channel.IN_APP, Channel.EMAIL, Channel.SMS):
        if not preference.wants(channel=channel, kind=message.kind):
            continue
        if channel == Channel.IN_APP:
            # The notification centre is the delivery: nothing to send.
            state, address = State.SENT, ""
        elif channel == Channel.EMAIL:
            if not account.email:
                continue
            state = State.HELD if preference.daily_digest else State.PENDING
            address = account.email
        else:
            state, address = State.PENDING, preference.phone_number
        rows.append(
            (
                account.pk,
                message.application_id,
                message.kind,
                channel,
                state,
                language,
                address,
                message.dedupe_key,
                message.message_en,
                message.message_fr,
                *_extra(message),
            )
        )
    return rows


def outbox_write(*, messages: Iterable[OutboundMessage]) -> list[int]:
    """Write one row per message and channel its recipient chose; return the ids to deliver.

    Two queries whatever the number of messages: the recipients' preferences and one
    insert. Rows that already exist (the same key for the same person and channel)
    are skipped by the database. Delivery is enqueued after commit.
    """
    messages = list(messages)
    anonymous = [_address_row(message) for message in messages if message.recipient is None and message.address]
    messages = [message for message in messages if message.recipient is not None and message.recipient.is_active]
    if not messages and not anonymous:
        return []
    preferences = _preferences_by_user(user_ids={message.recipient.pk for message in messages})
    default = NotificationPreference()
    # Plain tuples, not model instances: building and preparing 200+ Notification
    # objects per batch was a third of the ingestion time.
    rows = anonymous + [
        row for message in messages for row in _channel_rows(message, preferences.get(message.recipient.pk, default))
    ]
    if not rows:
        return []
    ids = _insert_new(rows)
    if ids:
        transaction.on_commit(partial(_enqueue_after_commit, ids), robust=True)
    return ids


def _insert_new(rows: list[tuple]) -> list[int]:
    """Insert the rows, skipping any that already exist; return the ids of new pending rows.

    On PostgreSQL one INSERT … ON CONFLICT DO NOTHING RETURNING does both; Django's
    bulk_create cannot return ids when it ignores conflicts.
    """
    if connection.vendor != "postgresql":
        objects = [Notification(**dict(zip(ROW_FIELDS, row, strict=True))) for row in rows]
        Notification.objects.bulk_create(objects, ignore_conflicts=True)
        references = [row.reference for row in objects if row.state == State.PENDING]
        return list(
            Notification.objects.filter(reference__in=references, state=State.PENDING).values_list("pk", flat=True)
        )
    quote = connection.ops.quote_name
    now = timezone.now()
    # Columns the rows carry, then the ones every new row starts with.
    columns = [*ROW_FIELDS, "reference", "attempts", "provider_id", "last_error", "created_at"]
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    params: list = []
    for row in rows:
        params.extend(row)
        params.extend((uuid.uuid4(), 0, "", "", now))
    sql = (
        f"INSERT INTO {quote(Notification._meta.db_table)} ({', '.join(quote(column) for column in columns)}) "  # noqa: S608 (names are constants; values are parameters)
        f"VALUES {', '.join([placeholders] * len(rows))} "
        f"ON CONFLICT DO NOTHING RETURNING {quote('id')}, {quote('state')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [pk for pk, state in cursor.fetchall() if state == State.PENDING]


def _enqueue_after_commit(ids: list[int]) -> None:
    # Looked up when called, so a replaced dispatcher (tests, the benchmark's timers) is the one used.
    dispatch.delivery_enqueue(notification_ids=ids)

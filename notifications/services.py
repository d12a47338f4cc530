"""Writes of the notification side: deliver one row, sweep up stuck rows, build digests, mark read.

Delivery never sends a message twice. A row is claimed (state SENDING, attempts + 1)
and committed before the provider is called; any later attempt on a row that was
already tried first asks the provider whether a message with the row's reference
arrived, and only sends when none did. A worker killed between the provider's
answer and our commit therefore costs a look-up, not a duplicate.
"""

import datetime
import logging
import random
from dataclasses import dataclass, field
from functools import partial
from typing import cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Field, Q
from django.http import HttpRequest
from django.utils import timezone

from applications.access import audience_member_q
from core.audit import audit_record
from core.models import AuditAction
from notifications import dispatch, provider
from notifications.content import follower_initials_for_rows, message_render
from notifications.models import Channel, Kind, Notification, NotificationPreference, State
from notifications.selectors import visible_in_app_notifications

logger = logging.getLogger(__name__)

# Retries go on at least this long after the row was written; then the row fails.
GIVE_UP_AFTER = datetime.timedelta(hours=4)
FIRST_RETRY_SECONDS = 30
LONGEST_RETRY_SECONDS = 30 * 60
# Rows written less than this long ago are left to the task enqueued after their commit.
SWEEP_GRACE = datetime.timedelta(seconds=30)
SWEEP_BATCH = 500


class Outcome:
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"
    WITHDRAWN = "withdrawn"


def claim_lease() -> datetime.timedelta:
    """A row in SENDING whose claim is older than this is presumed abandoned by a dead worker.

    Far longer than one provider call (NOTIFY_TIMEOUT_SECONDS) can take; see
    settings.NOTIFICATION_CLAIM_LEASE_SECONDS.
    """
    return datetime.timedelta(seconds=settings.NOTIFICATION_CLAIM_LEASE_SECONDS)


def retry_delay(*, attempts: int) -> datetime.timedelta:
    """30 s, 60 s, 120 s ... doubling up to 30 minutes, with ±20 % jitter so retries spread out."""
    seconds = min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), LONGEST_RETRY_SECONDS)
    return datetime.timedelta(seconds=seconds * random.uniform(0.8, 1.2))  # noqa: S311 - jitter, not security


CLAIM_SQL = """
UPDATE {table} SET state = %s, claimed_at = %s, attempts = attempts + 1
WHERE id = %s AND (
    (state = %s AND (next_attempt_at IS NULL OR next_attempt_at <= %s))
    OR (state = %s AND (claimed_at IS NULL OR claimed_at <= %s))
)
RETURNING attempts
"""


# The columns set are the model's own (the names passed to _finish), never input.
FINISH_SQL = "UPDATE {table} SET {assignments} WHERE id = %s AND state = %s AND claimed_at = %s"


def _claim(*, row: Notification, now: datetime.datetime) -> bool | None:
    """Mark the row SENDING in one atomic statement; None if it is not ours to send now.

    A pending row is ours when its retry is due; a SENDING row only when its claim is
    older than the lease (its worker died). Two workers racing for a row serialise on
    the row lock and the second finds nothing to update. Returns whether an earlier
    attempt may have reached the provider (any earlier claim).
    """
    sql = CLAIM_SQL.format(table=connection.ops.quote_name(Notification._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(sql, [State.SENDING, now, row.pk, State.PENDING, now, State.SENDING, now - claim_lease()])
        claimed = cursor.fetchone()
    if claimed is None:
        return None  # done already, failed, not due yet, or another worker holds it
    row.state, row.claimed_at, row.attempts = State.SENDING, now, claimed[0]
    return row.attempts > 1


def _finish(row: Notification, **changes) -> bool:
    """Record the attempt's result unless someone else has taken the row over meanwhile.

    One plain UPDATE: building it through the ORM cost more than running it, once per message.
    """
    meta = Notification._meta

    def prepared(name: str, value):
        return cast(Field, meta.get_field(name)).get_db_prep_save(value, connection)

    # The fields a result sets are plain columns named as the fields.
    assignments = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in changes)
    params = [prepared(name, value) for name, value in changes.items()]
    claimed_at = prepared("claimed_at", row.claimed_at)
    sql = FINISH_SQL.format(table=connection.ops.quote_name(meta.db_table), assignments=assignments)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, row.pk, State.SENDING, claimed_at])
        return cursor.rowcount > 0


@dataclass
class _Batch:
    """What the rows of one task share, read once: the followers' initials, the pages' addresses."""

    clients: dict[int, str] = field(default_factory=dict)
    urls: dict[tuple[str, str], str] = field(default_factory=dict)


def _send(row: Notification, batch: _Batch | None = None) -> str:
    if batch is None:
        message = message_render(notification=row)
    else:
        message = message_render(notification=row, client=batch.clients.get(row.pk, ""), urls=batch.urls)
    reference = str(row.reference)
    if row.channel == Channel.EMAIL:
        return provider.send_email(
            address=row.address, subject=message.subject, body=message.body, language=row.language, reference=reference
        )
    if row.channel == Channel.SMS:
        return provider.send_sms(
            phone_number=row.address, body=message.body, language=row.language, reference=reference
        )
    raise provider.PermanentFailure(f"nothing to send on channel {row.channel!r}", status_code=400)


def notifications_deliver_many(*, notification_ids: list[int]) -> dict[str, int]:
    """Deliver each email or SMS row at most once; safe to call any number of times, from any worker.

    The rows and what their messages need are read once; each row is then claimed
    just before its own provider call, so a slow provider never ages the claims of
    rows still waiting in this task. One row's unexpected error never stops the others.
    Returns how many rows had each `Outcome`.
    """
    withdrawn = notifications_withdraw_unseen(notification_ids=notification_ids)
    rows = list(
        Notification.objects.select_related("application__program", "application__client").filter(
            pk__in=notification_ids, state__in=[State.PENDING, State.SENDING]
        )
    )
    outcomes = {Outcome.SKIPPED: len(set(notification_ids)) - len(rows) - withdrawn} if notification_ids else {}
    outcomes[Outcome.WITHDRAWN] = withdrawn
    batch = _Batch(clients=follower_initials_for_rows(rows))
    for row in rows:
        try:
            outcome = _deliver(row=row, now=timezone.now(), batch=batch)
        except Exception:
            # Left PENDING or SENDING: the sweeper brings it back.
            logger.exception("delivery of notification %s crashed", row.pk)
            outcome = "error"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return {outcome: count for outcome, count in outcomes.items() if count}


def notifications_withdraw_unseen(*, notification_ids: list[int]) -> int:
    """Mark WITHDRAWN the waiting rows about a file their recipient may no longer see; return how many.

    Unlinking (or any loss of access) stops what was written before it as well as what comes after.
    An email to an address without an account (a guest's enquiry) is judged by no account's access.
    """
    unseen = (
        Notification.objects.filter(pk__in=notification_ids, state__in=[State.PENDING, State.HELD])
        .filter(application__isnull=False, recipient__isnull=False)
        .exclude(audience_member_q(person_field="recipient"))
    )
    return unseen.update(state=State.WITHDRAWN, next_attempt_at=None)


def notification_deliver(*, notification_id: int, now: datetime.datetime | None = None) -> str:
    """Deliver one row (see notifications_deliver_many); returns its `Outcome` value."""
    if notifications_withdraw_unseen(notification_ids=[notification_id]):
        return Outcome.WITHDRAWN
    row = (
        Notification.objects.select_related("application__program")
        .filter(pk=notification_id, state__in=[State.PENDING, State.SENDING])
        .first()
    )
    if row is None:
        return Outcome.SKIPPED
    return _deliver(row=row, now=now or timezone.now())


def _deliver(*, row: Notification, now: datetime.datetime, batch: _Batch | None = None) -> str:
    """Claim, send (after asking the provider, when an earlier attempt may have got through), record.

    Temporary provider failures schedule a retry with exponential back-off (the
    sweeper re-enqueues it when due) until GIVE_UP_AFTER has passed since the row
    was written; permanent ones fail the row at once.
    """
    tried_before = _claim(row=row, now=now)
    if tried_before is None:
        return Outcome.SKIPPED
    try:
        provider_id = provider.find_by_reference(reference=str(row.reference)) if tried_before else None
        if provider_id is None:
            provider_id = _send(row, batch)
    except provider.PermanentFailure as error:
        logger.warning("notification %s failed for good: %s", row.pk, error)
        _finish(row, state=State.FAILED, last_error=str(error), next_attempt_at=None)
        return Outcome.FAILED
    except provider.TemporaryFailure as error:
        return _retry_later(row, error=str(error))
    except Exception as error:
        # A bug or a database blip while rendering: retried like a provider outage, so a
        # broken row ends FAILED (visible in admin) instead of being swept up forever.
        logger.exception("notification %s could not be delivered", row.pk)
        return _retry_later(row, error=repr(error)[:1000])
    _finish(row, state=State.SENT, provider_id=provider_id[:64], sent_at=timezone.now(), last_error="")
    return Outcome.SENT


def _retry_later(row: Notification, *, error: str) -> str:
    now = timezone.now()
    if now - row.created_at >= GIVE_UP_AFTER:
        logger.warning("notification %s failed after %s attempts: %s", row.pk, row.attempts, error)
        _finish(row, state=State.FAILED, last_error=error, next_attempt_at=None)
        return Outcome.FAILED
    _finish(row, state=State.PENDING, last_error=error, next_attempt_at=now + retry_delay(attempts=row.attempts))
    return Outcome.RETRY


def notifications_due(*, now: datetime.datetime | None = None, limit: int = SWEEP_BATCH) -> list[int]:
    """Ids of rows a worker should look at now: due retries, forgotten rows, abandoned claims."""
    now = now or timezone.now()
    due = Q(state=State.PENDING) & (
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lte=now - SWEEP_GRACE)
    )
    abandoned = Q(state=State.SENDING, claimed_at__lte=now - claim_lease())
    return list(
        Notification.objects.filter(due | abandoned)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def notifications_sweep(*, now: datetime.datetime | None = None) -> int:
    """Hand every row that is due, or stuck, to the workers again; return how many."""
    ids = notifications_due(now=now)
    if ids:
        dispatch.delivery_enqueue(notification_ids=ids)
    return len(ids)


def digests_create(*, today: datetime.date | None = None) -> list[int]:
    """Fold each person's held emails into one digest row for `today`; return the new digests' ids.

    One transaction per person. Running it twice the same day changes nothing: the
    held rows are gone after the first run. Rows held after a day's digest went out
    wait for the next day's.
    """
    today = today or timezone.localdate()
    recipient_ids = list(
        Notification.objects.filter(state=State.HELD, channel=Channel.EMAIL)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    created: list[int] = []
    for recipient_id in recipient_ids:
        digest_id = _digest_for_recipient(recipient_id=recipient_id, today=today)
        if digest_id is not None:
            created.append(digest_id)
    return created


def _digest_for_recipient(*, recipient_id: int, today: datetime.date) -> int | None:
    with transaction.atomic():
        waiting = Notification.objects.filter(recipient_id=recipient_id, state=State.HELD, channel=Channel.EMAIL)
        notifications_withdraw_unseen(notification_ids=list(waiting.values_list("pk", flat=True)))
        held = list(waiting.select_for_update(of=("self",)).select_related("recipient"))
        if not held:
            return None
        recipient = held[0].recipient
        if recipient is None:  # held rows always name an account: only account holders choose a digest
            return None
        digest, _created = Notification.objects.get_or_create(
            recipient_id=recipient_id,
            channel=Channel.EMAIL,
            kind=Kind.DIGEST,
            digest_on=today,
            defaults={
                "state": State.PENDING,
                "language": recipient.preferred_language or "en",
                "address": recipient.email or held[-1].address,
            },
        )
        if digest.state != State.PENDING or digest.attempts:
            return None  # today's digest has gone out already
        Notification.objects.filter(pk__in=[row.pk for row in held]).update(state=State.DIGESTED, digest=digest)
        transaction.on_commit(partial(_enqueue, [digest.pk]), robust=True)
    return digest.pk


def notification_mark_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def notifications_mark_all_read(*, user) -> int:
    """Mark read what the person's centre shows; notifications hidden with a file stay as they were."""
    return visible_in_app_notifications(user=user).filter(read_at__isnull=True).update(read_at=timezone.now())


# The preference fields a person turns off with one click in an email.
EMAIL_FIELDS_OFF = [
    "email_status_change",
    "email_action_required",
    "email_decision",
    "email_overdue",
    "email_enquiry_answered",
    "email_enquiry_alert",
    "daily_digest",
]


def _preferences_change(*, user_id: int, values: dict) -> list[str]:
    """Store the new values; return the names of the fields that changed. Runs in the caller's transaction."""
    preference = NotificationPreference.objects.select_for_update().filter(user_id=user_id).first()
    if preference is None:
        preference = NotificationPreference(user_id=user_id)
    changed = [name for name, value in values.items() if getattr(preference, name) != value]
    for name in changed:
        setattr(preference, name, values[name])
    preference.save()
    return changed


def _preferences_audit(*, user_id: int, changed: list[str], actor, request: HttpRequest | None) -> None:
    if changed:
        audit_record(
            action=AuditAction.PREFERENCES_CHANGED,
            actor=actor,
            subject_type="notification_preference",
            subject_id=user_id,
            request=request,
            extra={"changed": changed},
        )


def notification_preferences_update(*, user, values: dict, request: HttpRequest | None = None, actor=None) -> list[str]:
    """Save a person's choices (the preferences form's cleaned data); audit which fields changed.

    `actor` is whoever made the change when it is not the person (staff in admin).
    """
    with transaction.atomic():
        changed = _preferences_change(user_id=user.pk, values=values)
        _preferences_audit(user_id=user.pk, changed=changed, actor=actor or user, request=request)
    return changed


def email_unsubscribe(*, user_id: int, request: HttpRequest | None = None) -> bool:
    """Switch off every kind of email for this person; False when the account no longer exists.

    The signed link is the credential, so the audit names no actor.
    """
    if not get_user_model().objects.filter(pk=user_id).exists():
        return False
    with transaction.atomic():
        changed = _preferences_change(user_id=user_id, values=dict.fromkeys(EMAIL_FIELDS_OFF, False))
        _preferences_audit(user_id=user_id, changed=changed, actor=None, request=request)
    return True


def notifications_retry(*, notification_ids: list[int]) -> int:
    """Give failed rows another round of attempts (from admin); enqueued after commit."""
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update()
            .filter(pk__in=notification_ids, state=State.FAILED)
            .values_list("pk", flat=True)
        )
        # created_at stays: past the 4-hour window, a row gets one more attempt, not four more hours.
        Notification.objects.filter(pk__in=ids).update(state=State.PENDING, next_attempt_at=None, claimed_at=None)
        if ids:
            transaction.on_commit(partial(_enqueue, ids), robust=True)
    return len(ids)


def _enqueue(ids: list[int]) -> None:
    # Looked up when called, so a replaced dispatcher (tests, the benchmark's timers) is the one used.
    dispatch.delivery_enqueue(notification_ids=ids)

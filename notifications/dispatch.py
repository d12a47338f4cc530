"""Hand notification ids to the Celery workers without ever failing or stalling the caller.

Called after commit, often inside a web request. If the broker is down or slow the
ids are only logged: the rows are safe in the database and the sweeper
(`notifications.tasks.notifications_sweep`, every minute) enqueues them again.
"""

import logging
from collections.abc import Sequence

from celery import current_app

logger = logging.getLogger(__name__)

# Ids per task: enough to amortise a task's overhead (a publish in the web request, a
# receive, ack and two reads in the worker), few enough that one slow provider call does
# not hold many messages back. A batch of 100 events (about 120 emails and SMS) makes
# three tasks; at 10 ids it made twelve, each publish about a millisecond of the request.
CHUNK_SIZE = 40
# Published by name: the domain never imports its tasks module (see notifications.tasks).
DELIVER_TASK = "notifications.tasks.notifications_deliver"


def delivery_enqueue(*, notification_ids: Sequence[int]) -> None:
    """Enqueue delivery tasks, CHUNK_SIZE ids each. Never raises, never retries the broker.

    A signature by name runs in process when tasks are eager (no Redis configured)
    and is sent to the broker otherwise.
    """
    ids = list(notification_ids)
    for start in range(0, len(ids), CHUNK_SIZE):
        chunk = ids[start : start + CHUNK_SIZE]
        try:
            # retry=False: one try at publishing; the broker's socket time-outs bound it.
            current_app.signature(DELIVER_TASK, kwargs={"notification_ids": chunk}).apply_async(retry=False)
        except Exception:  # any broker or connection error: the sweeper will pick these up
            logger.warning(
                "could not enqueue %s notification(s) starting at id %s; the sweeper will retry",
                len(ids) - start,
                chunk[0],
                exc_info=True,
            )
            return

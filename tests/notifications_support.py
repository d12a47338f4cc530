"""Test support: a running fake GC Notify, and notification rows as the outbox would write them.

Typical use, with the real client over real HTTP::

    from tests.notifications_support import running_fake_notify

    with running_fake_notify() as (base_url, store), override_settings(NOTIFY_BASE_URL=base_url):
        ...  # deliver notifications
        assert len(store.messages()) == 1

`store` is a `demo.fake_notify.FakeNotifyStore`: `messages()`, `by_reference(ref)`,
`reset()` and `fail_next(status=500, count=3, delay=0)`. A test in another process
(a real Celery worker) can read the same messages over HTTP at ``GET {base_url}/_fake/messages``
and reset them with ``POST {base_url}/_fake/reset``, or share a SQLite file through `db_path`.
"""

import contextlib
import threading
from collections.abc import Iterator

from demo.fake_notify import DEFAULT_API_KEY, FakeNotifyApp, FakeNotifyStore, make_fake_server


@contextlib.contextmanager
def running_fake_notify(
    *, db_path: str | None = None, api_key: str | None = None, port: int = 0
) -> Iterator[tuple[str, FakeNotifyStore]]:
    """Serve the fake GC Notify on 127.0.0.1 (a free port unless given) in a thread.

    Yields ``(base_url, store)`` and stops the server on exit. `api_key` defaults to
    the development key that `settings.NOTIFY_API_KEY` also defaults to.
    """
    from django.conf import settings

    store = FakeNotifyStore(db_path)
    app = FakeNotifyApp(store=store, api_key=api_key or getattr(settings, "NOTIFY_API_KEY", DEFAULT_API_KEY))
    server = make_fake_server(port=port, app=app)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", store
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def make_event(
    *, application, kind: str = "stage", stage_code: str | None = None, state: str = "in_progress", **fields
):
    """A StatusEvent for `application`, sent through ingestion like any upstream event (telling nobody).

    A stage event names a stage of the application's program (its first unless told).
    """
    from tests.factories import ingest_event

    stage = ""
    if kind in ("stage", "action_required"):
        codes = application.program.program_stages.order_by("position").values_list("stage__code", flat=True)
        stage = next(code for code in codes if stage_code is None or code == stage_code)
    fields.setdefault("message_en", "We started the background check.")
    fields.setdefault("message_fr", "Nous avons commencé la vérification des antécédents.")
    return ingest_event(
        application=application,
        kind=kind,
        stage=stage,
        state=state if kind in ("stage", "action_required") else "",
        **fields,
    )


def make_notification(*, recipient, application=None, event=None, **fields):
    """A Notification row as the outbox would write it (PENDING email unless told), for tests.

    With `event` (a StatusEvent), the row carries what ingestion would give it: the
    event's key and wording, and whether an email may quote it.
    """
    from notifications.models import Channel, Kind, Notification, State

    channel = fields.pop("channel", Channel.EMAIL)
    defaults = {
        "kind": Kind.STATUS_CHANGE,
        "state": State.SENT if channel == Channel.IN_APP else State.PENDING,
        "language": recipient.preferred_language or "en",
        "address": recipient.email if channel == Channel.EMAIL else ("+16135550199" if channel == Channel.SMS else ""),
    }
    if event is not None:
        # Test tooling only: the producer's rule, so tests see what ingestion would write.
        from status_tracker.news import event_message

        news = event_message(event=event, recipient=recipient)
        defaults.update(
            dedupe_key=news.dedupe_key,
            message_en=news.message_en,
            message_fr=news.message_fr,
            message_in_email=news.message_in_email,
        )
    defaults.update(fields)
    return Notification.objects.create(recipient=recipient, application=application, channel=channel, **defaults)

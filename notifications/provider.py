"""A thin wrapper around GC Notify's Python client: send an email or an SMS, or find one by reference.

Every failure is sorted into one of two kinds, because delivery acts on the kind:
`PermanentFailure` (the request itself is wrong: a 4xx other than 429; sending it
again cannot help) and `TemporaryFailure` (429, 5xx, time-outs, refused
connections: try again later). The client reports a network failure as a 503.
"""

import threading

from django.conf import settings
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient


class ProviderError(Exception):
    """Delivery failed; `status_code` is the provider's answer (503 when there was none)."""

    def __init__(self, message: str, *, status_code: int):
        super().__init__(message)
        self.status_code = status_code


class PermanentFailure(ProviderError):
    pass


class TemporaryFailure(ProviderError):
    pass


# The client keeps a requests.Session and is documented as not thread-safe: one per thread.
_local = threading.local()


def _client() -> NotificationsAPIClient:
    key = (settings.NOTIFY_BASE_URL, settings.NOTIFY_API_KEY, settings.NOTIFY_TIMEOUT_SECONDS)
    cached = getattr(_local, "client", None)
    if cached is None or cached[0] != key:
        client = NotificationsAPIClient(
            settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=settings.NOTIFY_TIMEOUT_SECONDS
        )
        # requests otherwise reads proxy settings from the environment on every call
        # (about 1 ms a message); a proxy, when needed, is set explicitly.
        client.request_session.trust_env = False
        if settings.NOTIFY_PROXY_URL:
            client.request_session.proxies = {"https": settings.NOTIFY_PROXY_URL, "http": settings.NOTIFY_PROXY_URL}
        cached = (key, client)
        _local.client = cached
    return cached[1]


def _classified(error: APIError) -> ProviderError:
    status = error.status_code
    message = f"{status} {error.message}"[:1000]
    if 400 <= status < 500 and status != 429:
        return PermanentFailure(message, status_code=status)
    return TemporaryFailure(message, status_code=status)


def _template_id(*, channel: str, language: str) -> str:
    templates = settings.NOTIFY_TEMPLATES[channel]
    return templates.get(language) or templates["en"]


def send_email(*, address: str, subject: str, body: str, language: str, reference: str) -> str:
    """Send one email through the language's template; return GC Notify's id for it."""
    try:
        response = _client().send_email_notification(
            email_address=address,
            template_id=_template_id(channel="email", language=language),
            personalisation={"subject": subject, "body": body},
            reference=reference,
        )
    except APIError as error:
        raise _classified(error) from error
    return str(response["id"])


def send_sms(*, phone_number: str, body: str, language: str, reference: str) -> str:
    """Send one text message through the language's template; return GC Notify's id for it."""
    try:
        response = _client().send_sms_notification(
            phone_number=phone_number,
            template_id=_template_id(channel="sms", language=language),
            personalisation={"body": body},
            reference=reference,
        )
    except APIError as error:
        raise _classified(error) from error
    return str(response["id"])


def find_by_reference(*, reference: str) -> str | None:
    """GC Notify's id of a message sent earlier with `reference`, or None if it never arrived."""
    try:
        response = _client().get_all_notifications(reference=reference)
    except APIError as error:
        raise _classified(error) from error
    found = response.get("notifications") or []
    return str(found[0]["id"]) if found else None

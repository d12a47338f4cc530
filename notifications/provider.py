"""A thin wrapper around GC Notify's Python client: send an email or an SMS, or find one by reference.

Every failure is sorted into one of two kinds, because delivery acts on the kind:
`PermanentFailure` (the request itself is wrong: a 4xx other than 429; sending it
again cannot help) and `TemporaryFailure` (429, 5xx, time-outs, refused
connections: try again later). The client reports a network failure as a 503.
"""

import json
import threading
import time
import urllib.parse

import certifi
import urllib3
from django.conf import settings
from notifications_python_client.authentication import create_jwt_token
from notifications_python_client.errors import REQUEST_ERROR_MESSAGE, APIError, HTTP503Error, HTTPError
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


class _Answer:
    """What the client's JSON and error handling read of a provider's answer."""

    def __init__(self, status: int, data: bytes) -> None:
        self.status_code = status
        self._data = data

    def json(self):
        return json.loads(self._data)


class PooledClient(NotificationsAPIClient):
    """GC Notify's own client (its URLs, token, payloads and errors), sending through a urllib3 pool.

    requests prepared every call anew (cookie jar, hooks, environment, URL parsing and
    the adapter): about half a millisecond of CPU a message, as much as rendering and
    recording it. The token is signed once a second: its only changing claim, `iat`, is
    in whole seconds, so a token signed for every call within the second would be the same.
    Errors are the client's: an answer of 400 or more is an HTTPError with the answer, no
    answer at all (refused, reset, timed out) an APIError whose status is 503.
    """

    def __init__(self, api_key: str, *, base_url: str, timeout: float, proxy_url: str = "") -> None:
        super().__init__(api_key, base_url=base_url, timeout=timeout)
        self.request_session = None  # never used: requests is what this class replaces
        limit = urllib3.Timeout(connect=timeout, read=timeout)
        # certifi: the certificates requests trusted.
        self.pool = (
            urllib3.ProxyManager(proxy_url, ca_certs=certifi.where(), retries=False, timeout=limit)
            if proxy_url
            else urllib3.PoolManager(ca_certs=certifi.where(), retries=False, timeout=limit)
        )
        self._token: tuple[int, str] = (0, "")

    def _create_request_objects(self, url, data, params):
        second = int(time.time())
        if self._token[0] != second:
            self._token = (second, create_jwt_token(self.api_key, self.service_id))
        url = urllib.parse.urljoin(str(self.base_url), str(url))
        query = {name: value for name, value in (params or {}).items() if value is not None}
        if query:
            url = f"{url}?{urllib.parse.urlencode(query)}"
        body = self._serialize_data(data) if data is not None else None
        return url, {"headers": self.generate_headers(self._token[1]), "body": body}

    def _perform_request(self, method, url, kwargs):
        try:
            answer = self.pool.request(method, url, body=kwargs["body"], headers=kwargs["headers"])
        except urllib3.exceptions.HTTPError as error:
            raise APIError(message=f"{REQUEST_ERROR_MESSAGE}: {error}") from error
        response = _Answer(answer.status, answer.data)
        if answer.status >= 400:
            raise (HTTP503Error if answer.status == 503 else HTTPError)(response)  # type: ignore[arg-type]
        return response


# One client per thread (GC Notify's client is documented as not thread-safe).
_local = threading.local()


def _client() -> PooledClient:
    key = (
        settings.NOTIFY_BASE_URL,
        settings.NOTIFY_API_KEY,
        settings.NOTIFY_TIMEOUT_SECONDS,
        settings.NOTIFY_PROXY_URL,
    )
    cached = getattr(_local, "client", None)
    if cached is None or cached[0] != key:
        client = PooledClient(
            settings.NOTIFY_API_KEY,
            base_url=settings.NOTIFY_BASE_URL,
            timeout=settings.NOTIFY_TIMEOUT_SECONDS,
            proxy_url=settings.NOTIFY_PROXY_URL,
        )
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

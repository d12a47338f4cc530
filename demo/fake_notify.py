"""A local stand-in for the parts of GC Notify's API the portal uses, for development and tests.

It answers like the real service (same paths, same JWT check, same response and
error shapes) so that the real `notifications-python-client` talks to it unchanged:

- ``POST /v2/notifications/email`` and ``POST /v2/notifications/sms``: checks the
  bearer token (HS256, ``iss`` = the service id, ``iat`` within 30 seconds), the
  template id, the required personalisation, the address; answers 201.
- ``GET /v2/notifications?reference=...`` and ``GET /v2/notifications/<id>``.

For tests and developers, without authentication:

- ``GET /_fake/messages``: every message received, oldest first, as JSON
  ``{"messages": [{"id", "type", "reference", "email_address", "phone_number",
  "template_id", "personalisation", "subject", "body", "html", "created_at"}]}``.
- ``POST /_fake/reset``: forget every message and any failure mode.
- ``POST /_fake/fail`` with ``{"status": 500, "count": 3, "delay": 0}``: the next
  `count` sends answer `status` (after sleeping `delay` seconds, which lets a test
  provoke a client time-out); ``{"count": 0}`` turns failures off.
- ``GET /``: an HTML page listing the messages, text and rendered HTML.

Messages live in SQLite: in memory by default, or in a file given as ``db_path`` so
that another process (a test, a benchmark) can read them. Run it with
``python manage.py run_fake_notify --port 6012 [--db path]``.
"""

import html
import json
import re
import time
import uuid
from datetime import UTC, datetime
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import TokenDecodeError, TokenExpiredError, TokenIssuerError

from demo.fake_notify_store import FakeNotifyStore

# Template ids the fake knows, and the personalisation each needs, unless given others.
DEFAULT_TEMPLATES = {
    "aaaaaaaa-0000-4000-8000-000000000001": ("email", ("subject", "body")),
    "aaaaaaaa-0000-4000-8000-000000000002": ("email", ("subject", "body")),
    "aaaaaaaa-0000-4000-8000-000000000003": ("sms", ("body",)),
    "aaaaaaaa-0000-4000-8000-000000000004": ("sms", ("body",)),
}
DEFAULT_API_KEY = "portal_dev-11111111-1111-4111-8111-111111111111-22222222-2222-4222-8222-222222222222"
FROM_EMAIL = "portal@notification.canada.ca"
FROM_NUMBER = "+16135550100"

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL_RE = re.compile(r"https?://[^\s<]+")
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def render_html(body: str) -> str:
    """Roughly what GC Notify does with a plain-text email body: paragraphs, line breaks, links."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", body.strip()):
        escaped = html.escape(block)
        linked = _URL_RE.sub(lambda match: f'<a href="{match.group(0)}">{match.group(0)}</a>', escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return "\n".join(paragraphs)


def _error(status: int, error: str, message: str) -> tuple[int, dict]:
    return status, {"status_code": status, "errors": [{"error": error, "message": message}]}


class FakeNotifyApp:
    """The WSGI application. `templates` maps template id to (type, required personalisation)."""

    def __init__(
        self,
        *,
        store: FakeNotifyStore | None = None,
        api_key: str = DEFAULT_API_KEY,
        templates: dict[str, tuple[str, tuple[str, ...]]] | None = None,
    ):
        self.store = store or FakeNotifyStore()
        # Split the key as the client does: the last 36 characters are the secret,
        # the 36 before them (and a separator) the service id.
        self.service_id = api_key[-73:-37]
        self.secret = api_key[-36:]
        self.templates = templates or DEFAULT_TEMPLATES

    # -- WSGI --------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "/")
        try:
            status, body, content_type = self._route(environ, method, path)
        except Exception as error:  # a fake that crashes silently would hide the cause of a failing test
            status, payload = _error(500, "Exception", f"fake GC Notify failed: {error!r}")
            body, content_type = json.dumps(payload), "application/json"
        encoded = body.encode("utf-8")
        reason = {200: "OK", 201: "Created", 204: "No Content"}.get(status, "Error")
        start_response(f"{status} {reason}", [("Content-Type", content_type), ("Content-Length", str(len(encoded)))])
        return [encoded]

    def _route(self, environ, method: str, path: str) -> tuple[int, str, str]:
        if path == "/" and method == "GET":
            return 200, self._html_page(), "text/html; charset=utf-8"
        if path.startswith("/_fake/"):
            status, payload = self._control(environ, method, path)
        elif path.startswith("/v2/"):
            status, payload = self._api(environ, method, path)
        else:
            status, payload = _error(404, "NotFound", "Not found")
        return status, json.dumps(payload), "application/json"

    # -- test and developer endpoints ---------------------------------------------------
    def _control(self, environ, method: str, path: str) -> tuple[int, dict]:
        if path == "/_fake/messages" and method == "GET":
            return 200, {"messages": self.store.messages()}
        if path == "/_fake/reset" and method == "POST":
            self.store.reset()
            return 200, {"reset": True}
        if path == "/_fake/fail" and method == "POST":
            data = _read_json(environ) or {}
            self.store.fail_next(
                status=int(data.get("status", 500)), count=int(data.get("count", 1)), delay=float(data.get("delay", 0))
            )
            return 200, {"failing": data}
        return _error(404, "NotFound", "Not found")

    # -- the GC Notify API ---------------------------------------------------------------
    def _api(self, environ, method: str, path: str) -> tuple[int, dict]:
        auth_problem = self._check_token(environ.get("HTTP_AUTHORIZATION", ""))
        if auth_problem:
            return auth_problem
        if method == "POST" and path in ("/v2/notifications/email", "/v2/notifications/sms"):
            planned = self.store.take_failure()
            if planned:
                status, delay = planned
                if delay:
                    time.sleep(delay)
                if status >= 400:
                    return _error(status, "FakeFailure", f"failure planned by the test ({status})")
            return self._send(environ, path.rsplit("/", 1)[1])
        if method == "GET" and path == "/v2/notifications":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            reference = (query.get("reference") or [None])[0]
            messages = self.store.by_reference(reference) if reference else self.store.messages()
            kinds = query.get("template_type")
            if kinds:
                messages = [m for m in messages if m["type"] in kinds]
            messages.reverse()  # newest first, as GC Notify lists them
            return 200, {
                "notifications": [self._as_notification(m, environ) for m in messages],
                "links": {"current": self._base(environ) + "/v2/notifications"},
            }
        if method == "GET" and path.startswith("/v2/notifications/"):
            message_id = path.rsplit("/", 1)[1]
            if not _UUID_RE.match(message_id):
                return _error(400, "ValidationError", "notification_id is not a valid UUID")
            message = self.store.by_id(message_id)
            if message is None:
                return _error(404, "NoResultFound", "No result found")
            return 200, self._as_notification(message, environ)
        return _error(404, "NotFound", "Not found")

    def _check_token(self, header: str) -> tuple[int, dict] | None:
        if not header:
            return _error(401, "AuthError", "Unauthorized, authentication token must be provided")
        if header[:7].title() != "Bearer ":
            return _error(401, "AuthError", "Unauthorized, authentication bearer scheme must be used")
        token = header[7:]
        try:
            issuer = get_token_issuer(token)
        except TokenIssuerError:
            return _error(403, "AuthError", "Invalid token: iss field not provided")
        except TokenDecodeError:
            return _error(403, "AuthError", "Invalid token: signature, api token is not valid")
        if issuer != self.service_id:
            return _error(403, "AuthError", "Invalid token: service not found")
        try:
            decode_jwt_token(token, self.secret)
        except TokenExpiredError:
            return _error(403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds")
        except TokenDecodeError:
            return _error(403, "AuthError", "Invalid token: signature, api token not found")
        except Exception:  # any other JWT problem (algorithm, malformed claims)
            return _error(403, "AuthError", "Invalid token: signature, api token not found")
        return None

    def _send(self, environ, kind: str) -> tuple[int, dict]:
        data = _read_json(environ)
        if not isinstance(data, dict):
            return _error(400, "ValidationError", "Request body is not valid JSON")
        problem = self._send_problem(data, kind)
        if problem:
            return problem
        address = str(data["email_address" if kind == "email" else "phone_number"])
        personalisation = data.get("personalisation") or {}
        body = str(personalisation.get("body", ""))
        subject = str(personalisation.get("subject", "")) if kind == "email" else None
        message = {
            "id": str(uuid.uuid4()),
            "type": kind,
            "reference": data.get("reference"),
            "email_address": address if kind == "email" else None,
            "phone_number": address if kind == "sms" else None,
            "template_id": str(data["template_id"]),
            "personalisation": personalisation,
            "subject": subject,
            "body": body,
            "html": render_html(body) if kind == "email" else None,
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }
        self.store.add(message)
        base = self._base(environ)
        content = (
            {"body": body, "subject": subject, "from_email": FROM_EMAIL}
            if kind == "email"
            else {"body": body, "from_number": FROM_NUMBER}
        )
        return 201, {
            "id": message["id"],
            "reference": message["reference"],
            "content": content,
            "uri": f"{base}/v2/notifications/{message['id']}",
            "template": {
                "id": message["template_id"],
                "version": 1,
                "uri": f"{base}/services/{self.service_id}/templates/{message['template_id']}",
            },
            "scheduled_for": None,
        }

    def _send_problem(self, data: dict, kind: str) -> tuple[int, dict] | None:
        """What GC Notify would refuse in a send request, as its error answer; None when it is acceptable."""
        address_field = "email_address" if kind == "email" else "phone_number"
        allowed = {"reference", address_field, "template_id", "personalisation", "scheduled_for"}
        allowed |= {"email_reply_to_id"} if kind == "email" else {"sms_sender_id"}
        for key in data:
            if key not in allowed:
                return _error(400, "ValidationError", f"Additional properties are not allowed ({key} was unexpected)")
        for key in (address_field, "template_id"):
            if not data.get(key):
                return _error(400, "ValidationError", f"{key} is a required property")
        address = str(data[address_field])
        if kind == "email" and not _EMAIL_RE.match(address):
            return _error(400, "ValidationError", "email_address Not a valid email address")
        if kind == "sms":
            problem = _phone_problem(address)
            if problem:
                return _error(400, "ValidationError", f"phone_number {problem}")
        template = self.templates.get(str(data["template_id"]))
        if template is None:
            return _error(400, "BadRequestError", "Template not found")
        template_type, required = template
        if template_type != kind:
            return _error(400, "BadRequestError", f"{template_type} template is not suitable for {kind} notification")
        personalisation = data.get("personalisation") or {}
        if not isinstance(personalisation, dict):
            return _error(400, "ValidationError", "personalisation is not of type object")
        missing = [name for name in required if name not in personalisation]
        if missing:
            return _error(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")
        return None

    def _as_notification(self, message: dict, environ) -> dict:
        base = self._base(environ)
        return {
            "id": message["id"],
            "reference": message["reference"],
            "email_address": message["email_address"],
            "phone_number": message["phone_number"],
            "line_1": None,
            "line_2": None,
            "line_3": None,
            "line_4": None,
            "line_5": None,
            "line_6": None,
            "postcode": None,
            "type": message["type"],
            "status": "delivered",
            "template": {
                "id": message["template_id"],
                "version": 1,
                "uri": f"{base}/services/{self.service_id}/templates/{message['template_id']}",
            },
            "body": message["body"],
            "subject": message["subject"],
            "created_at": message["created_at"],
            "sent_at": message["created_at"],
            "completed_at": message["created_at"],
            "scheduled_for": None,
        }

    @staticmethod
    def _base(environ) -> str:
        return f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', 'localhost')}"

    def _html_page(self) -> str:
        rows = []
        for message in reversed(self.store.messages()):
            to = html.escape(message["email_address"] or message["phone_number"] or "")
            subject = html.escape(message["subject"] or "")
            preview = message["html"] or f"<p>{html.escape(message['body'])}</p>"
            rows.append(
                "<article>"
                f"<h2>{html.escape(message['type'].upper())} to {to}</h2>"
                f"<p><small>{html.escape(message['created_at'])} · reference {html.escape(message['reference'] or '')}"
                f" · id {html.escape(message['id'])}</small></p>"
                + (f"<h3>{subject}</h3>" if subject else "")
                + f"<details><summary>Plain text</summary><pre>{html.escape(message['body'])}</pre></details>"
                f"<div>{preview}</div></article><hr>"
            )
        listing = "\n".join(rows) or "<p>No message received yet.</p>"
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Fake GC Notify</title></head>'
            f"<body><h1>Fake GC Notify: messages received, newest first</h1>{listing}</body></html>"
        )


def _phone_problem(number: str) -> str | None:
    digits = re.sub(r"[\s().+-]", "", number)
    if not digits.isdigit():
        return "Must not contain letters or symbols"
    if len(digits) < 10:
        return "Not enough digits"
    if len(digits) > 15:
        return "Too many digits"
    return None


def _read_json(environ):
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    raw = environ["wsgi.input"].read(length) if length else b""
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


def make_fake_server(*, host: str = "127.0.0.1", port: int = 0, app: FakeNotifyApp | None = None, quiet: bool = True):
    """A threaded wsgiref server for the fake; port 0 picks a free port (see `server.server_port`)."""
    app = app or FakeNotifyApp()
    handler = _QuietHandler if quiet else WSGIRequestHandler
    return make_server(host, port, app, server_class=_ThreadingServer, handler_class=handler)

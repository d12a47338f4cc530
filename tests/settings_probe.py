"""Test support: load portal.settings in a fresh Python with chosen environment variables, and report.

Settings are read once per process, so each combination needs its own interpreter.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Variables a test sets on purpose; the developer's own values never leak into the probe.
SETTINGS_VARS = (
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "CACHE_REDIS_URL",
    "PORTAL_DEMO_ENABLED",
    "PORTAL_SITE_URL",
    "EMAIL_URL",
    "NOTIFY_BASE_URL",
    "NOTIFY_API_KEY",
    "NOTIFY_TEMPLATE_EMAIL_EN",
    "NOTIFY_TEMPLATE_EMAIL_FR",
    "NOTIFY_TEMPLATE_SMS_EN",
    "NOTIFY_TEMPLATE_SMS_FR",
)

# Everything production needs, with harmless values: a test removes one to see start-up refuse.
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "test-only-secret-" + "x7Kq2" * 10,
    "DJANGO_ALLOWED_HOSTS": "portal.example",
    "PORTAL_SITE_URL": "https://portal.example",
    "DATABASE_URL": "postgres://portal:secret@db.internal:5432/portal",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example:587",
    "NOTIFY_BASE_URL": "https://api.notification.canada.ca",
    "NOTIFY_API_KEY": "portal-11111111-1111-4111-8111-111111111111-22222222-2222-4222-8222-222222222222",
    "NOTIFY_TEMPLATE_EMAIL_EN": "bbbbbbbb-0000-4000-8000-000000000001",
    "NOTIFY_TEMPLATE_EMAIL_FR": "bbbbbbbb-0000-4000-8000-000000000002",
    "NOTIFY_TEMPLATE_SMS_EN": "bbbbbbbb-0000-4000-8000-000000000003",
    "NOTIFY_TEMPLATE_SMS_FR": "bbbbbbbb-0000-4000-8000-000000000004",
}

# Sets up Django ignoring any .env file; prints {"error", "message"} when start-up refuses.
PREAMBLE = """
import json
import environ

environ.Env.read_env = classmethod(lambda cls, *args, **kwargs: None)

import django
from django.conf import settings

try:
    django.setup()
except Exception as exc:
    print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))
    raise SystemExit(0)
"""


def settings_probe(report: str, **variables: str) -> dict:
    """Run PREAMBLE then `report` (code that prints one JSON line) with only `variables` set; return it."""
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARS}
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    env.update(variables)
    result = subprocess.run(  # noqa: S603 - fixed command, test input only
        [sys.executable, "-c", PREAMBLE + report],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])

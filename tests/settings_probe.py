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
    "PORTAL_DEMO_ENABLED",
)

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

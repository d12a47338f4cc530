"""The demo app is development tooling: installed in debug or on a staging demo that asks, never in production.

Settings are loaded in a fresh interpreter with only the variables each case sets (as in
tests/portal/test_settings_env.py); no database is touched.
"""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_VARS = (
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "PORTAL_DEMO_ENABLED",
)
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "test-only-secret-" + "x7Kq2" * 10,
    "DJANGO_ALLOWED_HOSTS": "portal.example",
}
# Code outside demo/, tests/ and bench/ that may import it: none.
ALLOWED_IMPORTERS: set[Path] = set()

PROBE = """
import json
import environ

# Ignore a developer's .env: only the variables this test passes count.
environ.Env.read_env = classmethod(lambda cls, *args, **kwargs: None)

import django
from django.conf import settings

try:
    django.setup()
except Exception as exc:
    print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))
    raise SystemExit(0)

from django.core.management import get_commands

commands = get_commands()
print(json.dumps({
    "INSTALLED_APPS": settings.INSTALLED_APPS,
    "seed_demo": "seed_demo" in commands,
    "run_fake_notify": "run_fake_notify" in commands,
}))
"""


def load_settings(**variables: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARS}
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    env.update(variables)
    result = subprocess.run(  # noqa: S603 - fixed command, test input only
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_leave_the_demo_app_and_its_commands_out():
    loaded = load_settings(**PRODUCTION)
    assert "error" not in loaded, loaded
    assert "demo" not in loaded["INSTALLED_APPS"]
    assert not loaded["seed_demo"] and not loaded["run_fake_notify"]


def test_a_staging_demo_installs_it_when_asked():
    loaded = load_settings(**PRODUCTION, PORTAL_DEMO_ENABLED="true")
    assert "demo" in loaded["INSTALLED_APPS"]
    assert loaded["seed_demo"] and loaded["run_fake_notify"]


def test_development_installs_it():
    loaded = load_settings()
    assert "demo" in loaded["INSTALLED_APPS"]
    assert loaded["seed_demo"]


def test_a_malformed_demo_flag_stops_start_up():
    loaded = load_settings(**PRODUCTION, PORTAL_DEMO_ENABLED="maybe")
    assert loaded.get("error") == "ImproperlyConfigured"
    assert "PORTAL_DEMO_ENABLED" in loaded["message"]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_nothing_in_the_portal_imports_the_demo_app():
    development_only = {"demo", "tests", "bench", ".venv"}
    importers = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in development_only or relative in ALLOWED_IMPORTERS:
            continue
        if any(name == "demo" or name.startswith("demo.") for name in imported_modules(path)):
            importers.append(str(relative))
    assert not importers, f"production code imports demo: {sorted(importers)}"

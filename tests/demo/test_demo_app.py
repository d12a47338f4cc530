"""The demo app is development tooling: installed in debug or on a staging demo that asks, never in production.

Settings are loaded in a fresh interpreter with only the variables each case sets (as in
tests/portal/test_settings_env.py); no database is touched.
"""

import ast
from pathlib import Path

from tests.settings_probe import PRODUCTION, settings_probe

ROOT = Path(__file__).resolve().parents[2]
# Code outside demo/, tests/ and bench/ that may import it: none.
ALLOWED_IMPORTERS: set[Path] = set()

REPORT = """
from django.core.management import get_commands

commands = get_commands()
print(json.dumps({
    "INSTALLED_APPS": settings.INSTALLED_APPS,
    "seed_demo": "seed_demo" in commands,
    "run_fake_notify": "run_fake_notify" in commands,
}))
"""


def load_settings(**variables: str) -> dict:
    return settings_probe(REPORT, **variables)


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
    loaded = load_settings(DJANGO_DEBUG="true")
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

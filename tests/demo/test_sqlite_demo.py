"""The first README command runs on SQLite, which the rest of the suite (on PostgreSQL) never touches.

This loads a small demo into a throw-away SQLite file in a separate process, as `scripts/run` does, and
opens the main pages there, so SQL that only PostgreSQL understands cannot slip into the demo's path.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PAGES_SCRIPT = """
from django.test import Client
from portal.models import User
from applications.models import Application

browser = Client(HTTP_HOST="127.0.0.1")
assert browser.get("/en/").status_code == 200
assert browser.get("/fr/check-status/").status_code == 200
assert browser.get("/fr/processing-times/").status_code == 200
assert browser.get("/en/parliamentary-offices/").status_code == 200
browser.force_login(User.objects.get(email="demo@example.com"))
for application in Application.objects.filter(links__account__email="demo@example.com"):
    for language in ("en", "fr"):
        page = browser.get(f"/{language}/applications/{application.number}/")
        assert page.status_code == 200, (application.number, page.status_code)
        again = browser.get(f"/{language}/applications/{application.number}/")  # from the cache this time
        assert again.status_code == 200
assert browser.get("/en/access/").status_code == 200
sister = Client(HTTP_HOST="127.0.0.1")
sister.force_login(User.objects.get(email="sister@example.com"))
assert sister.get("/fr/delegate/").status_code == 200
print("pages ok")
"""


@pytest.mark.slow
def test_the_demo_loads_and_serves_on_sqlite(tmp_path):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    env.pop("REDIS_URL", None)
    env.pop("CACHE_REDIS_URL", None)

    def manage(*args: str) -> str:
        done = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    manage("migrate", "-v", "0")
    output = manage("seed_demo", "--history", "300", "--enquiries", "30")
    assert "Demo data ready" in output
    assert "Liaison officer" in output
    assert "pages ok" in manage("shell", "-c", PAGES_SCRIPT)

"""The "Date modified" of the footer: the date of the code that is running, never today's date.

In order: PORTAL_DATE_MODIFIED (YYYY-MM-DD, which the image build sets from the commit
it builds), else the date of the checked-out commit (git), else the newest file among the
pages, styles and translations that were deployed. Read once per process.
"""

import datetime
import functools
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.utils import timezone

_SHOWN_FILES = ("templates", "static", "locale")


def _local_date(timestamp: float) -> datetime.date:
    """The site's own date (TIME_ZONE) at a moment: a commit at 00:20 UTC is still the day before in Ottawa."""
    return timezone.localtime(datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)).date()


def _commit_date(root: Path) -> datetime.date | None:
    git = shutil.which("git")
    if git is None:
        return None
    try:
        result = subprocess.run(  # noqa: S603 - a fixed command on our own checkout
            [git, "-C", str(root), "log", "-1", "--format=%ct"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
        return _local_date(int(result.stdout.strip()))
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


def _newest_file_date(root: Path) -> datetime.date | None:
    newest = 0.0
    for folder in _SHOWN_FILES:
        for path in (root / folder).rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return _local_date(newest) if newest else None


@functools.cache
def date_modified() -> datetime.date | None:
    """The date the running version of the site was last changed; None when nothing tells."""
    configured = getattr(settings, "DATE_MODIFIED", "")
    if configured:
        try:
            return datetime.date.fromisoformat(configured)
        except ValueError:
            pass  # a malformed setting must not break every page: fall back to what the files say
    root = Path(settings.BASE_DIR)
    return _commit_date(root) or _newest_file_date(root)

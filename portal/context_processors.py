"""Template context shared by every page."""

from django.urls import get_script_prefix, translate_url
from django.utils import translation

from portal.date_modified import date_modified


def language_switch(request):
    """The other official language and this same page's address in it.

    The addresses differ only by their language prefix (/en/…, /fr/…; the paths themselves
    are not translated), so the prefix is swapped, query string kept. An address without
    one goes through Django's translate_url, which resolves and reverses it: a fifth of
    the page's template time when it ran on every page.
    """
    current = (translation.get_language() or "en")[:2]
    other = "fr" if current == "en" else "en"
    path = request.get_full_path()
    prefix = f"{get_script_prefix()}{current}/"
    if path.startswith(prefix):
        url = f"{get_script_prefix()}{other}/{path[len(prefix) :]}"
    else:
        url = translate_url(path, other)
    return {
        "other_language_code": other,
        "other_language_name": "Français" if other == "fr" else "English",
        "other_language_url": url,
    }


def site_dates(request):
    """The footer's "Date modified" (the running version's date, not the visit's)."""
    return {"date_modified": date_modified()}

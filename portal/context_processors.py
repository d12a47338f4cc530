"""Template context shared by every page."""

from django.urls import translate_url
from django.utils import translation

from portal.date_modified import date_modified


def language_switch(request):
    """The other official language and this same page's address in it."""
    current = translation.get_language() or "en"
    other = "fr" if current.startswith("en") else "en"
    return {
        "other_language_code": other,
        "other_language_name": "Français" if other == "fr" else "English",
        "other_language_url": translate_url(request.get_full_path(), other),
    }


def site_dates(request):
    """The footer's "Date modified" (the running version's date, not the visit's)."""
    return {"date_modified": date_modified()}

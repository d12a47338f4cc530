"""Bilingual text: which language is active, model field pairs in English and French, rendering in both."""

from collections.abc import Callable

from django.utils import translation

LANGUAGES = ("en", "fr")


def active_language() -> str:
    """The two-letter code of the language in force: "en" or "fr" (English when none is)."""
    language = (translation.get_language() or "en")[:2]
    return language if language in LANGUAGES else "en"


def in_both_languages(render: Callable[[], str]) -> tuple[str, str]:
    """Call `render` once in English and once in French; return (English, French).

    For wording stored at write time, so that a record reads the same in either language forever after.
    """
    with translation.override("en"):
        english = render()
    with translation.override("fr"):
        french = render()
    return english, french


class Bilingual:
    """A model mixin: read the English or French column of a `<field>_en` / `<field>_fr` pair."""

    def localized(self, field: str) -> str:
        value = getattr(self, f"{field}_{active_language()}", "") or getattr(self, f"{field}_en", "")
        return value

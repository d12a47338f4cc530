"""core.text.fold and core.i18n: one folding and one way to write both languages."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from core.i18n import active_language, in_both_languages
from core.text import fold


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Gagnon-Lévesque", "gagnon levesque"),
        ("  ÉMILIE   Côté ", "emilie cote"),
        ("Straße", "strasse"),
        ("Nguyễn", "nguyen"),
    ],
)
def test_it_folds_case_accents_hyphens_and_spaces(left, right):
    assert fold(left) == fold(right)


def test_it_keeps_different_names_apart():
    assert fold("Lévesque") != fold("Levesques")


def test_in_both_languages_renders_once_in_each():
    english, french = in_both_languages(lambda: gettext("Application number"))
    assert english == "Application number"
    assert french != english and french


@pytest.mark.parametrize(("language", "expected"), [("fr", "fr"), ("fr-ca", "fr"), ("en", "en"), ("de", "en")])
def test_active_language_is_english_or_french(language, expected):
    with translation.override(language):
        assert active_language() == expected

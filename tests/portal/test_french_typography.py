"""French and English wording that reviewers asked for (issue 13), kept so by tests."""

import datetime
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

from status_tracker.decisions import french_legal_reference

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def _french_messages() -> list[str]:
    text = CATALOGUE.read_text(encoding="utf-8")
    messages = []
    for block in re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', text, flags=re.M):
        message = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block))
        if message and not message.startswith("Project-Id-Version"):
            messages.append(message)
    return messages


def test_every_french_colon_has_a_no_break_space_before_it():
    wrong = [message for message in _french_messages() if re.search(r"(?<=\S) :(?=\s|$)", message)]
    assert not wrong, wrong


def test_one_rule_for_question_and_exclamation_marks_a_narrow_no_break_space():
    wrong = [
        message
        for message in _french_messages()
        if re.search(r"(?<=[^\s\u202f/=&#\\])[ \u00a0]?[?!](?=[ \"»)]|$)", message)
    ]
    assert not wrong, wrong


@pytest.mark.parametrize(
    ("day", "french"),
    [
        (datetime.date(2026, 12, 1), "1er décembre 2026"),
        (datetime.date(2026, 12, 11), "11 décembre 2026"),
        (datetime.date(2026, 12, 21), "21 décembre 2026"),
    ],
)
def test_the_first_of_the_month_is_an_ordinal_in_french(day, french):
    template = Template('{{ day|date:"DATE_FORMAT" }}')
    with translation.override("fr"):
        assert template.render(Context({"day": day})) == french
    with translation.override("en"):
        assert "1er" not in template.render(Context({"day": day}))


def test_legal_references_in_french_style():
    assert french_legal_reference("RIPR 179(b), 200(1)(b), 216(1)(b)") == "RIPR 179b), 200(1)b), 216(1)b)"


@pytest.mark.parametrize(
    ("code", "french"),
    [("SA", "Arabie saoudite"), ("BY", "Bélarus"), ("MM", "Myanmar"), ("TL", "Timor-Leste")],
)
def test_country_names_in_french_as_the_government_of_canada_writes_them(code, french):
    from django_countries import countries

    with translation.override("fr"):
        assert countries.name(code) == french
    with translation.override("en"):
        assert countries.name(code) != french or code in ("MM", "TL")


@pytest.mark.parametrize(
    ("allauth", "english", "french"),
    [
        ("Sign In", "Sign in", "Se connecter"),
        ("Sign Up", "Create an account", "Créer un compte"),
        ("Signup", "Create an account", "Créer un compte"),
        ("Two-Factor Authentication", "Two-step verification", "Vérification en deux étapes"),
    ],
)
def test_one_name_per_thing_in_each_language(allauth, english, french):
    with translation.override("en"):
        assert translation.gettext(allauth) == english
    with translation.override("fr"):
        assert translation.gettext(allauth) == french


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_sign_up_page_uses_one_name_for_itself(client, language):
    text = client.get(f"/{language}/accounts/signup/").text

    if language == "en":
        assert "Signup" not in text and "Sign Up" not in text and "Sign In" not in text
        assert "Create an account" in text
    else:
        assert "Inscription" not in text and "Création de compte" not in text
        assert "Créer un compte" in text


def test_dates_formatted_in_python_follow_the_same_rule():
    from core.dates import date_format

    with translation.override("fr"):
        assert date_format(datetime.date(2027, 3, 1), "DATE_FORMAT") == "1er mars 2027"
    with translation.override("en"):
        assert "1er" not in date_format(datetime.date(2027, 3, 1), "DATE_FORMAT")


@pytest.mark.parametrize(
    ("stored", "fixed"),
    [
        ("L'agent n'est pas convaincu", "L'agente ou l'agent n'est pas convaincu"),
        ("fournir à l'agent les documents", "fournir à l'agente ou à l'agent les documents"),
        ("Entrée express : métiers", "Entrée express\u00a0: métiers"),
        ("indiquée; l'agent a donc", "indiquée\u202f; l'agente ou l'agent a donc"),
        ("si vous êtes étudiant, vos droits", "si vous venez étudier, vos droits"),
    ],
)
def test_stored_french_wording_is_fixed_once_and_only_once(stored, fixed):
    from core.french_wording import french_wording_fix

    assert french_wording_fix(stored) == fixed
    assert french_wording_fix(fixed) == fixed


@pytest.mark.django_db
def test_the_refusal_grounds_in_the_database_use_inclusive_french():
    from status_tracker.models import RefusalGround

    texts = " ".join(ground.title_fr + " " + ground.explanation_fr for ground in RefusalGround.objects.all())
    assert texts
    assert not re.search(r"(?<!agente ou )(?<!à )\bl'agent\b(?! ou)|\bL'agent\b|étudiant\b", texts)

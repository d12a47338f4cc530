"""Fixes to French reference wording already stored in the database (issue 13).

Used by data migrations, so it must keep working on any old text: each fix is idempotent.
"""

import re

_FIXES: list[tuple[re.Pattern[str], str]] = [
    # A no-break space before a colon.
    (re.compile(r"(?<=\S) :(?=\s|$)"), "\u00a0:"),
    # A narrow no-break space before a semicolon.
    (re.compile(r"(?<=\w) ?;(?= )"), "\u202f;"),
    # Inclusive writing: both forms for the officer, as the Government of Canada recommends.
    (re.compile(r"(?<!agente ou )\bà l'agent\b(?! ou)"), "à l'agente ou à l'agent"),
    (re.compile(r"\bL'agent\b(?! ou)"), "L'agente ou l'agent"),
    (re.compile(r"(?<!agente ou )(?<!à )\bl'agent\b(?! ou)"), "l'agente ou l'agent"),
    (re.compile(r"si vous êtes étudiant\b"), "si vous venez étudier"),
]


def french_wording_fix(text: str) -> str:
    """The text with the fixes applied; applying it twice changes nothing more."""
    for pattern, replacement in _FIXES:
        text = pattern.sub(replacement, text)
    return text

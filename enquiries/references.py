"""Reference numbers that are short, easy to read aloud, and not guessable: `Q7K-4M2-9XH`.

Eight random characters and a check character, from a 31-symbol alphabet without the letters
that are mistaken for digits (I, L, O) or misheard (U, Z). The check
character (a weighted sum modulo the alphabet's length, as in ISO 7064 style checks)
catches any single mistyped character and any swap of two neighbours, so a typo is
told apart from a reference that does not exist. 31^8 ≈ 8.5 × 10^11 values.
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXY"  # 31 symbols: a prime, so the check below catches swaps
BODY_LENGTH = 8


def _check_character(body: str) -> str:
    total = sum((position + 2) * ALPHABET.index(char) for position, char in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def _format(raw: str) -> str:
    return f"{raw[0:3]}-{raw[3:6]}-{raw[6:9]}"


def reference_new() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return _format(body + _check_character(body))


def reference_normalize(text: str) -> str | None:
    """The reference in its canonical form, or None when it cannot be one (wrong length, bad check).

    Accepts lower case, spaces and dashes anywhere, and O/I/L typed for 0/1/1.
    """
    raw = "".join(char for char in text.upper() if char not in " -").translate(str.maketrans("OIL", "011"))
    if len(raw) != BODY_LENGTH + 1 or any(char not in ALPHABET for char in raw):
        return None
    if _check_character(raw[:BODY_LENGTH]) != raw[BODY_LENGTH]:
        return None
    return _format(raw)

"""Text folding: compare and sort names the way a person reads them, whatever the accents or case."""

import unicodedata


def fold(text: str) -> str:
    """Lower-case `text`, drop accents, read hyphens as spaces and squeeze runs of spaces.

    "Gagnon-Lévesque " and "gagnon  levesque" fold to the same string.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(without_accents.replace("-", " ").split())

"""File names as shown and stored: cleaned of what could mislead or break a path, with the right extension."""

import re
import unicodedata

from enquiries.uploads.rules import EXTENSION_FOR_TYPE, MAX_NAME_LENGTH

# Control, format (bidirectional overrides, zero-width), surrogate, private-use, unassigned, line and
# paragraph separators: nothing a person means to have in a file name.
_DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


_RESERVED = re.compile(r'[<>:"/\\|?*]')


_EXTENSION = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,4}$")


def file_name_clean(name: str) -> str:
    """The name as a person would read it: no folders, control or direction characters, bounded length.

    The result is only ever shown and offered as a download name, never used as a path.
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    # Browsers on Windows and some tools send a whole path: keep the last part, whichever separator.
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(
        " " if char.isspace() else char
        for char in name
        if char.isspace() or unicodedata.category(char) not in _DROPPED_CATEGORIES
    )
    name = _RESERVED.sub("_", name)
    name = " ".join(name.split()).strip(" .")
    if len(name) > MAX_NAME_LENGTH:
        match = _EXTENSION.search(name)
        extension = match.group(0) if match else ""
        name = name[: MAX_NAME_LENGTH - len(extension)].rstrip(" .") + extension
    return name


def file_name_for_type(name: str, content_type: str) -> str:
    """`name` (already clean) with the extension of the file's real type in place of the one it had."""
    stem = _EXTENSION.sub("", name).rstrip(" .") or "document"
    extension = EXTENSION_FOR_TYPE[content_type]
    return f"{stem[: MAX_NAME_LENGTH - len(extension) - 1]}.{extension}"

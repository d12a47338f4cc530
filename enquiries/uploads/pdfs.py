"""PDFs parsed whole and refused if they hold scripts, attached files, launches or encryption."""

import io
import re

from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from enquiries.uploads.rules import MAX_PDF_OBJECTS, Refused

# Names whose presence anywhere in a PDF's object graph makes it refused, by reason.
_SCRIPT_KEYS = {"/JS", "/JavaScript", "/AA", "/XFA"}


_EMBEDDED_KEYS = {"/EmbeddedFiles", "/EmbeddedFile", "/RichMedia"}


_SCRIPT_ACTIONS = {"/JavaScript", "/Rendition"}


_LAUNCH_ACTIONS = {"/Launch"}


_EMBEDDED_ACTIONS = {"/GoToE"}


_EMBEDDED_SUBTYPES = {"/FileAttachment", "/RichMedia"}


# The same names as raw tokens, for objects the walk does not reach (a PDF name ends at a delimiter).
# Only long names: a two-letter one (/JS, /AA) turns up by chance in a few megabytes of compressed data.
_RAW_TOKENS = re.compile(rb"/(JavaScript|Launch|EmbeddedFiles?|RichMedia|FileAttachment)(?=[\s/<>\[\]()%{}]|$)")


def _pdf_problem(reader: PdfReader) -> str | None:
    """Walk every object reachable from the trailer; return the first reason to refuse, or None."""
    stack: list = [reader.trailer]
    seen: set[tuple[int, int]] = set()
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            return "too_complex"
        if isinstance(item, DictionaryObject):
            keys = {str(name) for name in item}
            if keys & _SCRIPT_KEYS:
                return "javascript"
            if keys & _EMBEDDED_KEYS:
                return "embedded"
            action = item.get("/S")
            subtype = item.get("/Subtype")
            if isinstance(action, NameObject) and str(action) in _SCRIPT_ACTIONS:
                return "javascript"
            if isinstance(action, NameObject) and str(action) in _LAUNCH_ACTIONS:
                return "launch"
            if isinstance(action, NameObject) and str(action) in _EMBEDDED_ACTIONS:
                return "embedded"
            if isinstance(subtype, NameObject) and str(subtype) in _EMBEDDED_SUBTYPES:
                return "embedded"
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return None


def pdf_checked(content: bytes, shown: str) -> None:
    damaged = Refused(
        _(
            "“%(name)s” could not be read as a PDF: it may be damaged or incomplete. "
            "Check that it opens on your device, save or print it again as a PDF, then choose it again."
        )
        % {"name": shown},
        "pdf_damaged",
    )
    end = content.rfind(b"%%EOF")
    if end == -1:
        raise damaged
    if content[end + 5 :].strip(b"\r\n\t \x00"):
        raise Refused(
            _(
                "“%(name)s” has something added after the end of the PDF. "
                "Save or print it again as a PDF, then choose that file."
            )
            % {"name": shown},
            "pdf_trailing_data",
        )
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise Refused(
                _(
                    "“%(name)s” is protected by a password or encrypted, so we could not open it. "
                    "Save a copy without protection (for example by printing it to a new PDF), "
                    "then choose that copy."
                )
                % {"name": shown},
                "pdf_encrypted",
            )
        if len(reader.pages) < 1:
            raise damaged
        problem = _pdf_problem(reader)
    except Refused:
        raise
    except Exception:  # pypdf raises many kinds of error on a broken file
        raise damaged from None
    if problem is None and (token := _RAW_TOKENS.search(content)):
        # Somewhere the walk did not reach (an unreferenced object): refused all the same.
        problem = {b"JavaScript": "javascript", b"Launch": "launch"}.get(token.group(1), "embedded")
    if problem == "javascript":
        raise Refused(
            _(
                "“%(name)s” contains scripts or actions that run when it is opened, which we do not accept. "
                "Print it to a new PDF or scan the paper copy, then choose that file."
            )
            % {"name": shown},
            "pdf_active_content",
        )
    if problem == "embedded":
        raise Refused(
            _(
                "“%(name)s” has other files attached inside it, which we do not accept. "
                "Send each document as a file of its own instead."
            )
            % {"name": shown},
            "pdf_embedded_files",
        )
    if problem == "launch":
        raise Refused(
            _(
                "“%(name)s” contains an action that starts another program, which we do not accept. "
                "Print it to a new PDF or scan the paper copy, then choose that file."
            )
            % {"name": shown},
            "pdf_launch",
        )
    if problem == "too_complex":
        raise damaged

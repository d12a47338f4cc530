"""The one upload pipeline for documents clients send: check every file, then store them all or none.

`documents_check` decides each file's type from its content (its first bytes and a
full parse), never from its name or the type the browser claims. Images are decoded
and encoded again, which leaves behind metadata and anything hidden in or after them;
PDFs are kept as sent, but only once parsed and found free of scripts, attached
files, program launches and encryption. Whatever is refused is explained per file,
in the active language, with what to do instead.

`documents_save` then stores the checked files through the "documents" storage in one
transaction: if anything fails, no row remains and the files already written are
deleted. `DocumentsField` puts the check into any form:

    class EnquiryForm(forms.Form):
        attachments = DocumentsField(required=False)

    # in the view, once form.is_valid():
    documents_save(checked=form.cleaned_data["attachments"], uploaded_by=request.user, ticket=..., message=...)
"""

import hashlib
import io
import logging
import re
import unicodedata
import uuid
from dataclasses import dataclass

import pillow_heif
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from PIL import Image, ImageCms, ImageOps
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from enquiries.models import Document

logger = logging.getLogger(__name__)

pillow_heif.register_heif_opener()

# A photo from a recent phone is at most about 50 megapixels; an image that claims more is
# refused before it is decoded. Pillow's own guard is lowered to match, for every image this
# process opens: it warns above this and refuses above twice this.
MAX_IMAGE_PIXELS = 50_000_000
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS

# A PDF with more objects than this is not a scanned letter: refused rather than walked.
MAX_PDF_OBJECTS = 100_000
MAX_NAME_LENGTH = 120
JPEG_QUALITY = 90


class Kind:
    """The real type of a file, as decided from its content."""

    PDF = "application/pdf"
    JPEG = "image/jpeg"
    PNG = "image/png"
    HEIF = "image/heif"


EXTENSION_FOR_TYPE = {Kind.PDF: "pdf", Kind.JPEG: "jpg", Kind.PNG: "png"}
ACCEPT = ".pdf,.jpg,.jpeg,.png,.heic,.heif,application/pdf,image/jpeg,image/png,image/heic,image/heif"

# HEIF brands (ISO/IEC 23008-12) of still images and sequences that pillow-heif decodes.
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the check: the bytes to store (re-encoded for images) and what they are."""

    name: str  # cleaned, with the extension of its real type
    content: bytes
    content_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


class Refused(Exception):
    """One file refused; the message says why and what to do, in the active language."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


# --- names ---------------------------------------------------------------------------------------

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


# --- the check -----------------------------------------------------------------------------------


def _sniff(head: bytes) -> str | None:
    """The type the first bytes announce, or None; the parse that follows must agree."""
    if head.startswith(b"%PDF-"):
        return Kind.PDF
    if head.startswith(b"\xff\xd8\xff"):
        return Kind.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Kind.PNG
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return Kind.HEIF
    return None


def _read(upload: UploadedFile, *, limit: int) -> bytes:
    upload.seek(0)
    content = upload.read(limit + 1)
    upload.seek(0)
    return content


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.0f}"


def _image_refused_damaged(shown: str) -> Refused:
    return Refused(
        _(
            "“%(name)s” could not be read as an image: it may be damaged or incomplete. "
            "Check that it opens on your device, save it again, then choose it again."
        )
        % {"name": shown},
        "image_damaged",
    )


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert through the image's colour profile to sRGB, so colours survive dropping the profile."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        converted = ImageCms.profileToProfile(
            image,
            ImageCms.ImageCmsProfile(io.BytesIO(profile)),
            ImageCms.createProfile("sRGB"),
            outputMode="RGBA" if image.mode == "RGBA" else "RGB",
        )
        return converted if converted is not None else image
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        # A profile LittleCMS cannot use: the pixels as they are.
        return image


def _image_reencoded(content: bytes, kind: str, shown: str) -> tuple[bytes, str]:
    """Decode the whole image and encode it again: only pixels survive. Returns (bytes, content type)."""
    formats = {Kind.JPEG: ["JPEG"], Kind.PNG: ["PNG"], Kind.HEIF: ["HEIF"]}[kind]
    try:
        with Image.open(io.BytesIO(content), formats=formats) as opened:
            width, height = opened.size
            if width * height > MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError("too many pixels")
            opened.load()
            image: Image.Image = opened
            try:
                # Keep the photo upright once its orientation tag is gone.
                image = ImageOps.exif_transpose(opened)
            except Exception:  # a broken orientation tag leaves the pixels as they are
                image = opened
            image = _to_srgb(image)
            output = io.BytesIO()
            if kind == Kind.PNG:
                if image.mode == "P" and "transparency" in image.info:
                    image = image.convert("RGBA")
                elif image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16"):
                    image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
                clean = image.copy()
                clean.info = {}
                clean.save(output, format="PNG", optimize=False)
                return output.getvalue(), Kind.PNG
            if image.mode not in ("L", "RGB"):
                image = image.convert("RGB")
            clean = image.copy()
            clean.info = {}
            clean.save(output, format="JPEG", quality=JPEG_QUALITY)
            return output.getvalue(), Kind.JPEG
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused(
            _(
                "“%(name)s” is too large an image: at most %(max)s megapixels. "
                "Resize it or take the photo at a lower resolution, then choose it again."
            )
            % {"name": shown, "max": _megapixels(MAX_IMAGE_PIXELS)},
            "image_too_many_pixels",
        ) from None
    except Exception:  # whatever the decoder trips on, the file is not a usable image
        raise _image_refused_damaged(shown) from None


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


def _pdf_checked(content: bytes, shown: str) -> None:
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


def document_check(*, upload: UploadedFile) -> CheckedFile:
    """Check one file; raise Refused with the reason, or return what to store."""
    shown = file_name_clean(upload.name or "") or _("(a file without a name)")
    limit = settings.DOCUMENT_MAX_BYTES
    size = upload.size if upload.size is not None else 0
    if size > limit:
        raise Refused(
            _(
                "“%(name)s” is %(size)s, more than the %(max)s a file may be. "
                "Scan it at a lower resolution or split it into smaller files, then choose them again."
            )
            % {"name": shown, "size": filesizeformat(size), "max": filesizeformat(limit)},
            "too_large",
        )
    try:
        content = _read(upload, limit=limit)
    except OSError:
        raise Refused(
            _("“%(name)s” did not reach us completely. Choose it again and send it again.") % {"name": shown},
            "unreadable",
        ) from None
    if not content:
        raise Refused(
            _("“%(name)s” is empty. Check that it opens on your device, then choose it again.") % {"name": shown},
            "empty",
        )
    if len(content) > limit:
        raise Refused(
            _(
                "“%(name)s” is more than the %(max)s a file may be. "
                "Scan it at a lower resolution or split it into smaller files, then choose them again."
            )
            % {"name": shown, "max": filesizeformat(limit)},
            "too_large",
        )
    kind = _sniff(content[:16])
    if kind is None:
        raise Refused(
            _(
                "“%(name)s” is not a PDF, JPEG, PNG or HEIC file, whatever its name says. "
                "Save or scan the document as a PDF, or take a photo of it, then choose that file."
            )
            % {"name": shown},
            "type_not_accepted",
        )
    if kind == Kind.PDF:
        _pdf_checked(content, shown)
        stored, content_type = content, Kind.PDF
    else:
        stored, content_type = _image_reencoded(content, kind, shown)
    return CheckedFile(
        name=file_name_for_type(file_name_clean(upload.name or ""), content_type),
        content=stored,
        content_type=content_type,
        sha256=hashlib.sha256(stored).hexdigest(),
    )


def documents_check(*, files: list[UploadedFile]) -> list[CheckedFile]:
    """Check every file of one submission; raise ValidationError listing each refusal, or return them.

    The same content chosen twice is kept once.
    """
    limit = settings.DOCUMENT_MAX_FILES
    if len(files) > limit:
        raise ValidationError(
            ngettext(
                "You chose %(count)d files, but you can send at most %(max)d file at a time. "
                "Send it first, then the others.",
                "You chose %(count)d files, but you can send at most %(max)d files at a time. "
                "Choose fewer, then send the others separately.",
                limit,
            )
            % {"count": len(files), "max": limit},
            code="too_many_files",
        )
    checked: list[CheckedFile] = []
    errors: list[ValidationError] = []
    for upload in files:
        try:
            item = document_check(upload=upload)
        except Refused as refused:
            errors.append(ValidationError(refused.message, code=refused.code))
            continue
        if all(item.sha256 != earlier.sha256 for earlier in checked):
            checked.append(item)
    if errors:
        raise ValidationError(errors)
    return checked


def upload_too_large(request: HttpRequest) -> bool:
    """Whether the request announces more bytes than a full submission may hold: refuse it unread."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    # Room for the form's other fields and the multipart boundaries.
    return length > settings.DOCUMENT_MAX_FILES * settings.DOCUMENT_MAX_BYTES + 1024 * 1024


# --- storing -------------------------------------------------------------------------------------


def _files_delete(names: list[str]) -> None:
    storage = Document._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # the orphan sweep removes whatever could not be deleted now
            logger.exception("Could not delete document file %s after a failed save", name)


def documents_save(
    *,
    checked: list[CheckedFile],
    uploaded_by,
    ticket=None,
    message=None,
    application=None,
    stage=None,
    note: str = "",
    submission: uuid.UUID | None = None,
) -> list[Document]:
    """Store the checked files and their rows together: all of them, or (on any failure) none.

    A document belongs to an enquiry (`ticket`, and the `message` it came with) or to a
    *waiting on you* request (`application` and `stage`); an enquiry's documents also
    name its application. Sending the same files with the same `submission` again stores
    nothing more and returns the documents stored the first time.
    """
    if ticket is None and application is None:
        raise ValueError("A document belongs to an enquiry or to an application.")
    if message is not None and (ticket is None or message.ticket_id != ticket.pk):
        raise ValueError("The message must be one of the enquiry's.")
    if stage is not None and application is None:
        raise ValueError("A stage needs its application.")
    if application is None and ticket is not None:
        application = ticket.application
    if not checked:
        return []
    if submission is not None:
        earlier = list(Document.objects.filter(submission=submission, uploaded_by=uploaded_by))
        if earlier and {item.sha256 for item in checked} <= {document.sha256 for document in earlier}:
            return earlier
        if earlier:
            # The same form sent again with other files (an old page brought back): a new submission.
            submission = None
    submission = submission or uuid.uuid4()
    written: list[str] = []
    try:
        with transaction.atomic():
            documents = []
            for item in checked:
                document = Document(
                    ticket=ticket,
                    message=message,
                    application=application,
                    stage=stage,
                    uploaded_by=uploaded_by,
                    original_name=item.name,
                    content_type=item.content_type,
                    size=item.size,
                    sha256=item.sha256,
                    submission=submission,
                    note=note,
                )
                document.file.save(item.name, ContentFile(item.content), save=False)
                written.append(document.file.name)
                documents.append(document)
            return Document.objects.bulk_create(documents)
    except IntegrityError:
        _files_delete(written)
        # The same submission stored by a request that committed first: answer with its documents.
        earlier = list(Document.objects.filter(submission=submission, uploaded_by=uploaded_by))
        if earlier:
            return earlier
        raise
    except BaseException:
        _files_delete(written)
        raise


# --- the form field ------------------------------------------------------------------------------


class MultipleDocumentsInput(forms.FileInput):
    """A file input that lets the person choose several files at once."""

    allow_multiple_selected = True

    def __init__(self, attrs=None):
        super().__init__({"accept": ACCEPT, "multiple": True, **(attrs or {})})


def _documents_help() -> str:
    return ngettext(
        "PDF, JPEG, PNG or HEIC (iPhone photos). At most %(count)d file at a time, of at most %(size)s.",
        "PDF, JPEG, PNG or HEIC (iPhone photos). At most %(count)d files at a time, each at most %(size)s.",
        settings.DOCUMENT_MAX_FILES,
    ) % {"count": settings.DOCUMENT_MAX_FILES, "size": filesizeformat(settings.DOCUMENT_MAX_BYTES)}


documents_help = lazy(_documents_help, str)


class DocumentsField(forms.Field):
    """Several files in one field; cleaned into a list of CheckedFile by documents_check."""

    widget = MultipleDocumentsInput
    default_error_messages = {"required": gettext_lazy("Choose at least one file to send.")}

    def __init__(self, *, label=None, help_text=None, **kwargs):
        super().__init__(
            label=label if label is not None else gettext_lazy("Documents"),
            help_text=help_text if help_text is not None else documents_help(),
            **kwargs,
        )

    def clean(self, value) -> list[CheckedFile]:
        files = [item for item in (value or []) if isinstance(item, UploadedFile)]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        return documents_check(files=files)

"""The check of each file sent: its type from its content, then the image or PDF check for that type."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from enquiries.uploads.images import image_reencoded
from enquiries.uploads.names import file_name_clean, file_name_for_type
from enquiries.uploads.pdfs import pdf_checked
from enquiries.uploads.rules import HEIF_BRANDS, CheckedFile, Kind, Refused


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
        pdf_checked(content, shown)
        stored, content_type = content, Kind.PDF
    else:
        stored, content_type = image_reencoded(content, kind, shown)
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

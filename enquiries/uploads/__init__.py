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

The package's modules, from the bottom up: `rules` (limits and kinds), `names`, `images`,
`pdfs`, `check` (one file, then several), `storing` and `field`. Callers import from
the package.
"""

from enquiries.uploads.check import document_check, documents_check, upload_too_large
from enquiries.uploads.field import DocumentsField, MultipleDocumentsInput, documents_help
from enquiries.uploads.names import file_name_clean, file_name_for_type
from enquiries.uploads.rules import (
    ACCEPT,
    EXTENSION_FOR_TYPE,
    HEIF_BRANDS,
    JPEG_QUALITY,
    MAX_IMAGE_PIXELS,
    MAX_NAME_LENGTH,
    MAX_PDF_OBJECTS,
    CheckedFile,
    Kind,
    Refused,
)
from enquiries.uploads.storing import documents_save

__all__ = [
    "ACCEPT",
    "CheckedFile",
    "DocumentsField",
    "EXTENSION_FOR_TYPE",
    "HEIF_BRANDS",
    "JPEG_QUALITY",
    "Kind",
    "MAX_IMAGE_PIXELS",
    "MAX_NAME_LENGTH",
    "MAX_PDF_OBJECTS",
    "MultipleDocumentsInput",
    "Refused",
    "document_check",
    "documents_check",
    "documents_help",
    "documents_save",
    "file_name_clean",
    "file_name_for_type",
    "upload_too_large",
]

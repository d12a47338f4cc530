"""The form field that puts the check into any form."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy, ngettext

from enquiries.uploads.check import documents_check
from enquiries.uploads.rules import ACCEPT, CheckedFile


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

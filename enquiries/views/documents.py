"""Documents: sending them for a *waiting on you* request, and downloading them through the gate."""

import uuid
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from applications.access import Need, application_for_viewer
from enquiries.access import document_for_viewer
from enquiries.models import Document
from enquiries.selectors import stage_waiting_on_client
from enquiries.uploads import DocumentsField, documents_save, upload_too_large

NOTE_MAX_CHARS = 1000


class SendDocumentsForm(forms.Form):
    documents = DocumentsField(label=_("Documents to send"))
    note = forms.CharField(
        label=_("Note for the officer (optional)"),
        help_text=_("For example, which request each document answers. At most 1,000 characters."),
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # Sent back with the form: pressing Send twice stores the documents once.
    submission = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def clean_submission(self) -> uuid.UUID:
        return self.cleaned_data.get("submission") or uuid.uuid4()


@login_required
@never_cache  # a page brought back from history gets a fresh submission id
@require_http_methods(["GET", "POST"])
def documents_send(request: HttpRequest, number: str, stage_code: str) -> HttpResponse:
    application = application_for_viewer(viewer=request.user, number=number, need=Need.ACT_ON_BEHALF, request=request)
    stage = stage_waiting_on_client(application=application, stage_code=stage_code)
    context = {"application": application, "stage": stage}
    if request.method == "POST" and upload_too_large(request):
        form = SendDocumentsForm(initial={"submission": uuid.uuid4()})
        return render(request, "documents/send.html", {**context, "form": form, "too_large": True}, status=413)
    if request.method == "POST":
        form = SendDocumentsForm(request.POST, request.FILES)
        if form.is_valid():
            documents = documents_save(
                checked=form.cleaned_data["documents"],
                uploaded_by=request.user,
                application=application,
                stage=stage,
                note=form.cleaned_data["note"],
                submission=form.cleaned_data["submission"],
            )
            messages.success(
                request,
                ngettext(
                    "We received your document for “%(stage)s”. It is now in your application's history.",
                    "We received your %(count)d documents for “%(stage)s”. They are now in your application's history.",
                    len(documents),
                )
                % {"count": len(documents), "stage": stage.name},
            )
            return redirect("applications:detail", number=application.number)
        # The files are not sent back to the browser: keep the submission, ask for the files again.
        return render(request, "documents/send.html", {**context, "form": form}, status=400)
    form = SendDocumentsForm(initial={"submission": uuid.uuid4()})
    return render(request, "documents/send.html", {**context, "form": form})


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback name and the real one in RFC 6266 / 5987 form."""
    fallback = "".join(char if char.isascii() and char.isprintable() and char not in '"\\;' else "_" for char in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@login_required
@require_safe
def document_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    document = document_for_viewer(viewer=request.user, pk=pk, request=request)
    if document.deleted_at is not None or not document.file:
        return render(request, "documents/gone.html", {"document": document}, status=410)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return document_file_response(document=document, handle=handle)


def document_file_response(*, document: Document, handle) -> FileResponse:
    """The file as a download that no browser renders or sniffs, and no cache keeps."""
    response = FileResponse(handle, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition(document.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

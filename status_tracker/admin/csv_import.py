"""Admin: import status events from a CSV file, previewed first, then applied through `events_ingest`.

The uploaded file waits in the cache between the preview and the confirmation; the
confirmation carries only a signed token naming it, bound to the person who
uploaded it and to the file's digest, so no other content can be slipped in.
"""

import hashlib
import secrets

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, LogEntry
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from status_tracker.csv_import import (
    COLUMNS,
    MAX_BYTES,
    MAX_ROWS,
    CsvFileError,
    CsvRow,
    csv_events_import,
    csv_rows_check,
    csv_rows_parse,
    results_count,
)
from status_tracker.models import StatusEvent

IMPORT_PERMISSION = "status_tracker.add_statusevent"
PREVIEW_SECONDS = 60 * 60
CONFIRMATION_SALT = "status_tracker.csv_import"
UPLOAD_TEMPLATE = "admin/status_tracker/import_events.html"
RESULT_TEMPLATE = "admin/status_tracker/import_events_result.html"


class EventCsvUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("UTF-8 text, at most 5,000 rows and 5 MB; the first line names the columns."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Refuse by the declared size before reading a byte of a large upload.
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB. Split it into smaller files."))
        self.content = upload.read(MAX_BYTES + 1)
        try:
            self.rows = csv_rows_parse(content=self.content)
        except CsvFileError as error:
            raise forms.ValidationError(str(error)) from None
        return upload


class EventCsvConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=1000)


def _context(request: HttpRequest, **extra) -> dict:
    return {
        **admin.site.each_context(request),
        "opts": StatusEvent._meta,
        "title": _("Import status events from a CSV file"),
        "columns": COLUMNS,
        "max_rows": f"{MAX_ROWS:,}",
        **extra,
    }


def _require_permission(request: HttpRequest) -> None:
    # The history admin refuses "add" to hand edits, so ask for the permission itself.
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied


def _upload_store(*, request: HttpRequest, content: bytes, name: str) -> str:
    key = f"status_tracker:csv-import:{secrets.token_urlsafe(24)}"
    cache.set(key, {"content": content, "name": name}, PREVIEW_SECONDS)
    claims = {"key": key, "user": request.user.pk, "sha256": hashlib.sha256(content).hexdigest()}
    return signing.dumps(claims, salt=CONFIRMATION_SALT)


def _upload_load(*, request: HttpRequest, token: str) -> tuple[list[CsvRow], str, str] | None:
    """The rows behind a confirmation token, or None if the token or the stored file is not good."""
    try:
        claims = signing.loads(token, salt=CONFIRMATION_SALT, max_age=PREVIEW_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(claims, dict) or claims.get("user") != request.user.pk:
        return None
    stored = cache.get(str(claims.get("key")))
    if not stored or hashlib.sha256(stored["content"]).hexdigest() != claims.get("sha256"):
        return None
    try:
        rows = csv_rows_parse(content=stored["content"])
    except CsvFileError:
        return None
    return rows, stored["name"], claims["key"]


@require_http_methods(["GET", "POST"])
def events_import_view(request: HttpRequest) -> HttpResponse:
    """Upload a file and see, row by row, what importing it would do. Nothing is written here."""
    _require_permission(request)
    if request.method == "GET":
        return render(request, UPLOAD_TEMPLATE, _context(request, form=EventCsvUploadForm()))
    form = EventCsvUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, UPLOAD_TEMPLATE, _context(request, form=form), status=400)
    checks = csv_rows_check(rows=form.rows)
    valid = sum(1 for check in checks if check.valid)
    token = _upload_store(request=request, content=form.content, name=form.cleaned_data["file"].name)
    context = _context(
        request,
        form=EventCsvUploadForm(),
        checks=checks,
        file_name=form.cleaned_data["file"].name,
        valid_count=valid,
        invalid_count=len(checks) - valid,
        duplicate_count=sum(1 for check in checks if check.duplicate),
        confirm_form=EventCsvConfirmForm(initial={"token": token}),
    )
    return render(request, UPLOAD_TEMPLATE, context)


@require_POST
def events_import_confirm_view(request: HttpRequest) -> HttpResponse:
    """Apply a previewed file through `events_ingest`, once, and show what happened to each row."""
    _require_permission(request)
    form = EventCsvConfirmForm(request.POST)
    loaded = _upload_load(request=request, token=form.data.get("token", "")) if form.is_valid() else None
    if loaded is None:
        context = _context(
            request,
            form=EventCsvUploadForm(),
            token_error=_("This preview is no longer valid (it expired or was changed). Upload the file again."),
        )
        return render(request, UPLOAD_TEMPLATE, context, status=400)
    rows, name, key = loaded
    # One confirmation per preview: a second click finds nothing to apply.
    cache.delete(key)
    results = csv_events_import(rows=rows)
    counts = results_count(results=results)
    stored_ids = [result.item.event.pk for result in results if result.item and result.item.event]
    if stored_ids:
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=StatusEvent.objects.filter(pk__in=stored_ids),
            action_flag=ADDITION,
            change_message=_("Imported from the CSV file %(name)s.") % {"name": name},
        )
    messages.success(
        request,
        _(
            "Import of %(name)s: %(applied)s applied, %(out_of_order)s kept as history only, "
            "%(duplicate)s duplicates, %(rejected)s rejected, %(invalid)s invalid."
        )
        % {"name": name, **counts},
    )
    return render(request, RESULT_TEMPLATE, _context(request, results=results, counts=counts, file_name=name))


class EventImportAdminMixin:
    """Adds the CSV import to the status-event admin: two URLs and a button on the list."""

    change_list_template = "admin/status_tracker/import_events_change_list.html"

    def get_urls(self):
        opts = self.model._meta
        prefix = f"{opts.app_label}_{opts.model_name}"
        return [
            path("import/", self.admin_site.admin_view(events_import_view), name=f"{prefix}_import"),
            path(
                "import/confirm/",
                self.admin_site.admin_view(events_import_confirm_view),
                name=f"{prefix}_import_confirm",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import_events": request.user.has_perm(IMPORT_PERMISSION)}
        return super().changelist_view(request, extra_context=extra_context)

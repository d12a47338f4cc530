"""Status events from a CSV file: read and check the rows, then hand the good ones to `events_ingest`.

The columns are the API's fields, so a file is checked by the same serializer and
applied by the same service as a batch sent to `POST /api/v1/events/`.
"""

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from status_tracker.api.serializers import EventInputSerializer
from status_tracker.events import EventIn
from status_tracker.ingest import IngestItem, ItemResult, events_ingest
from status_tracker.models import StatusEvent

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
COLUMNS = [
    "event_id",
    "application_number",
    "occurred_at",
    "kind",
    "stage",
    "state",
    "status",
    "outcome",
    "grounds",
    "notes",
    "made_in_canada",
    "message_en",
    "message_fr",
    "visible_to_client",
]
REQUIRED_COLUMNS = ["event_id", "application_number", "occurred_at", "kind"]
PLAIN_COLUMNS = ["event_id", "application_number", "occurred_at", "kind", "stage", "state", "status", "outcome"]
# French spreadsheets say oui and non; the serializer knows the English words.
BOOLEAN_WORDS = {"oui": "true", "non": "false", "vrai": "true", "faux": "false"}
GROUND_SEPARATORS = re.compile(r"[|;]")
RESULT_LABELS = {
    "applied": gettext_lazy("applied"),
    "out_of_order": gettext_lazy("kept as history only"),
    "duplicate": gettext_lazy("duplicate"),
    "rejected": gettext_lazy("rejected"),
    "invalid": gettext_lazy("invalid, not sent"),
}


class CsvFileError(Exception):
    """The file as a whole cannot be read: nothing in it is imported."""


@dataclass(frozen=True)
class CsvRow:
    line: int  # line of the file where the row ends, as a spreadsheet would number it
    cells: dict[str, str]
    problem: str = ""  # a fault in the row's shape, found before validation


@dataclass
class RowCheck:
    """One row and what importing it would do."""

    row: CsvRow
    errors: list[str] = field(default_factory=list)
    event: EventIn | None = None
    duplicate: bool = False  # the event id is already stored, or appears earlier in the file

    @property
    def valid(self) -> bool:
        return self.event is not None


@dataclass
class RowResult:
    check: RowCheck
    item: IngestItem | None  # None for a row that was not valid and so was not sent

    @property
    def result(self) -> str:
        return self.item.result.value if self.item else "invalid"

    @property
    def label(self) -> str:
        return str(RESULT_LABELS[self.result])

    @property
    def reasons(self) -> list[str]:
        if self.item is None:
            return self.check.errors
        return [self.item.reason] if self.item.reason else []


def csv_rows_parse(*, content: bytes) -> list[CsvRow]:
    """Read a CSV file's rows, keyed by column; raise CsvFileError when the file cannot be used."""
    if len(content) > MAX_BYTES:
        raise CsvFileError(_("The file is larger than 5 MB. Split it into smaller files."))
    if not content.strip():
        raise CsvFileError(_("The file is empty."))
    if b"\x00" in content:
        raise CsvFileError(_("This is not a CSV file: it contains binary data."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvFileError(_("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")) from None
    first_line = text.split("\n", 1)[0]
    # Spreadsheets set to French save with semicolons; the header says which one was used.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = _header_check(next(reader, []))
        rows = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == MAX_ROWS:
                raise CsvFileError(
                    ngettext(
                        "The file has more than %(max)s row. Split it into smaller files.",
                        "The file has more than %(max)s rows. Split it into smaller files.",
                        MAX_ROWS,
                    )
                    % {"max": f"{MAX_ROWS:,}"}
                )
            problem = _("This row has more cells than the header has columns.") if len(cells) > len(header) else ""
            padded = [*cells, *[""] * (len(header) - len(cells))]
            rows.append(CsvRow(line=reader.line_num, cells=dict(zip(header, padded, strict=False)), problem=problem))
    except csv.Error as error:
        raise CsvFileError(
            _("The file could not be read as CSV near line %(line)s: %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from None
    if not rows:
        raise CsvFileError(_("The file has a header but no rows."))
    return rows


def _header_check(header: list[str]) -> list[str]:
    names = [name.strip().lower() for name in header]
    if not any(names):
        raise CsvFileError(_("The file is empty."))
    unknown = [name for name in names if name not in COLUMNS]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    repeated = sorted({name for name in names if names.count(name) > 1})
    problems = []
    if missing:
        problems.append(_("missing columns: %(names)s") % {"names": ", ".join(missing)})
    if unknown:
        problems.append(_("unknown columns: %(names)s") % {"names": ", ".join(name or '""' for name in unknown)})
    if repeated:
        problems.append(_("columns named twice: %(names)s") % {"names": ", ".join(repeated)})
    if problems:
        raise CsvFileError(
            _("The first line must name the columns (%(columns)s); %(problems)s.")
            % {"columns": ", ".join(COLUMNS), "problems": "; ".join(problems)}
        )
    return names


def _payload(cells: dict[str, str]) -> dict:
    """The API's JSON for one row: blank cells are left out, as an API client would leave them."""
    data: dict = {}
    for name in PLAIN_COLUMNS:
        if value := cells.get(name, "").strip():
            data[name] = value
    if notes := cells.get("notes", ""):
        data["notes"] = notes
    if grounds := cells.get("grounds", "").strip():
        data["grounds"] = [code.strip() for code in GROUND_SEPARATORS.split(grounds) if code.strip()]
    for name in ("made_in_canada", "visible_to_client"):
        if value := cells.get(name, "").strip().lower():
            data[name] = BOOLEAN_WORDS.get(value, value)
    english, french = cells.get("message_en", "").strip(), cells.get("message_fr", "").strip()
    if english or french:
        data["message"] = {"en": english, "fr": french}
    return data


def _flatten(errors, prefix: str = "") -> list[str]:
    if isinstance(errors, dict):
        return [message for key, value in errors.items() for message in _flatten(value, _join(prefix, key))]
    if isinstance(errors, list):
        return [message for value in errors for message in _flatten(value, prefix)]
    return [f"{prefix}: {errors}" if prefix and prefix != "non_field_errors" else str(errors)]


def _join(prefix: str, key) -> str:
    if key == "non_field_errors":
        return prefix
    if prefix == "message" and key in ("en", "fr"):
        return f"message_{key}"
    return f"{prefix}.{key}" if prefix else str(key)


def csv_rows_check(*, rows: Sequence[CsvRow]) -> list[RowCheck]:
    """Validate every row as the API would and flag event ids already stored. Writes nothing."""
    checks = []
    for row in rows:
        check = RowCheck(row=row)
        if row.problem:
            check.errors.append(row.problem)
        else:
            serializer = EventInputSerializer(data=_payload(row.cells))
            if serializer.is_valid():
                check.event = serializer.to_event()
            else:
                check.errors = _flatten(serializer.errors)
        checks.append(check)
    event_ids = [check.event.event_id for check in checks if check.event]
    # Imported rows are entered by a person, like corrections: their ids live in the namespace of no client.
    stored = set(
        StatusEvent.objects.filter(api_client__isnull=True, source_id__in=event_ids).values_list("source_id", flat=True)
    )
    seen: set[str] = set()
    for check in checks:
        if check.event:
            check.duplicate = check.event.event_id in stored or check.event.event_id in seen
            seen.add(check.event.event_id)
    return checks


def csv_events_import(*, rows: Sequence[CsvRow]) -> list[RowResult]:
    """Check the rows again and apply the valid ones in one call to `events_ingest`."""
    checks = csv_rows_check(rows=rows)
    valid = [check for check in checks if check.event]
    items = iter(events_ingest(events=[check.event for check in valid], api_client=None)) if valid else iter(())
    return [RowResult(check=check, item=next(items) if check.event else None) for check in checks]


def results_count(*, results: Sequence[RowResult]) -> dict[str, int]:
    counts = {value.value: 0 for value in ItemResult}
    counts["invalid"] = 0
    for result in results:
        counts[result.result] += 1
    return counts

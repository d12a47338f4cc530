"""In-process measurements for the enquiries benchmark (bench/enquiries.py), importable without side effects.

- the pages as each persona sees them (the benchmark agent, the supervisor, the client),
  with the sessions and scenarios the wrk phase uses;
- the SQL queries per page at the loaded size and with every ticket but 10 deleted, both
  inside a transaction that is rolled back (as the test suite counts them);
- enquiry submissions through the real view, with one attachment, and the share of the
  time spent in the upload pipeline (enquiries.uploads documents_check / documents_save);
- EXPLAIN ANALYZE of the queue's queries.
"""

import io
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image, ImageDraw

from bench.enquiries_load import People, sessions_create
from bench.fixture import BenchFixture
from bench.inprocess import DatabaseClock
from bench.scenarios import Scenario
from enquiries import clock
from enquiries.models import Document, Ticket, TicketState
from portal.models import User

SMALL_SIZE = 10
QUEUE_STATES = (TicketState.NEW, TicketState.OPEN, TicketState.WAITING_ON_CLIENT)


# --- personas and scenarios ------------------------------------------------------------------------


@dataclass(frozen=True)
class Personas:
    """Signed-in sessions of the three people the pages are measured for, as BenchFixtures."""

    people: People
    agent: BenchFixture
    supervisor: BenchFixture
    client: BenchFixture

    def fixture(self, persona: str | None) -> BenchFixture:
        return getattr(self, persona or "client")


def personas_prepare(*, people: People, session_count: int) -> Personas:
    """Fresh sessions: the agent and supervisor with both steps recorded, the client with a plain sign-in."""
    Session.objects.all().delete()  # the benchmark's own database: earlier runs' sessions go

    def fixture(user_id: int, second_step: bool) -> BenchFixture:
        keys = sessions_create(user=User.objects.get(pk=user_id), count=session_count, second_step=second_step)
        return BenchFixture(
            application_id=people.client_application_id,
            application_number=people.client_application_number,
            user_id=user_id,
            session_keys=keys,
        )

    return Personas(
        people=people,
        agent=fixture(people.agent_id, True),
        supervisor=fixture(people.supervisor_id, True),
        client=fixture(people.client_id, False),
    )


@dataclass(frozen=True)
class PageScenario:
    scenario: Scenario
    persona: str | None  # "agent", "supervisor", "client"; None: no session
    floor: str | None = None  # the bare scenario of the same persona, for the ratio

    @property
    def name(self) -> str:
        return self.scenario.name


def _text(value: str) -> Callable[[BenchFixture], str]:
    return lambda fixture: value


PAGE_SCENARIOS: list[PageScenario] = [
    PageScenario(
        Scenario(
            name="bare",
            description="Ceiling: one primary-key query, a few bytes, no session",
            path=_text("/bench/bare/"),
            expect_text=lambda fixture: fixture.application_number,
        ),
        persona=None,
    ),
    PageScenario(
        Scenario(
            name="bare_signed_in_agent",
            description="Floor of a staff page: the bare view behind login_required, agent signed in with two steps",
            path=_text("/bench/bare-signed-in/"),
            signed_in=True,
            expect_text=lambda fixture: fixture.application_number,
        ),
        persona="agent",
    ),
    PageScenario(
        Scenario(
            name="agent_queue",
            description="/en/agents/: the queue of an agent of the status and document topics, default filters",
            path=_text("/en/agents/"),
            signed_in=True,
            expect_text=_text("Enquiries 1 to 25 of"),
        ),
        persona="agent",
        floor="bare_signed_in_agent",
    ),
    PageScenario(
        Scenario(
            name="supervisor_queue",
            description="/en/agents/: the supervisor's queue (every topic), default filters",
            path=_text("/en/agents/"),
            signed_in=True,
            expect_text=_text("Enquiries 1 to 25 of"),
        ),
        persona="supervisor",
        floor="bare_signed_in_agent",
    ),
    PageScenario(
        Scenario(
            name="bare_signed_in_client",
            description="Floor of a client page: the bare view behind login_required, the client signed in",
            path=_text("/bench/bare-signed-in/"),
            signed_in=True,
            expect_text=lambda fixture: fixture.application_number,
        ),
        persona="client",
    ),
    PageScenario(
        Scenario(
            name="client_list",
            description="/en/enquiries/: the client's enquiries (about 50, first page of 20)",
            path=_text("/en/enquiries/"),
            signed_in=True,
            expect_text=_text("Enquiries you sent, newest first"),
        ),
        persona="client",
        floor="bare_signed_in_client",
    ),
]
MEASURED_PAGES = ("agent_queue", "supervisor_queue", "client_list")


def page_client(*, fixture: BenchFixture, signed_in: bool) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    if signed_in:
        client.cookies[settings.SESSION_COOKIE_NAME] = fixture.session_keys[0]
    return client


def _page_queries(page: PageScenario, personas: Personas) -> tuple[int, int, list[str]]:
    """Queries of one warm request of the page (status, count, SQL)."""
    fixture = personas.fixture(page.persona)
    client = page_client(fixture=fixture, signed_in=page.scenario.signed_in)
    path = page.scenario.path(fixture)
    client.get(path)
    client.get(path)  # the idle refresh may rewrite the session on the first; never twice within a minute
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    return response.status_code, len(captured), [query["sql"] for query in captured.captured_queries]


# --- query counts at two sizes ---------------------------------------------------------------------


@dataclass(frozen=True)
class QueryCounts:
    at_loaded: int
    at_small: int
    loaded_tickets: int
    small_tickets: int

    @property
    def constant(self) -> bool:
        return self.at_loaded == self.at_small


def _tickets_cut_to(*, keep: int, people: People) -> int:
    """Delete every ticket but `keep` (the client's newest and the agent's queue), inside the caller's transaction."""
    today = clock.office_date(timezone.now())
    mine = list(
        Ticket.objects.filter(account_id=people.client_id, merged_into__isnull=True)
        .order_by("-created_at")
        .values_list("pk", flat=True)[: keep // 2]
    )
    queue = list(
        Ticket.objects.filter(
            topic__agents=people.agent_id, state__in=QUEUE_STATES, due_on__gt=today, merged_into__isnull=True
        )
        .exclude(pk__in=mine)
        .order_by("-priority", "due_on", "id")
        .values_list("pk", flat=True)[: keep - len(mine)]
    )
    kept = mine + queue
    with connection.cursor() as cursor:
        for table in ("enquiries_document", "enquiries_ticketmessage", "enquiries_ticketchange"):
            cursor.execute(f"DELETE FROM {table} WHERE ticket_id <> ALL(%s)", [kept])
        cursor.execute("DELETE FROM enquiries_surveyresponse WHERE ticket_id <> ALL(%s)", [kept])
        cursor.execute("DELETE FROM enquiries_ticket WHERE id <> ALL(%s)", [kept])
    return len(kept)


def tickets_vacuum() -> None:
    """VACUUM the ticket and message tables: after a load, the rolled-back cut or the submissions.

    A DELETE clears the visibility map of every page it touches, even when rolled back;
    the per-state counts are index-only scans that would then read the whole table
    (heap fetches) until autovacuum came by. A long-lived table has its map set.
    """
    if connection.in_atomic_block:
        return  # a test's transaction: VACUUM cannot run there
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) enquiries_ticket, enquiries_ticketmessage")


def query_counts_by_size(*, personas: Personas, small: int = SMALL_SIZE) -> dict[str, QueryCounts]:
    """Queries per page with every ticket loaded and with `small` left, each in a transaction rolled back.

    Both sizes are counted the same way, inside a transaction, as django_assert_num_queries
    counts in the test suite (a write inside a view is then a savepoint, not a commit).
    """
    loaded: dict[str, int] = {}
    small_counts: dict[str, int] = {}
    pages = [page for page in PAGE_SCENARIOS if page.name in MEASURED_PAGES]
    with transaction.atomic():
        loaded_tickets = Ticket.objects.count()
        for page in pages:
            loaded[page.name] = _page_queries(page, personas)[1]
        transaction.set_rollback(True)
    with transaction.atomic():
        small_tickets = _tickets_cut_to(keep=small, people=personas.people)
        for page in pages:
            status, count, _sql = _page_queries(page, personas)
            if status != 200:
                raise RuntimeError(f"{page.name} answered {status} with {small_tickets} tickets")
            small_counts[page.name] = count
        transaction.set_rollback(True)
    tickets_vacuum()
    return {
        page.name: QueryCounts(
            at_loaded=loaded[page.name],
            at_small=small_counts[page.name],
            loaded_tickets=loaded_tickets,
            small_tickets=small_tickets,
        )
        for page in pages
    }


# --- submissions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleFile:
    label: str
    name: str
    content: bytes
    content_type: str


def _scanned_page(width: int, height: int, *, seed: int, mode: str) -> Image.Image:
    """A page of "text" (dark bars in lines) on paper, with sensor noise: compresses like a scan or a photo."""
    rng = random.Random(seed)
    paper = 245 if mode == "L" else (245, 243, 236)
    ink = 40 if mode == "L" else (40, 40, 50)
    image = Image.new(mode, (width, height), paper)
    draw = ImageDraw.Draw(image)
    margin, line = width // 12, max(6, height // 60)
    y = margin
    while y < height - margin:
        x = margin
        while x < width - margin:
            word = rng.randint(line, line * 5)
            draw.rectangle([x, y, min(x + word, width - margin), y + line // 2], fill=ink)
            x += word + line
        y += line * 2
    noise = Image.effect_noise((width, height), 30).convert(mode)
    return Image.blend(image, noise, 0.25)


def _jpeg_near(*, target_bytes: int, aspect: float, mode: str, quality: int, seed: int) -> tuple[bytes, int, int]:
    """A JPEG within 10 % of `target_bytes`: the width is scaled until the size fits."""
    width = 1000
    for _attempt in range(8):
        height = int(width * aspect)
        output = io.BytesIO()
        _scanned_page(width, height, seed=seed, mode=mode).save(output, "JPEG", quality=quality)
        size = len(output.getvalue())
        if abs(size - target_bytes) <= 0.1 * target_bytes:
            break
        width = int(width * (target_bytes / size) ** 0.5)
    return output.getvalue(), width, height


def sample_jpeg(*, target_bytes: int = 1_000_000, seed: int = 7) -> SampleFile:
    """A photo of a letter, about `target_bytes` (about 2000 × 1500 pixels for 1 MB)."""
    content, _width, _height = _jpeg_near(target_bytes=target_bytes, aspect=0.75, mode="RGB", quality=90, seed=seed)
    return SampleFile(label="JPEG", name="photo of the letter.jpg", content=content, content_type="image/jpeg")


def sample_pdf(*, target_bytes: int = 200_000, seed: int = 11) -> SampleFile:
    """A one-page scanned letter made with pypdf: a greyscale JPEG drawn over the page, and a line of text."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject

    scan, width, height = _jpeg_near(target_bytes=target_bytes - 2_000, aspect=1.414, mode="L", quality=75, seed=seed)
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    image = DecodedStreamObject()
    image.set_data(scan)
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(width),
            NameObject("/Height"): NumberObject(height),
            NameObject("/ColorSpace"): NameObject("/DeviceGray"),
            NameObject("/BitsPerComponent"): NumberObject(8),
            NameObject("/Filter"): NameObject("/DCTDecode"),
        }
    )
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {
            NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): writer._add_object(image)}),
            NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)}),
        }
    )
    contents = DecodedStreamObject()
    contents.set_data(b"q 595 0 0 842 0 0 cm /Im0 Do Q BT /F1 10 Tf 40 20 Td (Scanned for the benchmark) Tj ET")
    page[NameObject("/Contents")] = writer._add_object(contents)
    output = io.BytesIO()
    writer.write(output)
    return SampleFile(
        label="PDF", name="letter from the bank.pdf", content=output.getvalue(), content_type="application/pdf"
    )


class _Stopwatch:
    """Wraps a module's function to add up the time spent in it (and the calls)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0

    @contextmanager
    def around(self, module, name: str) -> Iterator["_Stopwatch"]:
        original = getattr(module, name)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
                self.calls += 1

        setattr(module, name, timed)
        try:
            yield self
        finally:
            setattr(module, name, original)


@dataclass
class SubmissionResult:
    attachment: str
    file_bytes: int
    stored_bytes: int
    count: int
    total_ms: list[float] = field(default_factory=list)
    check_ms: float = 0.0  # mean per submission
    save_ms: float = 0.0
    database_ms: float = 0.0
    queries: int = 0

    def as_dict(self) -> dict:
        mean = statistics.fmean(self.total_ms)
        pipeline = self.check_ms + self.save_ms
        return {
            "attachment": self.attachment,
            "file_bytes": self.file_bytes,
            "stored_bytes": self.stored_bytes,
            "submissions": self.count,
            "total_ms": {
                "mean": round(mean, 1),
                "p50": round(statistics.median(self.total_ms), 1),
                "p95": round(_percentile(self.total_ms, 95), 1),
                "min": round(min(self.total_ms), 1),
            },
            "documents_check_ms": round(self.check_ms, 1),
            "documents_save_ms": round(self.save_ms, 1),
            "upload_pipeline_share": round(pipeline / mean, 3) if mean else None,
            "database_ms": round(self.database_ms, 1),
            "queries": self.queries,
        }


def _percentile(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(percent / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def _submission_body(*, application_number: str, topic_code: str, key: str, attachment: SampleFile | None) -> bytes:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "application": application_number,
        "topic": topic_code,
        "message": "I sent the document you asked for. Can you confirm you received it? Thank you.",
        "language": "en",
        "submission_key": key,
        "add_to": "new",
    }
    if attachment is not None:
        data["attachments"] = SimpleUploadedFile(attachment.name, attachment.content, attachment.content_type)
    return encode_multipart(BOUNDARY, data)


def submissions_measure(
    *,
    fixture: BenchFixture,
    application_number: str,
    attachment: SampleFile | None,
    topic_code: str = "document",
    repeat: int = 20,
    warmup: int = 2,
) -> SubmissionResult:
    """POST the enquiry form `warmup + repeat` times through the view; time each and its upload pipeline.

    The multipart body is encoded before the clock starts: what is timed is the request
    through Django's handler (middleware, multipart parsing, the form with documents_check,
    ticket_submit with documents_save in its transaction, the receipt's outbox rows and the
    publish of its delivery task), as a WSGI server would run it.
    """
    from enquiries.uploads import field as documents_field
    from enquiries.views import client as client_views

    client = page_client(fixture=fixture, signed_in=True)
    path = "/en/enquiries/new/"
    result = SubmissionResult(
        attachment=attachment.label if attachment else "none",
        file_bytes=len(attachment.content) if attachment else 0,
        stored_bytes=0,
        count=repeat,
    )
    check, save, database = _Stopwatch(), _Stopwatch(), DatabaseClock()
    stamp = f"{time.time_ns():x}"
    for index in range(warmup + repeat):
        key = f"bench-{stamp}-{index}"
        body = _submission_body(
            application_number=application_number, topic_code=topic_code, key=key, attachment=attachment
        )
        measured = index >= warmup
        if index == warmup:
            check.seconds = save.seconds = database.seconds = 0.0  # the warm-up's time is not counted
        with (
            check.around(documents_field, "documents_check"),  # as the form field calls it
            save.around(client_views, "documents_save"),
            database.installed(),
            CaptureQueriesContext(connection) as captured,
        ):
            started = time.perf_counter()
            response = client.generic("POST", path, body, content_type=MULTIPART_CONTENT)
            elapsed = time.perf_counter() - started
        if response.status_code != 302 or "/sent/" not in response.get("Location", ""):
            raise RuntimeError(
                f"The enquiry form answered {response.status_code} {response.get('Location', '')}: "
                f"{response.content[:2000]!r}"
            )
        if measured:
            result.total_ms.append(elapsed * 1000)
            result.queries = len(captured)
    result.check_ms = check.seconds / repeat * 1000
    result.save_ms = save.seconds / repeat * 1000
    result.database_ms = database.seconds / repeat * 1000
    if attachment is not None:
        last = Document.objects.filter(uploaded_by_id=fixture.user_id).order_by("-pk").first()
        result.stored_bytes = last.size if last else 0
    return result


@dataclass(frozen=True)
class Marks:
    """The highest ids before the submissions, so that what they wrote can be removed after."""

    ticket: int
    notification: int


def marks_take() -> Marks:
    from notifications.models import Notification

    return Marks(
        ticket=Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        notification=Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
    )


def submissions_remove(*, marks: Marks) -> int:
    """Delete the tickets the submissions made (their messages, changes and documents, files included)."""
    from notifications.models import Notification

    documents = list(Document.objects.filter(ticket_id__gt=marks.ticket))
    storage = Document._meta.get_field("file").storage
    for document in documents:
        if document.file.name:
            storage.delete(document.file.name)
    with transaction.atomic():
        Document.objects.filter(ticket_id__gt=marks.ticket).delete()
        Notification.objects.filter(pk__gt=marks.notification).delete()
        removed, _by_model = Ticket.objects.filter(pk__gt=marks.ticket).delete()
    tickets_vacuum()
    return removed


# --- EXPLAIN ---------------------------------------------------------------------------------------


def queue_explained(*, personas: Personas, persona: str) -> list[tuple[str, str]]:
    """EXPLAIN (ANALYZE, BUFFERS) of every query on the tickets table the queue page runs, warm."""
    page = next(page for page in PAGE_SCENARIOS if page.name == f"{persona}_queue")
    _status, _count, sql = _page_queries(page, personas)
    plans = []
    with connection.cursor() as cursor:
        for statement in sql:
            if "enquiries_ticket" not in statement or not statement.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement)
            plans.append((statement, "\n".join(row[0] for row in cursor.fetchall())))
    return plans

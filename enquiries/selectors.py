"""Reads of the enquiries app for other pages: what the case timeline adds, what upstream may fetch.

Each is a fixed number of queries whatever the number of documents or enquiries.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404

from applications.access import Basis, Need
from applications.models import Application, ApplicationLink, Stage
from core.i18n import active_language
from core.prepared import prepared
from enquiries.models import Document, Ticket, TicketChange, TicketMessage, TicketState
from status_tracker.models import StageProgress, StageState


def stage_waiting_on_client(*, application: Application, stage_code: str) -> Stage:
    """The stage of `application` coded `stage_code` if it is waiting on the client now, else Http404."""
    progress = (
        StageProgress.objects.select_related("stage")
        .filter(application=application, stage__code=stage_code, state=StageState.WAITING_ON_CLIENT)
        .first()
    )
    if progress is None:
        raise Http404
    return progress.stage


@dataclass(frozen=True)
class SentDocument:
    pk: int
    name: str
    deleted: bool


@dataclass(frozen=True)
class TimelineEntry:
    """Something the client did or was told about the application outside the status events.

    `kind` is "documents_sent", "enquiry_asked", "enquiry_answered" or "enquiry_closed".
    `sender` names who wrote an enquiry for the client (a grantee), empty for the client's own.
    """

    kind: str
    occurred_at: datetime.datetime
    stage_name: str = ""
    documents: list[SentDocument] = field(default_factory=list)
    note: str = ""
    reference: str = ""
    topic: str = ""
    body: str = ""
    sender: str = ""
    # The page is read by a grantee, not the client: "sent for the client", not "for you".
    read_by_grantee: bool = False

    @property
    def document_count(self) -> int:
        return len(self.documents)


def _documents_sent_query(application: Application) -> QuerySet:
    """The documents sent for *waiting on you* requests, one row each, oldest first (grouped by the caller).

    Plain rows rather than PostgreSQL's ARRAY_AGG, so that the SQLite default reads them too.
    """
    language = active_language()
    return (
        Document.objects.filter(application=application, ticket__isnull=True)
        .annotate(
            stage_name=F(f"stage__name_{language}"),
            stage_name_en=F("stage__name_en"),
            is_deleted=ExpressionWrapper(Q(deleted_at__isnull=False), output_field=BooleanField()),
        )
        .values("submission", "created_at", "id", "original_name", "note", "stage_name", "stage_name_en", "is_deleted")
        .order_by("created_at", "id")
    )


def _documents_sent(*, application: Application) -> list[TimelineEntry]:
    """The documents sent for *waiting on you* requests, one entry per submission (one query)."""
    submissions: dict[object, list[dict]] = {}
    for row in _rows(application=application, name="documents_sent", build=_documents_sent_query):
        submissions.setdefault(row["submission"], []).append(row)
    return [
        TimelineEntry(
            kind="documents_sent",
            occurred_at=rows[0]["created_at"],
            stage_name=rows[0]["stage_name"] or rows[0]["stage_name_en"] or "",
            documents=[
                SentDocument(pk=row["id"], name=row["original_name"], deleted=bool(row["is_deleted"])) for row in rows
            ],
            note=next((row["note"] for row in rows if row["note"]), ""),
        )
        for rows in submissions.values()
    ]


ENQUIRY_EVENT_COLUMNS = ("entry_kind", "entry_at", "entry_reference", "entry_topic", "entry_body", "entry_sender")


def _enquiry_events_query(application: Application) -> QuerySet:
    """Enquiries about the application: asked, answered, closed (one query).

    The client's own (by the accounts linked to it now) with our answers; and those a
    grantee sent for them under one of their grants, named by who sent them, with no
    words: that conversation is between the grantee and the centre, and its answer went
    to the grantee. An enquiry by an account no longer linked, or by someone without an
    account, is not the current owner's to read here. Internal notes never show.
    """
    language = active_language()
    read_by_grantee = getattr(application, "viewer_basis", None) is Basis.GRANTEE
    for_client = Q(on_behalf_grant__isnull=False, on_behalf_grant__client_id=application.client_id)
    if not read_by_grantee:
        for_client |= Q(account__in=ApplicationLink.objects.filter(application=application).values("account"))
    # A grantee reading the file sees the enquiries sent for the client, never the client's own conversations.
    tickets = (
        Ticket.objects.filter(application=application)
        .filter(for_client)
        .exclude(state=TicketState.UNCONFIRMED)
        .values("pk")
    )

    def sender(prefix: str):
        """Who wrote for the client: the organisation, else the grantee's name, else their account's address."""
        return Case(
            When(**{f"{prefix}on_behalf_grant__isnull": True}, then=Value("")),
            default=Coalesce(
                NullIf(F(f"{prefix}organisation__name_{language}"), Value("")),
                NullIf(F(f"{prefix}on_behalf_grant__grantee_name"), Value("")),
                F(f"{prefix}account__email"),
                Value(""),
            ),
            output_field=CharField(),
        )

    def columns(queryset, *, kind: str, at: str, reference: str, topic: str, body, prefix: str):
        return (
            queryset.annotate(
                entry_kind=Value(kind, output_field=CharField()),
                entry_at=F(at),
                entry_reference=F(reference),
                entry_topic=F(topic),
                entry_body=body,
                entry_sender=sender(prefix),
            )
            .values_list(*ENQUIRY_EVENT_COLUMNS)
            .order_by()
        )

    asked = columns(
        Ticket.objects.filter(pk__in=tickets),
        kind="enquiry_asked",
        at="created_at",
        reference="reference",
        topic=f"topic__name_{language}",
        body=Value("", output_field=TextField()),
        prefix="",
    )
    answered = columns(
        TicketMessage.objects.filter(ticket__in=tickets, author_kind=TicketMessage.Author.AGENT),
        kind="enquiry_answered",
        at="created_at",
        reference="ticket__reference",
        topic=f"ticket__topic__name_{language}",
        body=Case(
            When(ticket__on_behalf_grant__isnull=True, then=F("body")),
            default=Value(""),
            output_field=TextField(),
        ),
        prefix="ticket__",
    )
    closed = columns(
        TicketChange.objects.filter(ticket__in=tickets, to_state=TicketState.CLOSED),
        kind="enquiry_closed",
        at="created_at",
        reference="ticket__reference",
        topic=f"ticket__topic__name_{language}",
        body=Value("", output_field=TextField()),
        prefix="ticket__",
    )
    return asked.union(answered, closed, all=True)


def _enquiry_events(*, application: Application) -> list[TimelineEntry]:
    """Enquiries about the application as history entries (one query; see _enquiry_events_query)."""
    read_by_grantee = getattr(application, "viewer_basis", None) is Basis.GRANTEE
    return [
        TimelineEntry(
            kind=row["entry_kind"],
            occurred_at=row["entry_at"],
            reference=row["entry_reference"],
            topic=row["entry_topic"],
            body=row["entry_body"],
            sender=row["entry_sender"],
            read_by_grantee=read_by_grantee,
        )
        for row in _rows(application=application, name="enquiry_events", build=_enquiry_events_query)
    ]


# The status page runs both queries above on every view. Building and compiling them through
# the ORM cost most of the page's Python time (about 8 ms a view, where running them costs
# well under one), and only two values in them change from one file to the next: so each is
# compiled once per process, language and kind of reader, with stand-ins for the file's id
# and its client's id, and run again with the real ones.
_STAND_IN_APPLICATION = -918_273_645
_STAND_IN_CLIENT = -918_273_646
_COMPILED: dict[tuple[str, str, bool], tuple[str, tuple]] = {}


# PostgreSQL planned the enquiries' UNION on every view (8 ms of its CPU for a query that then
# runs in 0.1 ms): both queries are prepared once per connection (core.prepared).
def _rows(*, application: Application, name: str, build) -> list[dict]:
    """Run the query `build` makes for `application`, compiled once; rows as dicts by column name.

    The compiled path reads the driver's values as they come, which only PostgreSQL's are ready
    to use (SQLite gives dates as text): elsewhere the query runs through the ORM each time.
    """
    if connection.vendor != "postgresql":
        queryset = build(application)
        rows = list(queryset)
        if rows and not isinstance(rows[0], dict):
            names = ENQUIRY_EVENT_COLUMNS
            rows = [dict(zip(names, row, strict=True)) for row in rows]
        return rows
    read_by_grantee = getattr(application, "viewer_basis", None) is Basis.GRANTEE
    key = (name, active_language(), read_by_grantee)
    compiled = _COMPILED.get(key)
    if compiled is None:
        stand_in = Application(pk=_STAND_IN_APPLICATION, client_id=_STAND_IN_CLIENT)
        stand_in.viewer_basis = Basis.GRANTEE if read_by_grantee else Basis.OWNER
        compiled = _COMPILED[key] = build(stand_in).query.sql_with_params()
    sql, params = compiled
    values = {_STAND_IN_APPLICATION: application.pk, _STAND_IN_CLIENT: application.client_id}
    statement = prepared(name=re.sub(r"\W", "_", "timeline_{}_{}_{}".format(*key)).lower(), sql=sql)
    with connection.cursor() as cursor:
        cursor.execute(statement, [values.get(param, param) if type(param) is int else param for param in params])
        columns = [column[0] for column in cursor.description]  # a name first, in every driver
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def case_timeline_extras(*, application: Application) -> list[TimelineEntry]:
    """What the status page's history adds to the status events, newest first (two queries).

    The documents the client sent (grouped per submission) and their enquiries about
    the file. For the page already gated by applications.access: no further check here.
    A grantee gets the enquiries sent for the client under a grant, never the client's own
    conversations; the documents sent about the file only when the grant lets them send
    documents too.
    """
    entries = _enquiry_events(application=application)
    # Documents: for the client, staff, and a grantee who may send documents for the client.
    if getattr(application, "viewer_basis", None) is not Basis.GRANTEE or Need.ACT_ON_BEHALF in getattr(
        application, "viewer_needs", frozenset()
    ):
        entries += _documents_sent(application=application)
    return sorted(entries, key=lambda entry: entry.occurred_at, reverse=True)


def documents_for_upstream(*, application: Application) -> QuerySet[Document]:
    """Every document of the application for the upstream system: its requests' and its enquiries'."""
    return (
        Document.objects.filter(Q(application=application) | Q(ticket__application=application))
        .exclude(ticket__state=TicketState.UNCONFIRMED)
        .select_related("stage", "ticket")
        .order_by("created_at", "id")
    )

"""Reads of the enquiries app for other pages: what the case timeline adds, what upstream may fetch.

Each is a fixed number of queries whatever the number of documents or enquiries.
"""

import datetime
import re
from dataclasses import dataclass, field
from operator import itemgetter

from django.db import connection
from django.db.models import (
    BigIntegerField,
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
from django.db.models.functions import Cast, Coalesce, NullIf
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


# The history's rows, documents and enquiries alike, in one query: a kind, a time, and the
# columns each kind reads. A document row carries its submission (as text: only grouped on),
# stage name, note, file name, id and whether it was deleted; an enquiry row its reference,
# topic, answer and who sent it for the client.
TIMELINE_COLUMNS = (
    "entry_kind",
    "entry_at",
    "entry_reference",
    "entry_topic",
    "entry_body",
    "entry_sender",
    "entry_document",
    "entry_deleted",
)


def _documents_sent_rows(application: Application) -> QuerySet:
    """The documents sent for *waiting on you* requests, one row each (grouped per submission by the reader).

    Plain rows rather than PostgreSQL's ARRAY_AGG, so that the SQLite default reads them too.
    """
    language = active_language()
    return (
        Document.objects.filter(application=application, ticket__isnull=True)
        .annotate(
            entry_kind=Value("documents_sent", output_field=CharField()),
            entry_at=F("created_at"),
            entry_reference=Cast("submission", output_field=CharField()),
            entry_topic=Coalesce(
                NullIf(F(f"stage__name_{language}"), Value("")),
                NullIf(F("stage__name_en"), Value("")),
                Value(""),
                output_field=CharField(),
            ),
            entry_body=F("note"),
            entry_sender=F("original_name"),
            entry_document=F("id"),
            entry_deleted=ExpressionWrapper(Q(deleted_at__isnull=False), output_field=BooleanField()),
        )
        .values_list(*TIMELINE_COLUMNS)
        .order_by()
    )


def _timeline_query(application: Application, *, with_documents: bool) -> QuerySet:
    """Enquiries about the application (asked, answered, closed) and, when asked, the documents sent: one query.

    Enquiries: the client's own (by the accounts linked to it now) with our answers; and those a
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
                # Typed: UNION resolves each pair of parts in turn, and bare parameters would be text.
                entry_document=Cast(Value(None), output_field=BigIntegerField()),
                entry_deleted=Cast(Value(False), output_field=BooleanField()),
            )
            .values_list(*TIMELINE_COLUMNS)
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
    parts = [answered, closed, *([_documents_sent_rows(application)] if with_documents else [])]
    return asked.union(*parts, all=True)


# The status page runs the query above on every view. Building and compiling it through the
# ORM cost most of the page's Python time (about 8 ms a view, where running it costs well
# under one), and only two values in it change from one file to the next: so it is compiled
# once per process, language, kind of reader and whether documents are included, with
# stand-ins for the file's id and its client's id, and run again with the real ones.
_STAND_IN_APPLICATION = -918_273_645
_STAND_IN_CLIENT = -918_273_646
_COMPILED: dict[tuple[str, bool, bool], tuple[str, tuple]] = {}


# PostgreSQL planned the enquiries' UNION on every view (8 ms of its CPU for a query that then
# runs in 0.1 ms): it is prepared once per connection (core.prepared).
def _timeline_rows(*, application: Application, with_documents: bool) -> list[dict]:
    """The rows of _timeline_query for `application`, compiled once; each a dict by column name.

    The compiled path reads the driver's values as they come, which only PostgreSQL's are ready
    to use (SQLite gives dates as text): elsewhere the query runs through the ORM each time.
    """
    if connection.vendor != "postgresql":
        rows = _timeline_query(application, with_documents=with_documents)
        return [dict(zip(TIMELINE_COLUMNS, row, strict=True)) for row in rows]
    read_by_grantee = getattr(application, "viewer_basis", None) is Basis.GRANTEE
    key = (active_language(), read_by_grantee, with_documents)
    compiled = _COMPILED.get(key)
    if compiled is None:
        stand_in = Application(pk=_STAND_IN_APPLICATION, client_id=_STAND_IN_CLIENT)
        stand_in.viewer_basis = Basis.GRANTEE if read_by_grantee else Basis.OWNER
        compiled = _COMPILED[key] = _timeline_query(stand_in, with_documents=with_documents).query.sql_with_params()
    sql, params = compiled
    values = {_STAND_IN_APPLICATION: application.pk, _STAND_IN_CLIENT: application.client_id}
    name = re.sub(r"\W", "_", "timeline_{}_{}_{}".format(key[0], "grantee" if key[1] else "client", int(key[2])))
    statement = prepared(name=name.lower(), sql=sql)
    with connection.cursor() as cursor:
        cursor.execute(statement, [values.get(param, param) if type(param) is int else param for param in params])
        return [dict(zip(TIMELINE_COLUMNS, row, strict=True)) for row in cursor.fetchall()]


def _documents_sent(rows: list[dict]) -> list[TimelineEntry]:
    """The document rows grouped into one entry per submission, each submission's files oldest first."""
    submissions: dict[object, list[dict]] = {}
    for row in sorted(rows, key=itemgetter("entry_at", "entry_document")):
        submissions.setdefault(row["entry_reference"], []).append(row)
    return [
        TimelineEntry(
            kind="documents_sent",
            occurred_at=rows[0]["entry_at"],
            stage_name=rows[0]["entry_topic"] or "",
            documents=[
                SentDocument(pk=row["entry_document"], name=row["entry_sender"], deleted=bool(row["entry_deleted"]))
                for row in rows
            ],
            note=next((row["entry_body"] for row in rows if row["entry_body"]), ""),
        )
        for rows in submissions.values()
    ]


def case_timeline_extras(*, application: Application) -> list[TimelineEntry]:
    """What the status page's history adds to the status events, newest first (one query).

    The documents the client sent (grouped per submission) and their enquiries about
    the file. For the page already gated by applications.access: no further check here.
    A grantee gets the enquiries sent for the client under a grant, never the client's own
    conversations; the documents sent about the file only when the grant lets them send
    documents too.
    """
    read_by_grantee = getattr(application, "viewer_basis", None) is Basis.GRANTEE
    # Documents: for the client, staff, and a grantee who may send documents for the client.
    with_documents = not read_by_grantee or Need.ACT_ON_BEHALF in getattr(application, "viewer_needs", frozenset())
    rows = _timeline_rows(application=application, with_documents=with_documents)
    entries = [
        TimelineEntry(
            kind=row["entry_kind"],
            occurred_at=row["entry_at"],
            reference=row["entry_reference"],
            topic=row["entry_topic"],
            body=row["entry_body"],
            sender=row["entry_sender"],
            read_by_grantee=read_by_grantee,
        )
        for row in rows
        if row["entry_kind"] != "documents_sent"
    ]
    entries += _documents_sent([row for row in rows if row["entry_kind"] == "documents_sent"])
    return sorted(entries, key=lambda entry: entry.occurred_at, reverse=True)


def documents_for_upstream(*, application: Application) -> QuerySet[Document]:
    """Every document of the application for the upstream system: its requests' and its enquiries'."""
    return (
        Document.objects.filter(Q(application=application) | Q(ticket__application=application))
        .exclude(ticket__state=TicketState.UNCONFIRMED)
        .select_related("stage", "ticket")
        .order_by("created_at", "id")
    )

"""The upstream part of API v1: events in, and what the portal shows for reconciliation.

Only service tokens get in (status_tracker.authentication); every error is a
problem body (status_tracker.api_errors).
"""

import datetime
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import exceptions, serializers
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.access import application_for_api_client, normalize_application_number
from applications.models import Application
from processing_times.estimates import Estimate, estimate_for_application
from status_tracker.api_errors import (
    PROBLEM_CONTENT_TYPE,
    IdempotencyConflict,
    ProblemSerializer,
    RequestTooLarge,
    printable,
)
from status_tracker.authentication import IsUpstreamClient, ServiceTokenAuthentication
from status_tracker.event_input import EventInputSerializer
from status_tracker.events import EventIn
from status_tracker.ingest import ItemResult, events_ingest
from status_tracker.models import ApiClient, Decision, IdempotencyRecord, StatusEvent
from status_tracker.selectors import StageRow, stages_for_application, timeline_for_application

MAX_EVENTS = 1000
# 1,000 events with long messages fit; a body this large is a mistake or an attack.
MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_IDEMPOTENCY_KEY_LENGTH = 255
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]([ -~]{0,253}[!-~])?$"
IDEMPOTENCY_TTL = datetime.timedelta(hours=24)
MAX_APPLICATION_NUMBER_LENGTH = 20


def _problem(status: int, description: str) -> OpenApiResponse:
    return OpenApiResponse(ProblemSerializer, description=description)


# ---------------------------------------------------------------------------------------------
# Parsing: a JSON body with a size limit, never a 500 whatever the bytes.


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


class BoundedJSONParser(JSONParser):
    """JSON, read up to MAX_BODY_BYTES; anything else is a 400 or a 413.

    DRF's own parser reads the whole stream whatever its size (Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE only guards request.body) and lets an unknown
    charset or a deeply nested document escape as a 500.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        except ValueError:
            declared = 0
        if declared > MAX_BODY_BYTES:
            raise RequestTooLarge()
        raw = stream.read(MAX_BODY_BYTES + 1)
        if len(raw) > MAX_BODY_BYTES:
            raise RequestTooLarge()
        # JSON between systems is UTF-8 (RFC 8259 section 8.1), whatever a charset parameter says.
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise exceptions.ParseError(_("The request body is not valid UTF-8.")) from error
        try:
            return json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as error:
            raise exceptions.ParseError(_("The request body is not valid JSON.")) from error


def _canonical_digest(payload) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


# ---------------------------------------------------------------------------------------------
# Services: answer a batch; answer it once per Idempotency-Key.


class _EventValidator(EventInputSerializer):
    """EventInputSerializer, built once per request and run on each item.

    A fresh serializer per item deep-copies its fields every time: about two thirds
    of the validation cost of a batch. This is how DRF's ListSerializer runs its child.
    """

    def event_from(self, item) -> EventIn:
        self._validated_data = self.run_validation(item)
        return self.to_event()


def events_answer(*, items: list, api_client: ApiClient) -> dict:
    """Validate each item on its own, ingest the valid ones in one call; one result per item, in order."""
    results: list[dict | None] = [None] * len(items)
    valid_events = []
    valid_indexes = []
    validator = _EventValidator()
    for index, item in enumerate(items):
        try:
            valid_events.append(validator.event_from(item))
        except serializers.ValidationError as error:
            raw_id = item.get("event_id") if isinstance(item, dict) else None
            results[index] = {
                "index": index,
                # Echoed back, when it looks like an id, so upstream can match the answer to its item.
                "event_id": raw_id if isinstance(raw_id, str) and len(raw_id) <= 64 else None,
                "result": ItemResult.REJECTED.value,
                "reason": _("This event is not valid: see errors."),
                "errors": serializers.as_serializer_error(error),
            }
        else:
            valid_indexes.append(index)
    if valid_events:
        ingested = events_ingest(events=valid_events, api_client=api_client)
        for index, item in zip(valid_indexes, ingested, strict=True):
            results[index] = {
                "index": index,
                "event_id": item.event_id,
                "result": item.result.value,
                "reason": str(item.reason),
            }
    counts = {result.value: 0 for result in ItemResult}
    for result in results:
        counts[result["result"]] += 1
    return printable({"results": results, "counts": counts})


def idempotent_answer(*, api_client: ApiClient, key: str, request_digest: str, answer: Callable[[], dict]):
    """Run `answer` once per (client, key); a repeat gets the stored answer back.

    Returns (status, body, replayed). The record is inserted before the work, in
    the same transaction: a concurrent first use of the key waits on the unique
    index, then finds the committed record and replays it instead of ingesting.
    """
    with transaction.atomic():
        record, created = IdempotencyRecord.objects.get_or_create(
            api_client=api_client,
            key=key,
            # Placeholders, replaced before commit, so nobody ever reads them.
            defaults={"request_hash": request_digest, "status_code": 0, "response_body": {}},
        )
        if not created:
            if record.request_hash != request_digest:
                raise IdempotencyConflict()
            return record.status_code, record.response_body, True
        body = answer()
        record.status_code = 200
        record.response_body = body
        record.save(update_fields=["status_code", "response_body"])
        return 200, body, False


def idempotency_records_purge(*, older_than: datetime.timedelta = IDEMPOTENCY_TTL) -> int:
    """Delete stored answers older than the replay window; return how many went."""
    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted


# ---------------------------------------------------------------------------------------------
# POST /api/v1/events/


class EventBatchSerializer(serializers.Serializer):
    """A batch: 1 to 1,000 events, each answered on its own."""

    events = serializers.ListField(child=EventInputSerializer(), min_length=1, max_length=MAX_EVENTS)


class EventBatchSchema(OpenApiSerializerExtension):
    """A batch object has no key but `events` (the view refuses others), so say so in the schema."""

    target_class = EventBatchSerializer

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = False
        return schema


class EventResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the item in the request, from 0.")
    event_id = serializers.CharField(allow_null=True, help_text="The item's event_id; null if it sent none.")
    result = serializers.ChoiceField(choices=[result.value for result in ItemResult])
    reason = serializers.CharField(allow_blank=True, help_text="Why, when not applied; in the request's language.")
    errors = serializers.DictField(required=False, help_text="Field errors, for an item that did not validate.")


class EventCountsSerializer(serializers.Serializer):
    applied = serializers.IntegerField()
    out_of_order = serializers.IntegerField()
    duplicate = serializers.IntegerField()
    rejected = serializers.IntegerField()


class EventsAnswerSerializer(serializers.Serializer):
    results = EventResultSerializer(many=True)
    counts = EventCountsSerializer()


EVENTS_DESCRIPTION = """\
Send one event, or `{"events": [...]}` with 1 to 1,000 events.

Each item is checked on its own and answered in `results`, in request order:
`applied`; `out_of_order` (older than the current state: kept in the history, changed
nothing, told nobody); `duplicate` (this `event_id` was received before: nothing
changes and nothing is sent); `rejected` (with a `reason`, and `errors` by field
when the item did not validate). A bad item never blocks the good ones, so the
answer is 200 whenever the body itself has the right shape.

With an `Idempotency-Key` header, the first answer is stored for 24 hours: a repeat
with the same body gets it back (header `Idempotent-Replayed: true`) without
re-processing; the same key with a different body is a 422.
"""

EXAMPLE_EVENT = {
    "event_id": "gcms-2026-000123",
    "application_number": "E100000001",
    "occurred_at": "2026-03-01T14:30:00Z",
    "kind": "stage",
    "stage": "biometrics",
    "state": "waiting_on_client",
}


class EventsIngestApi(APIView):
    authentication_classes = [ServiceTokenAuthentication]
    permission_classes = [IsUpstreamClient]
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        operation_id="events_ingest",
        summary="Send status events",
        description=EVENTS_DESCRIPTION,
        tags=["upstream"],
        request=PolymorphicProxySerializer(
            component_name="EventsRequest",
            serializers=[EventInputSerializer, EventBatchSerializer],
            resource_type_field_name=None,
        ),
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                type={"type": "string", "minLength": 1, "maxLength": MAX_IDEMPOTENCY_KEY_LENGTH},
                pattern=IDEMPOTENCY_KEY_PATTERN,
                location=OpenApiParameter.HEADER,
                description="Any unique string (visible ASCII, at most 255) to make a retry safe.",
            ),
            OpenApiParameter(
                "Idempotent-Replayed",
                type=OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                response=[200],
                description="`true` when this answer is the stored answer to an earlier request with the same key.",
            ),
        ],
        responses={
            200: OpenApiResponse(EventsAnswerSerializer, description="One result per event, in request order."),
            (400, PROBLEM_CONTENT_TYPE): _problem(
                400, "The body is not JSON, not an event or a batch, has no events or more than 1,000."
            ),
            (401, PROBLEM_CONTENT_TYPE): _problem(401, "No token, or a token that is unknown or revoked."),
            (413, PROBLEM_CONTENT_TYPE): _problem(413, "The body is larger than 8 MiB."),
            (415, PROBLEM_CONTENT_TYPE): _problem(415, "The body is not application/json."),
            (422, PROBLEM_CONTENT_TYPE): _problem(422, "This Idempotency-Key was used with a different body."),
        },
        examples=[
            OpenApiExample("One event", value=EXAMPLE_EVENT, request_only=True),
            OpenApiExample("A batch", value={"events": [EXAMPLE_EVENT]}, request_only=True),
        ],
    )
    def post(self, request: Request) -> Response:
        key = self._idempotency_key(request)
        if request.stream is None:
            raise exceptions.ParseError(_("The request body is empty: send one event or a batch."))
        payload = request.data
        items = self._items(payload)
        if key is None:
            return Response(events_answer(items=items, api_client=request.auth))
        status, body, replayed = idempotent_answer(
            api_client=request.auth,
            key=key,
            request_digest=_canonical_digest(payload),
            answer=lambda: events_answer(items=items, api_client=request.auth),
        )
        return Response(body, status=status, headers={"Idempotent-Replayed": "true"} if replayed else None)

    @staticmethod
    def _idempotency_key(request: Request) -> str | None:
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return None
        key = key.strip()
        if not key or len(key) > MAX_IDEMPOTENCY_KEY_LENGTH or not all(" " <= char <= "~" for char in key):
            raise exceptions.ValidationError(
                {"Idempotency-Key": [_("Use 1 to 255 visible ASCII characters for the Idempotency-Key header.")]}
            )
        return key

    @staticmethod
    def _items(payload) -> list:
        if not isinstance(payload, dict):
            raise exceptions.ParseError(
                _('Send one event as a JSON object, or a batch as {"events": [ ... ]}.'),
            )
        if "events" not in payload:
            return [payload]
        if set(payload) != {"events"}:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("A batch has only one key, events; send other fields inside each event.")]}
            )
        events = payload["events"]
        if not isinstance(events, list):
            raise exceptions.ValidationError({"events": [_("Give the events as a list.")]})
        if not events:
            raise exceptions.ValidationError({"events": [_("Send at least one event.")]})
        if len(events) > MAX_EVENTS:
            raise exceptions.ValidationError(
                {"events": [_("Send at most %(max)d events at a time.") % {"max": MAX_EVENTS}]}
            )
        return events


# ---------------------------------------------------------------------------------------------
# GET /api/v1/applications/{number}/


@dataclass(frozen=True)
class UpstreamView:
    application: Application
    stages: list[StageRow]
    history: list[StatusEvent]
    decision: Decision | None
    estimate: Estimate | None


def application_for_upstream(*, api_client, number: str) -> UpstreamView:
    """Everything the portal shows about one application, in a fixed number of queries (at most 7)."""
    number = normalize_application_number(number)
    if not number or len(number) > MAX_APPLICATION_NUMBER_LENGTH or "\x00" in number:
        raise exceptions.NotFound(_("There is no application with this number."))
    try:
        application = application_for_api_client(api_client=api_client, number=number)
    except Http404:
        raise exceptions.NotFound(_("There is no application with this number.")) from None
    try:
        decision = application.decision
    except Decision.DoesNotExist:
        decision = None
    return UpstreamView(
        application=application,
        stages=stages_for_application(application=application),
        history=list(timeline_for_application(application=application)),
        decision=decision,
        estimate=estimate_for_application(application=application),
    )


class BilingualTextSerializer(serializers.Serializer):
    en = serializers.CharField()
    fr = serializers.CharField()


class UpstreamStageSerializer(serializers.Serializer):
    code = serializers.CharField(source="stage.code")
    position = serializers.IntegerField()
    state = serializers.CharField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class UpstreamHistoryEventSerializer(serializers.Serializer):
    event_id = serializers.CharField(source="source_id")
    kind = serializers.CharField()
    stage = serializers.CharField(source="stage.code", allow_null=True, default=None)
    state = serializers.CharField(allow_blank=True)
    status = serializers.CharField(allow_blank=True)
    outcome = serializers.CharField(allow_blank=True)
    occurred_at = serializers.DateTimeField()
    message = serializers.SerializerMethodField()
    applied = serializers.BooleanField()

    @extend_schema_field(BilingualTextSerializer)
    def get_message(self, event: StatusEvent) -> dict:
        return {"en": event.message_en, "fr": event.message_fr}


class UpstreamDecisionSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    decided_at = serializers.DateTimeField()
    made_in_canada = serializers.BooleanField(allow_null=True)
    grounds = serializers.SerializerMethodField()
    officer_notes = serializers.CharField(allow_blank=True)

    def get_grounds(self, decision: Decision) -> list[str]:
        return sorted(ground.code for ground in decision.grounds.all())


class UpstreamStageEstimateSerializer(serializers.Serializer):
    stage = serializers.CharField(help_text="Code of the current stage.")
    computed_on = serializers.DateField()
    sample_size = serializers.IntegerField()
    enough_data = serializers.BooleanField()
    p50_days = serializers.FloatField(allow_null=True)
    p80_days = serializers.FloatField(allow_null=True)


class UpstreamEstimateSerializer(serializers.Serializer):
    normal_processing_days = serializers.IntegerField(source="normal.days")
    from_recent_decisions = serializers.BooleanField(
        source="normal.from_percentile",
        help_text="True: the 80th percentile of recent decisions; false: the program's service standard.",
    )
    outside_normal_from = serializers.DateField()
    overdue = serializers.BooleanField()
    figures_computed_on = serializers.DateField(source="snapshot.computed_on", allow_null=True, default=None)
    by_country = serializers.BooleanField()
    window_start = serializers.DateField(allow_null=True)
    window_end = serializers.DateField(allow_null=True)
    people_ahead = serializers.IntegerField(allow_null=True)
    people_ahead_on = serializers.DateField(allow_null=True)
    projected_on = serializers.DateField(allow_null=True)
    current_stage = serializers.SerializerMethodField()

    @extend_schema_field(UpstreamStageEstimateSerializer(allow_null=True))
    def get_current_stage(self, estimate: Estimate) -> dict | None:
        if estimate.stage is None:
            return None
        snapshot = estimate.stage.snapshot
        return {
            "stage": self.context["current_stage_code"],
            "computed_on": snapshot.computed_on,
            "sample_size": snapshot.sample_size,
            "enough_data": estimate.stage.enough_data,
            "p50_days": snapshot.p50_days,
            "p80_days": snapshot.p80_days,
        }


class UpstreamApplicationSerializer(serializers.Serializer):
    number = serializers.CharField(source="application.number")
    program = serializers.CharField(source="application.program.code")
    status = serializers.ChoiceField(choices=Application.Status.choices, source="application.status")
    outcome = serializers.CharField(source="application.outcome", allow_blank=True)
    submitted_on = serializers.DateField(source="application.submitted_on")
    decided_on = serializers.DateField(source="application.decided_on", allow_null=True)
    current_stage = serializers.CharField(source="application.current_stage.code", allow_null=True, default=None)
    last_updated_at = serializers.DateTimeField(source="application.last_updated_at", allow_null=True)
    stages = UpstreamStageSerializer(many=True, help_text="Every stage of the program, in order.")
    history = UpstreamHistoryEventSerializer(many=True, help_text="What the client sees, newest first.")
    decision = UpstreamDecisionSerializer(allow_null=True)
    estimate = serializers.SerializerMethodField()

    @extend_schema_field(UpstreamEstimateSerializer(allow_null=True))
    def get_estimate(self, view: UpstreamView) -> dict | None:
        if view.estimate is None:
            return None
        current = view.application.current_stage
        context = {"current_stage_code": current.code if current else None}
        return UpstreamEstimateSerializer(view.estimate, context=context).data


class ApplicationForUpstreamApi(APIView):
    authentication_classes = [ServiceTokenAuthentication]
    permission_classes = [IsUpstreamClient]

    @extend_schema(
        operation_id="application_for_upstream",
        summary="What the portal shows for one application",
        description="For reconciliation: the status, every stage, the client-visible history, "
        "the decision and the personal estimate, as the portal shows them.",
        tags=["upstream"],
        parameters=[
            OpenApiParameter(
                "number",
                type={"type": "string", "minLength": 1, "maxLength": MAX_APPLICATION_NUMBER_LENGTH},
                location=OpenApiParameter.PATH,
                description="The application number, for example E100000001.",
            )
        ],
        responses={
            200: UpstreamApplicationSerializer,
            (401, PROBLEM_CONTENT_TYPE): _problem(401, "No token, or a token that is unknown or revoked."),
            (404, PROBLEM_CONTENT_TYPE): _problem(404, "There is no application with this number."),
        },
    )
    def get(self, request: Request, number: str) -> Response:
        view = application_for_upstream(api_client=request.auth, number=number)
        return Response(UpstreamApplicationSerializer(view).data)


# ---------------------------------------------------------------------------------------------
# GET /api/v1/docs/


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from self-hosted files, with its start-up script served as a file (CSP script-src 'self')."""

    authentication_classes: list = []
    url_name = "api:schema"
    # drf-spectacular's own page has an inline <style> block (refused by our CSP) and no lang.
    template_name = "api/docs.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

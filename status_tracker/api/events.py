"""POST /api/v1/events/: upstream sends one status event or a batch; each item is answered on its own.

A batch always answers 200 with a result per item; a single event that is rejected is a 422 problem.
"""

import re
from typing import cast

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.access import normalize_application_number
from core.api.idempotency import IDEMPOTENCY_PARAMETERS, idempotency_key_from, idempotent_response
from core.api.parsers import BoundedJSONParser
from core.api.problems import PROBLEM_CONTENT_TYPE, ProblemSerializer, printable, problem_body, problem_schema
from core.api.throttling import ServiceTokenRateThrottle
from status_tracker.api.authentication import IsUpstreamClient, ServiceTokenAuthentication
from status_tracker.api.serializers import EventInputSerializer
from status_tracker.events import EventIn
from status_tracker.ingest import ItemResult, events_ingest
from status_tracker.models import ApiClient, ApiScope, EventKind, StageState

MAX_EVENTS = 1000


# The common event, a stage moving: exactly these keys, every value a string.
_PLAIN_STAGE_KEYS = frozenset({"event_id", "application_number", "occurred_at", "kind", "stage", "state"})
_EVENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}")
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,40}")
_STAGE_STATES = frozenset(StageState.values)


class _EventValidator(EventInputSerializer):
    """EventInputSerializer, built once per request and run on each item.

    A fresh serializer per item deep-copies its fields every time: about two thirds
    of the validation cost of a batch. This is how DRF's ListSerializer runs its child.
    """

    def event_from(self, item) -> EventIn:
        event = self._plain_stage_event(item)
        if event is not None:
            return event
        self._validated_data = self.run_validation(item)
        return self.to_event()

    def _plain_stage_event(self, item) -> EventIn | None:
        """The common stage event checked without DRF's pass over all fifteen fields, or None.

        Only an item these checks prove valid is taken here, and it comes out as the
        serializer would make it (the time through the serializer's own field and
        check). Anything else, valid or not, goes through the serializer, so every
        error and every less common shape is the serializer's.
        """
        if type(item) is not dict or item.keys() != _PLAIN_STAGE_KEYS:
            return None
        event_id, number, occurred_at, kind, stage, state = (
            item["event_id"],
            item["application_number"],
            item["occurred_at"],
            item["kind"],
            item["stage"],
            item["state"],
        )
        if not all(type(value) is str for value in (event_id, number, occurred_at, kind, stage, state)):
            return None
        if kind != EventKind.STAGE or state not in _STAGE_STATES:
            return None
        if not _EVENT_ID.fullmatch(event_id) or not _SLUG.fullmatch(stage):
            return None
        if not 0 < len(number) <= 20 or number != number.strip() or "\x00" in number:
            return None
        try:
            number.encode()
        except UnicodeEncodeError:  # a lone surrogate, which the serializer refuses
            return None
        try:
            when = self.validate_occurred_at(self.fields["occurred_at"].run_validation(occurred_at))
        except serializers.ValidationError:
            return None
        return EventIn(
            event_id=event_id,
            application_number=normalize_application_number(number),
            occurred_at=when,
            kind=kind,
            stage=stage,
            state=state,
        )


def _rejected(index: int, item, error: serializers.ValidationError) -> dict:
    raw_id = item.get("event_id") if isinstance(item, dict) else None
    return {
        "index": index,
        # Echoed back, when it looks like an id, so upstream can match the answer to its item.
        "event_id": raw_id if isinstance(raw_id, str) and len(raw_id) <= 64 else None,
        "result": ItemResult.REJECTED.value,
        "reason": _("This event is not valid: see errors."),
        "errors": serializers.as_serializer_error(error),
    }


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
            results[index] = _rejected(index, item, error)
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
    answered = [result for result in results if result is not None]
    counts = {result.value: 0 for result in ItemResult}
    for result in answered:
        counts[result["result"]] += 1
    return printable({"results": answered, "counts": counts})


def events_outcome(*, items: list, single: bool, api_client: ApiClient) -> tuple[int, dict]:
    """The status and body of the answer.

    A rejected single event is a 422 problem, so that a client that reads only the
    status code does not lose it; a batch is 200 whatever its items' results.
    """
    answer = events_answer(items=items, api_client=api_client)
    if not single or answer["counts"][ItemResult.REJECTED.value] == 0:
        return 200, answer
    (result,) = answer["results"]
    body = problem_body(status=422, detail=result["reason"], errors=result.get("errors"))
    body["result"] = result
    return 422, body


def event_items(payload) -> list:
    """The events of a request body, one event or a batch; a 400 for any other shape."""
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
    # The answer's "errors" member, not Serializer.errors.
    errors = serializers.DictField(  # type: ignore[assignment]
        required=False, help_text="Field errors, for an item that did not validate."
    )


class EventCountsSerializer(serializers.Serializer):
    applied = serializers.IntegerField()
    out_of_order = serializers.IntegerField()
    duplicate = serializers.IntegerField()
    rejected = serializers.IntegerField()


class EventsAnswerSerializer(serializers.Serializer):
    results = EventResultSerializer(many=True)
    counts = EventCountsSerializer()


class RejectedEventProblemSerializer(ProblemSerializer):
    """A 422 problem body; for a rejected single event it carries the event's result too."""

    result = EventResultSerializer(
        required=False, help_text="The rejected single event's result, as a batch would list it in `results`."
    )


EVENTS_DESCRIPTION = """\
Send one event, or `{"events": [...]}` with 1 to 1,000 events.

Each item is checked on its own and answered in `results`, in request order:
`applied`; `out_of_order` (older than the current state: kept in the history, changed
nothing, told nobody); `duplicate` (this `event_id` was received before: nothing
changes and nothing is sent); `rejected` (with a `reason`, and `errors` by field
when the item did not validate). A bad item never blocks the good ones, so a batch
is answered 200 whenever the body itself has the right shape, with `counts` of each
result beside `results`.

A single event (the body is one event, not a batch) that is rejected is answered
422 with a problem body instead: `detail` gives the reason, `errors` the field
errors if it did not validate, and `result` its result as a batch would list it.
Nothing is stored. A single event that is applied, duplicate or out of order is a 200.

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

EVENTS_SCHEMA = extend_schema(
    operation_id="events_ingest",
    summary="Send status events",
    description=EVENTS_DESCRIPTION,
    tags=["upstream"],
    request=PolymorphicProxySerializer(
        component_name="EventsRequest",
        serializers=[EventInputSerializer, EventBatchSerializer],
        resource_type_field_name=None,
    ),
    parameters=IDEMPOTENCY_PARAMETERS,
    responses={
        200: OpenApiResponse(EventsAnswerSerializer, description="One result per event, in request order."),
        (400, PROBLEM_CONTENT_TYPE): problem_schema(
            "The body is not JSON, not an event or a batch, has no events or more than 1,000."
        ),
        (401, PROBLEM_CONTENT_TYPE): problem_schema("No token, or a token that is unknown or revoked."),
        (403, PROBLEM_CONTENT_TYPE): problem_schema("The token does not have the events:write scope."),
        (429, PROBLEM_CONTENT_TYPE): problem_schema(
            "More requests than the token's limit per minute (600 by default); Retry-After says when to resume."
        ),
        (413, PROBLEM_CONTENT_TYPE): problem_schema("The body is larger than 8 MiB."),
        (415, PROBLEM_CONTENT_TYPE): problem_schema("The body is not application/json."),
        (422, PROBLEM_CONTENT_TYPE): OpenApiResponse(
            RejectedEventProblemSerializer,
            description=(
                "A single event (not a batch) was rejected: `detail` says why and `result` holds its result. "
                "Or this Idempotency-Key was used with a different body."
            ),
        ),
    },
    examples=[
        OpenApiExample("One event", value=EXAMPLE_EVENT, request_only=True),
        OpenApiExample("A batch", value={"events": [EXAMPLE_EVENT]}, request_only=True),
    ],
)


class EventsIngestApi(APIView):
    authentication_classes = [ServiceTokenAuthentication]
    permission_classes = [IsUpstreamClient]
    required_scope = ApiScope.EVENTS_WRITE
    throttle_classes = [ServiceTokenRateThrottle]
    parser_classes = [BoundedJSONParser]

    @EVENTS_SCHEMA
    def post(self, request: Request) -> Response:
        key = idempotency_key_from(request)
        if request.stream is None:
            raise exceptions.ParseError(_("The request body is empty: send one event or a batch."))
        payload = request.data
        items = event_items(payload)
        single = "events" not in payload  # event_items has made sure the payload is an object
        api_client = cast(ApiClient, request.auth)  # ServiceTokenAuthentication puts the ApiClient there
        return idempotent_response(
            client_id=api_client.pk,
            key=key,
            payload=payload,
            answer=lambda: events_outcome(items=items, single=single, api_client=api_client),
        )

"""Idempotency-Key: a client's retry of a POST gets the first answer back instead of doing the work twice.

Answers are kept per client and key (core.models.IdempotencyRecord) for a day, then purged.
"""

import datetime
import hashlib
import json
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.problems import PROBLEM_CONTENT_TYPE
from core.models import IdempotencyRecord

MAX_IDEMPOTENCY_KEY_LENGTH = 255
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]([ -~]{0,253}[!-~])?$"
IDEMPOTENCY_TTL = datetime.timedelta(hours=24)


class IdempotencyConflict(exceptions.APIException):
    status_code = 422
    default_detail = gettext_lazy("This Idempotency-Key was already used with a different request body.")
    default_code = "idempotency_conflict"


# The two headers, for an endpoint's OpenAPI parameters.
IDEMPOTENCY_PARAMETERS = [
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
        response=[200, 422],
        description="`true` when this answer is the stored answer to an earlier request with the same key.",
    ),
]


def idempotency_key_from(request: Request) -> str | None:
    """The request's Idempotency-Key header, trimmed; None without one; a 400 when it is not visible ASCII."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY_LENGTH or not all(" " <= char <= "~" for char in key):
        raise exceptions.ValidationError(
            {"Idempotency-Key": [_("Use 1 to 255 visible ASCII characters for the Idempotency-Key header.")]}
        )
    return key


def payload_digest(payload) -> str:
    """SHA-256 of the payload with sorted keys and no spaces: the same data always gives the same digest."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def idempotent_answer(*, client_id: int, key: str, request_digest: str, answer: Callable[[], tuple[int, dict]]):
    """Run `answer` (a status and a body) once per (client, key); a repeat gets the stored answer back.

    Returns (status, body, replayed). The record is inserted before the work, in
    the same transaction: a concurrent first use of the key waits on the unique
    index, then finds the committed record and replays it instead of doing the work.
    """
    with transaction.atomic():
        record, created = IdempotencyRecord.objects.get_or_create(
            client_id=client_id,
            key=key,
            # Placeholders, replaced before commit, so nobody ever reads them.
            defaults={"request_hash": request_digest, "status_code": 0, "response_body": {}},
        )
        if not created:
            if record.request_hash != request_digest:
                raise IdempotencyConflict()
            return record.status_code, record.response_body, True
        status, body = answer()
        record.status_code = status
        record.response_body = body
        record.save(update_fields=["status_code", "response_body"])
        return status, body, False


def idempotent_response(
    *, client_id: int, key: str | None, payload, answer: Callable[[], tuple[int, dict]]
) -> Response:
    """`answer()`'s status and body, or, under an Idempotency-Key, the first answer given to this client for that key.

    An answer of 400 or more is a problem body (core.api.problems), so its media type follows from its status.
    """
    replayed = False
    if key is None:
        status, body = answer()
    else:
        status, body, replayed = idempotent_answer(
            client_id=client_id, key=key, request_digest=payload_digest(payload), answer=answer
        )
    return Response(
        body,
        status=status,
        headers={"Idempotent-Replayed": "true"} if replayed else None,
        content_type=PROBLEM_CONTENT_TYPE if status >= 400 else None,
    )


def idempotency_records_purge(*, older_than: datetime.timedelta = IDEMPOTENCY_TTL) -> int:
    """Delete stored answers older than the replay window; return how many went."""
    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted

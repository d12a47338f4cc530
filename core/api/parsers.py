"""A JSON request parser with a size limit that answers 400 or 413, never a 500, whatever the bytes."""

import json

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

from core.api.problems import RequestTooLarge

# 1,000 upstream events with long messages fit; a body this large is a mistake or an attack.
MAX_BODY_BYTES = 8 * 1024 * 1024


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _declared_length(parser_context) -> int:
    request = (parser_context or {}).get("request")
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
    except ValueError:
        return 0


class BoundedJSONParser(JSONParser):
    """JSON, read up to `max_body_bytes`; anything else is a 400 or a 413.

    DRF's own parser reads the whole stream whatever its size (Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE only guards request.body) and lets an unknown
    charset or a deeply nested document escape as a 500.
    """

    max_body_bytes = MAX_BODY_BYTES

    def parse(self, stream, media_type=None, parser_context=None):
        if _declared_length(parser_context) > self.max_body_bytes:
            raise RequestTooLarge()
        raw = stream.read(self.max_body_bytes + 1)
        if len(raw) > self.max_body_bytes:
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

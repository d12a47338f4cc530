"""Every error an API answers is an RFC 9457 problem body (application/problem+json).

DRF's exception handler is replaced so that 400, 401, 403, 404, 405, 406, 413,
415 and 429 all share one shape; a few Django exceptions that would otherwise
become a 500 (a body over the size limit, a bad upload) are answered as what they are.
"""

import http

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import set_rollback

PROBLEM_CONTENT_TYPE = "application/problem+json"


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = _("The request body is too large.")
    default_code = "too_large"


def printable(value):
    """Make error details safe to render and to store as jsonb.

    DRF echoes some input in its messages (an invalid choice, for example): a NUL
    character or a lone surrogate would make the JSON encoder or PostgreSQL fail.
    """
    if isinstance(value, str):
        return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {printable(str(key)): printable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [printable(item) for item in value]
    return value


def problem_body(*, status: int, detail: str, errors=None, title: str | None = None) -> dict:
    """A problem body of type about:blank, titled with the status phrase.

    `title` is only for an endpoint that published another title before this module existed.
    """
    body = {
        "type": "about:blank",
        "title": title if title is not None else http.HTTPStatus(status).phrase,
        "status": status,
        "detail": str(detail),
    }
    if errors:
        body["errors"] = printable(errors)
    return printable(body)


def problem_response(
    *, status: int, detail: str, errors=None, title: str | None = None, headers: dict | None = None
) -> Response:
    return Response(
        problem_body(status=status, detail=detail, errors=errors, title=title),
        status=status,
        headers=headers,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def _as_api_exception(exc) -> exceptions.APIException | None:
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, RequestDataTooBig):
        return RequestTooLarge()
    if isinstance(exc, SuspiciousOperation):
        return exceptions.ParseError()
    return exc if isinstance(exc, exceptions.APIException) else None


def problem_exception_handler(exc, context) -> Response | None:
    """DRF's EXCEPTION_HANDLER: the same statuses as DRF's own handler, as problem bodies."""
    exc = _as_api_exception(exc)
    if exc is None:
        return None  # a real bug: let Django log it and answer 500

    headers = {}
    if auth_header := getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = auth_header
    if wait := getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(wait))

    errors = None
    if isinstance(exc.detail, dict | list):
        detail = str(_("The request is not valid: see errors."))
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
    else:
        detail = exc.detail
    set_rollback()
    return problem_response(status=exc.status_code, detail=detail, errors=errors, headers=headers)


class ProblemSerializer(serializers.Serializer):
    """The problem body, for the OpenAPI schema."""

    type = serializers.CharField(help_text="Always about:blank: the status code says what went wrong.")
    title = serializers.CharField(help_text="The HTTP status phrase, in English.")
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="What went wrong, in the request's language.")
    errors = serializers.DictField(  # type: ignore[assignment]  # the body's "errors" member, not Serializer.errors
        required=False, help_text="Field errors by field name, when the request body did not validate."
    )


def problem_schema(description: str) -> OpenApiResponse:
    """A problem answer in an endpoint's OpenAPI responses, keyed by (status, PROBLEM_CONTENT_TYPE)."""
    return OpenApiResponse(ProblemSerializer, description=description)


@csrf_exempt
def api_not_found(request, *args, **kwargs) -> JsonResponse:
    """Anything under /api/v1/ that no route matches: a problem body, not the HTML 404 page.

    It also stops the slash-appending redirect, which would drop a POST body.
    """
    body = problem_body(status=404, detail=str(_("There is nothing at this address in API v1.")))
    return JsonResponse(body, status=404, content_type=PROBLEM_CONTENT_TYPE)


def api_server_error(request) -> JsonResponse:
    """An unexpected failure under /api/: a 500 problem body, never the HTML error page."""
    body = problem_body(status=500, detail=str(_("Something went wrong on our side. Try again later.")))
    return JsonResponse(body, status=500, content_type=PROBLEM_CONTENT_TYPE)

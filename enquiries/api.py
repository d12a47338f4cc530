"""Upstream API: the documents clients sent about an application, listed and fetched with the service token.

GET /api/v1/applications/{number}/documents/ lists them (requests answered and
enquiries' attachments alike); GET /api/v1/applications/{number}/documents/{id}/
returns one file, as an attachment that is never sniffed or cached. Each file fetched
is written to the audit under the service account's name.
"""

from typing import cast

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.access import application_for_api_client, normalize_application_number
from applications.models import Application
from core.api.problems import PROBLEM_CONTENT_TYPE, problem_response, problem_schema
from core.api.throttling import ServiceTokenRateThrottle
from core.audit import audit_record
from core.models import AuditAction
from enquiries.access import DOCUMENT_SUBJECT
from enquiries.selectors import documents_for_upstream
from enquiries.views.documents import document_file_response
from status_tracker.api.authentication import IsUpstreamClient, ServiceTokenAuthentication
from status_tracker.models import ApiClient, ApiScope

MAX_APPLICATION_NUMBER_LENGTH = 20
NUMBER_PARAMETER = OpenApiParameter(
    "number",
    type={"type": "string", "minLength": 1, "maxLength": MAX_APPLICATION_NUMBER_LENGTH},
    location=OpenApiParameter.PATH,
    description="The application number, for example E100000001.",
)
FILE_DESCRIPTION = (
    "The file in its real type (the document's content_type), with Content-Disposition: attachment "
    "and X-Content-Type-Options: nosniff."
)
DOCUMENT_PARAMETER = OpenApiParameter(
    "document_id",
    type={"type": "integer", "minimum": 1},
    location=OpenApiParameter.PATH,
    description="The document's id, as the list gives it.",
)


def application_for_documents(*, api_client, number: str) -> Application:
    number = normalize_application_number(number)
    if not number or len(number) > MAX_APPLICATION_NUMBER_LENGTH or "\x00" in number:
        raise exceptions.NotFound(_("There is no application with this number."))
    try:
        return application_for_api_client(api_client=api_client, number=number)
    except Http404:
        raise exceptions.NotFound(_("There is no application with this number.")) from None


class UpstreamDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    file_name = serializers.CharField(source="original_name", help_text="As the client named it, cleaned.")
    content_type = serializers.CharField(help_text="The real type, found from the content: PDF, JPEG or PNG.")
    size = serializers.IntegerField(help_text="In bytes.")
    sha256 = serializers.CharField(help_text="SHA-256 of the stored file, in hexadecimal.")
    sent_at = serializers.DateTimeField(source="created_at")
    stage = serializers.CharField(
        source="stage.code",
        allow_null=True,
        default=None,
        help_text="The stage whose *waiting on you* request it answers; null for an enquiry's attachment.",
    )
    ticket_reference = serializers.CharField(
        source="ticket.reference",
        allow_null=True,
        default=None,
        help_text="The enquiry it came with; null for a document sent for a request.",
    )
    note = serializers.CharField(allow_blank=True, help_text="What the client wrote when sending it.")
    submission = serializers.UUIDField(help_text="Documents sent together share it.")
    deleted_at = serializers.DateTimeField(
        allow_null=True, help_text="Set once the file is deleted (retention); the file is then gone."
    )
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, document) -> str | None:
        if document.deleted_at is not None:
            return None
        path = reverse(
            "api:application_document",
            kwargs={"number": self.context["number"], "document_id": str(document.pk)},
        )
        return self.context["request"].build_absolute_uri(path)


class ApplicationDocumentsApi(APIView):
    authentication_classes = [ServiceTokenAuthentication]
    permission_classes = [IsUpstreamClient]
    required_scope = ApiScope.DOCUMENTS_READ
    throttle_classes = [ServiceTokenRateThrottle]

    @extend_schema(
        operation_id="application_documents",
        summary="The documents the client sent about one application",
        description="Documents sent for its *waiting on you* requests and attachments of enquiries about it, "
        "oldest first. Files are fetched one by one from `download_url`.",
        tags=["upstream"],
        parameters=[NUMBER_PARAMETER],
        responses={
            200: UpstreamDocumentSerializer(many=True),
            (401, PROBLEM_CONTENT_TYPE): problem_schema("No token, or a token that is unknown or revoked."),
            (403, PROBLEM_CONTENT_TYPE): problem_schema("The token does not have the documents:read scope."),
            (429, PROBLEM_CONTENT_TYPE): problem_schema(
                "More requests than the token's limit per minute (600 by default); Retry-After says when to resume."
            ),
            (404, PROBLEM_CONTENT_TYPE): problem_schema("There is no application with this number."),
        },
    )
    def get(self, request: Request, number: str) -> Response:
        application = application_for_documents(api_client=request.auth, number=number)
        documents = documents_for_upstream(application=application)
        context = {"request": request, "number": application.number}
        return Response(UpstreamDocumentSerializer(documents, many=True, context=context).data)


class ApplicationDocumentFileApi(APIView):
    authentication_classes = [ServiceTokenAuthentication]
    permission_classes = [IsUpstreamClient]
    required_scope = ApiScope.DOCUMENTS_READ
    throttle_classes = [ServiceTokenRateThrottle]

    def perform_content_negotiation(self, request, force=False):
        # The file is whatever type it is; only an error body is rendered, always as a problem.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="application_document_file",
        summary="One document's file",
        description="The file as stored (images re-encoded when they were received), as an attachment.",
        tags=["upstream"],
        parameters=[NUMBER_PARAMETER, DOCUMENT_PARAMETER],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description=FILE_DESCRIPTION),
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description=FILE_DESCRIPTION),
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description=FILE_DESCRIPTION),
            (401, PROBLEM_CONTENT_TYPE): problem_schema("No token, or a token that is unknown or revoked."),
            (403, PROBLEM_CONTENT_TYPE): problem_schema("The token does not have the documents:read scope."),
            (429, PROBLEM_CONTENT_TYPE): problem_schema(
                "More requests than the token's limit per minute (600 by default); Retry-After says when to resume."
            ),
            (404, PROBLEM_CONTENT_TYPE): problem_schema("There is no such application, or no such document of it."),
            (410, PROBLEM_CONTENT_TYPE): problem_schema("The document's file was deleted (retention)."),
        },
    )
    def get(self, request: Request, number: str, document_id: str):
        api_client = cast(ApiClient, request.auth)
        application = application_for_documents(api_client=api_client, number=number)
        not_found = exceptions.NotFound(_("This application has no document with this id."))
        if not document_id.isascii() or not document_id.isdigit() or len(document_id) > 18:
            raise not_found
        document = documents_for_upstream(application=application).filter(pk=int(document_id)).first()
        if document is None:
            raise not_found
        if document.deleted_at is not None or not document.file:
            return problem_response(status=410, detail=_("This document's file was deleted."))
        try:
            handle = document.file.open("rb")
        except OSError:
            raise not_found from None
        audit_record(
            action=AuditAction.DOCUMENT_READ,
            actor_label=f"API client {api_client.name}"[:160],
            subject_type=DOCUMENT_SUBJECT,
            subject_id=document.pk,
            case_number=application.number,
            basis="api",
            request=request,
            extra={"api_client": api_client.pk},
        )
        return document_file_response(document=document, handle=handle)

"""GET /api/v1/applications/{number}/: what the portal shows for one application, for upstream to reconcile."""

from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.access import application_for_api_client, normalize_application_number
from applications.models import Application
from core.api.problems import PROBLEM_CONTENT_TYPE, problem_schema
from core.api.throttling import ServiceTokenRateThrottle
from processing_times.estimates import Estimate, estimate_for_application
from status_tracker.api.authentication import IsUpstreamClient, ServiceTokenAuthentication
from status_tracker.models import ApiScope, Decision, StatusEvent
from status_tracker.selectors import StageRow, stages_for_application, timeline_for_application

MAX_APPLICATION_NUMBER_LENGTH = 20


@dataclass(frozen=True)
class UpstreamView:
    application: Application
    stages: list[StageRow]
    history: list[StatusEvent]
    decision: Decision | None
    estimate: Estimate | None


def application_for_upstream(*, api_client, number: str) -> UpstreamView:
    """Everything the portal shows about one application, in a fixed number of queries (at most 7).

    The decision (its grounds and the officer's notes) only for a token with the decisions:read scope.
    """
    number = normalize_application_number(number)
    if not number or len(number) > MAX_APPLICATION_NUMBER_LENGTH or "\x00" in number:
        raise exceptions.NotFound(_("There is no application with this number."))
    try:
        application = application_for_api_client(api_client=api_client, number=number)
    except Http404:
        raise exceptions.NotFound(_("There is no application with this number.")) from None
    try:
        decision = application.decision if api_client.has_scope(ApiScope.DECISIONS_READ) else None
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
    officer_notes_language = serializers.CharField(
        allow_blank=True, help_text="en or fr: the language of the notes; empty when there are none."
    )
    released = serializers.BooleanField(
        help_text="False: decided but not yet released, so the client sees nothing of it; "
        "a later decision event with visible_to_client true releases it."
    )

    def get_grounds(self, decision: Decision) -> list[str]:
        return sorted(ground.code for ground in decision.grounds.all())


class UpstreamStageEstimateSerializer(serializers.Serializer):
    stage = serializers.CharField(help_text="Code of the current stage.")
    computed_on = serializers.DateField()
    sample_size = serializers.IntegerField()
    enough_data = serializers.BooleanField()
    p50_days = serializers.FloatField(allow_null=True)
    p80_days = serializers.FloatField(allow_null=True)


class UpstreamCalibratedEstimateSerializer(serializers.Serializer):
    likely_on = serializers.DateField()
    eight_in_ten_by = serializers.DateField()
    nine_in_ten_by = serializers.DateField()
    pace_per_day = serializers.FloatField()
    calibrated_on_files = serializers.IntegerField()
    widened = serializers.BooleanField()
    computed_on = serializers.DateField()


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
    calibrated = serializers.SerializerMethodField(
        help_text="The dates the status page gives: half, 8 in 10 and 9 in 10 of files like this one decided by "
        "then (null when the file's line has no forecast)."
    )
    current_stage = serializers.SerializerMethodField()

    @extend_schema_field(UpstreamCalibratedEstimateSerializer(allow_null=True))
    def get_calibrated(self, estimate: Estimate) -> dict | None:
        queue = estimate.queue
        if queue is None:
            return None
        return {
            "likely_on": queue.likely_on,
            "eight_in_ten_by": queue.eight_in_ten_by,
            "nine_in_ten_by": queue.nine_in_ten_by,
            "pace_per_day": queue.forecast.pace_per_day,
            "calibrated_on_files": queue.forecast.errors,
            "widened": queue.widened,
            "computed_on": queue.forecast.computed_on,
        }

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
    required_scope = ApiScope.STATUS_READ
    throttle_classes = [ServiceTokenRateThrottle]

    @extend_schema(
        operation_id="application_for_upstream",
        summary="What the portal shows for one application",
        description="For reconciliation: the status, every stage, the client-visible history, "
        "the decision and the personal estimate, as the portal shows them. Needs the status:read scope; "
        "`decision` is null unless the token also has decisions:read.",
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
            (401, PROBLEM_CONTENT_TYPE): problem_schema("No token, or a token that is unknown or revoked."),
            (403, PROBLEM_CONTENT_TYPE): problem_schema("The token does not have the status:read scope."),
            (429, PROBLEM_CONTENT_TYPE): problem_schema(
                "More requests than the token's limit per minute (600 by default); Retry-After says when to resume."
            ),
            (404, PROBLEM_CONTENT_TYPE): problem_schema("There is no application with this number."),
        },
    )
    def get(self, request: Request, number: str) -> Response:
        view = application_for_upstream(api_client=request.auth, number=number)
        return Response(UpstreamApplicationSerializer(view).data)

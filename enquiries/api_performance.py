"""GET /api/v1/service-performance/: the public service dashboard's figures as JSON, for anyone.

The answer is cached for ten minutes under a key made only of the validated parameters
(the topic code), so unknown or junk parameters neither fill the cache nor bypass it.
When the cache (Redis) is down the figures are read from the database instead: slower,
never an error.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.problems import PROBLEM_CONTENT_TYPE, problem_response, problem_schema
from enquiries.performance import ServicePerformance, service_performance_latest

logger = logging.getLogger(__name__)

# The figures change once a night; ten minutes of staleness costs nothing.
CACHE_SECONDS = 10 * 60
CACHE_KEY = "api:service-performance:v1:{topic}"


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


class ServicePerformanceApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    class QuerySerializer(serializers.Serializer):
        topic = serializers.SlugField(
            required=False,
            allow_blank=True,
            max_length=40,
            help_text="A topic code from `topics`; leave out for all topics together.",
        )

    class TopicSerializer(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.SerializerMethodField()
        service_standard_days = serializers.IntegerField(help_text="The topic's service standard, in business days.")

        def get_name(self, topic) -> dict:
            return {"en": topic.name_en, "fr": topic.name_fr}

    class MonthSerializer(serializers.Serializer):
        month = serializers.DateField(format="%Y-%m")
        complete = serializers.BooleanField(help_text="False for the current month: its figures cover the days so far.")
        received = serializers.IntegerField(help_text="Enquiries queued that month (unconfirmed and spam left out).")
        answered = serializers.IntegerField(help_text="Of those, the ones answered so far.")
        answered_within_standard = serializers.IntegerField()
        share_answered_within_standard = serializers.SerializerMethodField()
        median_business_days = serializers.FloatField(source="median_days", allow_null=True)
        p90_business_days = serializers.FloatField(source="p90_days", allow_null=True)
        deflected = serializers.IntegerField(help_text="People whose question the enquiry form's page answered.")
        share_answered_by_page = serializers.SerializerMethodField()
        survey_responses = serializers.IntegerField()
        satisfied = serializers.IntegerField(help_text="Survey answers of 4 or 5 out of 5.")
        share_satisfied = serializers.SerializerMethodField()

        def get_share_answered_within_standard(self, figures) -> float | None:
            return _rounded(figures.share_within_standard)

        def get_share_answered_by_page(self, figures) -> float | None:
            return _rounded(figures.share_answered_by_page)

        def get_share_satisfied(self, figures) -> float | None:
            return _rounded(figures.share_satisfied)

    @classmethod
    def body(cls, *, performance: ServicePerformance, topic) -> dict:
        return {
            "computed_on": performance.computed_on.isoformat() if performance.computed_on else None,
            "office_time_zone": settings.ENQUIRY_OFFICE_TIME_ZONE,
            "topic": cls.TopicSerializer(topic).data if topic is not None else None,
            "topics": cls.TopicSerializer(performance.topics, many=True).data,
            "months": cls.MonthSerializer(performance.months_for(topic), many=True).data,
        }

    @method_decorator(cache_control(public=True, max_age=CACHE_SECONDS))
    def get(self, request: Request) -> Response:
        query = self.QuerySerializer(data=request.query_params)
        if not query.is_valid():
            return problem_response(
                status=400, detail=_("Check the query parameters and try again."), errors=query.errors
            )
        code = query.validated_data.get("topic") or ""
        key = CACHE_KEY.format(topic=code)
        body = _cache_get(key)
        if body is None:
            performance = service_performance_latest()
            topic = performance.topic_by_code(code) if code else None
            if code and topic is None:
                return problem_response(status=404, detail=_("There is no topic with that code."))
            body = self.body(performance=performance, topic=topic)
            _cache_set(key, body)
        return Response(body)


def _cache_get(key: str) -> dict | None:
    try:
        return cache.get(key)
    except Exception:  # the cache is an optimisation: Redis down means reading the database
        logger.warning("service performance: cache unavailable, reading the snapshots", exc_info=True)
        return None


def _cache_set(key: str, body: dict) -> None:
    try:
        cache.set(key, body, CACHE_SECONDS)
    except Exception:
        logger.warning("service performance: could not cache the answer", exc_info=True)


# The OpenAPI description, attached once the nested serializers exist. Schema only.
class _BilingualNameSchema(serializers.Serializer):
    en = serializers.CharField()
    fr = serializers.CharField()

    class Meta:
        ref_name = "TopicName"


class _AnswerSchema(serializers.Serializer):
    computed_on = serializers.DateField(
        allow_null=True, help_text="The night the figures were computed; null before the first run."
    )
    office_time_zone = serializers.CharField(help_text="Days and months are counted in this time zone.")
    topic = ServicePerformanceApi.TopicSerializer(allow_null=True, help_text="The topic asked for, or null for all.")
    topics = ServicePerformanceApi.TopicSerializer(many=True, help_text="Every topic with figures: the valid codes.")
    months = ServicePerformanceApi.MonthSerializer(
        many=True, help_text="The last 12 complete months and the current one, oldest first."
    )

    class Meta:
        ref_name = "ServicePerformance"


extend_schema_field(_BilingualNameSchema)(ServicePerformanceApi.TopicSerializer.get_name)
ServicePerformanceApi.get = extend_schema(  # type: ignore[method-assign]
    operation_id="service_performance",
    summary="Published service figures for enquiries",
    description=(
        "Per month (and per topic when one is asked for): enquiries received, the share answered "
        "within the service standard, the median and 90th percentile of business days to the first "
        "answer, the share of questions the page itself answered, and satisfaction. Shares are "
        "between 0 and 1, null when there is nothing to divide. Cached for ten minutes."
    ),
    tags=["public"],
    parameters=[ServicePerformanceApi.QuerySerializer],
    responses={
        200: _AnswerSchema,
        (400, PROBLEM_CONTENT_TYPE): problem_schema("A query parameter is not valid."),
        (404, PROBLEM_CONTENT_TYPE): problem_schema("There is no topic with that code."),
    },
)(ServicePerformanceApi.get)

"""GET /api/v1/processing-times/: the public page's figures as JSON, for anyone, cached for ten minutes.

The answer is cached under a key made only of the validated parameters (program and
country), as enquiries/api_performance.py does: unknown or junk parameters neither add
keys nor bypass the cache, and only answers about a real program are stored. When the
cache (Redis) is down the figures are read from the database: slower, never an error.
"""

import logging
import re

from django.core.cache import cache
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django_countries import countries
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.problems import PROBLEM_CONTENT_TYPE, problem_response, problem_schema
from processing_times.figures import ALL_COUNTRIES
from processing_times.selectors import program_figures_latest, program_trend, programs_for_public

logger = logging.getLogger(__name__)

# The figures change once a night; ten minutes of staleness costs nothing.
CACHE_SECONDS = 10 * 60
CACHE_KEY = "api:processing-times:v1:{program}:{country}"
# Program codes are slugs (applications.Program.code): anything else names no program.
PROGRAM_CODE = re.compile(r"[-a-zA-Z0-9_]+")
# Titles this endpoint published before problem bodies were shared; clients may compare them.
INVALID_QUERY_TITLE = "Invalid query"
NOT_FOUND_TITLE = "Not found"


class ProcessingTimesApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    class QuerySerializer(serializers.Serializer):
        program = serializers.CharField(required=False, max_length=40)
        country = serializers.RegexField(
            r"^[A-Za-z]{2}$",
            required=False,
            allow_blank=True,
            error_messages={"invalid": gettext_lazy("Give the country as a two-letter ISO 3166 code, for example IN.")},
        )

        def validate_country(self, value: str) -> str:
            code = value.upper()
            if not code:
                return code  # ?country= means every country, as on the page
            if code not in countries:
                raise serializers.ValidationError(_("%(code)s is not an ISO 3166 country code.") % {"code": code})
            return code

    class FiguresSerializer(serializers.Serializer):
        computed_on = serializers.DateField(source="snapshot.computed_on")
        window_days = serializers.IntegerField(source="snapshot.window_days")
        sample_size = serializers.IntegerField(source="snapshot.sample_size")
        enough_data = serializers.BooleanField()
        p50_days = serializers.IntegerField(allow_null=True)
        p80_days = serializers.IntegerField(allow_null=True)
        p90_days = serializers.IntegerField(allow_null=True)
        waiting_count = serializers.IntegerField(source="snapshot.waiting_count")
        monthly_output = serializers.FloatField()
        projection_days = serializers.IntegerField(allow_null=True)

    class CountryFiguresSerializer(FiguresSerializer):
        country = serializers.CharField(source="snapshot.country")

    class TrendPointSerializer(serializers.Serializer):
        month = serializers.DateField(format="%Y-%m")
        computed_on = serializers.DateField(source="figures.snapshot.computed_on", allow_null=True)
        sample_size = serializers.IntegerField(allow_null=True)
        p50_days = serializers.IntegerField(allow_null=True)
        p80_days = serializers.IntegerField(allow_null=True)

    class ProgramSerializer(serializers.Serializer):
        code = serializers.CharField(source="program.code")
        name = serializers.SerializerMethodField()
        category = serializers.CharField(source="program.category")
        service_standard_days = serializers.IntegerField(source="program.service_standard_days")
        times_by_country = serializers.BooleanField(source="program.times_by_country")
        latest = serializers.SerializerMethodField()
        countries = serializers.SerializerMethodField()

        def get_name(self, figures) -> dict:
            return {"en": figures.program.name_en, "fr": figures.program.name_fr}

        def get_latest(self, figures) -> dict | None:
            if figures.overall is None:
                return None
            return ProcessingTimesApi.FiguresSerializer(figures.overall).data

        def get_countries(self, figures) -> list[dict]:
            wanted = self.context.get("country")
            published = [item for code, item in sorted(figures.countries.items()) if wanted in (None, code)]
            return ProcessingTimesApi.CountryFiguresSerializer(published, many=True).data

    @method_decorator(cache_control(public=True, max_age=CACHE_SECONDS))
    def get(self, request: Request) -> Response:
        query = self.QuerySerializer(data=request.query_params)
        if not query.is_valid():
            return problem_response(
                status=400,
                title=INVALID_QUERY_TITLE,
                detail=_("Check the query parameters and try again."),
                errors=query.errors,
            )
        code = query.validated_data.get("program")
        country = query.validated_data.get("country") or None
        if code is not None and not PROGRAM_CODE.fullmatch(code):
            return self.no_such_program()
        key = CACHE_KEY.format(program=code or "", country=country or "")
        body = _cache_get(key)
        if body is None:
            body = self.body(code=code, country=country)
            if body is None:
                return self.no_such_program()
            _cache_set(key, body)
        return Response(body)

    @staticmethod
    def no_such_program() -> Response:
        return problem_response(status=404, title=NOT_FOUND_TITLE, detail=_("There is no program with that code."))

    @classmethod
    def body(cls, *, code: str | None, country: str | None) -> dict | None:
        """The answer for one program (with its trend) or all; None when no program has that code."""
        programs = programs_for_public()
        if code is not None:
            programs = [program for program in programs if program.code == code]
            if not programs:
                return None
        latest = program_figures_latest(programs=programs)
        body = {"programs": cls.ProgramSerializer(latest.values(), many=True, context={"country": country}).data}
        if code is not None:
            program = programs[0]
            trend_country = country if country and program.times_by_country else ALL_COUNTRIES
            trend = program_trend(program=program, country=trend_country, today=timezone.localdate())
            body["programs"][0]["trend"] = {
                "country": trend_country or None,
                "points": cls.TrendPointSerializer(trend, many=True).data,
            }
        return body


def _cache_get(key: str) -> dict | None:
    try:
        return cache.get(key)
    except Exception:  # the cache is an optimisation: if it fails, the answer is computed
        logger.warning("processing times: cache unavailable, reading the snapshots", exc_info=True)
        return None


def _cache_set(key: str, body: dict) -> None:
    try:
        cache.set(key, body, CACHE_SECONDS)
    except Exception:
        logger.warning("processing times: could not cache the answer", exc_info=True)


# The OpenAPI description of this endpoint, attached once the nested serializers above exist
# (a nested class body cannot name its siblings). Schema only: the answer is unchanged.
class _BilingualNameSchema(serializers.Serializer):
    en = serializers.CharField()
    fr = serializers.CharField()

    class Meta:
        ref_name = "ProgramName"


class _TrendSchema(serializers.Serializer):
    country = serializers.CharField(allow_null=True)
    points = ProcessingTimesApi.TrendPointSerializer(many=True)

    class Meta:
        ref_name = "ProcessingTimesTrend"


class _ProgramSchema(ProcessingTimesApi.ProgramSerializer):
    trend = _TrendSchema(required=False, help_text="Only when one program is asked for.")

    class Meta:
        ref_name = "ProcessingTimesProgram"


class _AnswerSchema(serializers.Serializer):
    programs = _ProgramSchema(many=True)

    class Meta:
        ref_name = "ProcessingTimes"


extend_schema_field(_BilingualNameSchema)(ProcessingTimesApi.ProgramSerializer.get_name)
extend_schema_field(ProcessingTimesApi.FiguresSerializer(allow_null=True))(
    ProcessingTimesApi.ProgramSerializer.get_latest
)
extend_schema_field(ProcessingTimesApi.CountryFiguresSerializer(many=True))(
    ProcessingTimesApi.ProgramSerializer.get_countries
)
ProcessingTimesApi.get = extend_schema(
    operation_id="processing_times",
    summary="Published processing times",
    tags=["public"],
    parameters=[ProcessingTimesApi.QuerySerializer],
    responses={
        200: _AnswerSchema,
        (400, PROBLEM_CONTENT_TYPE): problem_schema("A query parameter is not valid."),
        (404, PROBLEM_CONTENT_TYPE): problem_schema("There is no program with that code."),
    },
)(ProcessingTimesApi.get)

"""The public processing-times page and its methodology; no sign-in needed."""

import datetime

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_safe
from django_countries import countries

from applications.models import Program
from core.dates import DAYS_PER_MONTH
from processing_times.charts import trend_chart_svg
from processing_times.estimator import MINIMUM_CALIBRATION
from processing_times.figures import ALL_COUNTRIES, MINIMUM_SAMPLE
from processing_times.models import BacktestReport
from processing_times.selectors import (
    ProgramFigures,
    PublishedFigures,
    alphabetical_key,
    program_figures_latest,
    program_trend,
    programs_for_public,
)


def month_start(month: str) -> datetime.date | None:
    """ "2025-08" as the first day of that month, for a localised "August 2025"."""
    try:
        return datetime.date.fromisoformat(f"{month}-01")
    except ValueError:
        return None


class ProcessingTimesForm(forms.Form):
    program = forms.ChoiceField(
        label=gettext_lazy("Program"),
        required=False,
        help_text=gettext_lazy("For visitor visas, study permits and work permits, you can then choose a country."),
        error_messages={"invalid_choice": gettext_lazy("Choose a program from the list.")},
    )
    country = forms.ChoiceField(
        label=gettext_lazy("Country of residence"),
        required=False,
        help_text=gettext_lazy("Processing times for this program depend on where the applicant lives."),
        error_messages={
            "invalid_choice": gettext_lazy(
                "Choose a country from the list, or All countries. "
                "We list only the countries with recent applications to this program."
            )
        },
    )

    def __init__(self, *args, programs: list[Program], program: Program | None, country_codes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request so that names follow the active language.
        self.fields["program"].choices = [("", _("All programs"))] + [(item.code, item.name) for item in programs]
        if program is None or not program.times_by_country:
            # Nothing to choose (and any country sent along is ignored) unless the program publishes by country.
            del self.fields["country"]
            return
        named = sorted(
            ((code, countries.name(code)) for code in country_codes), key=lambda pair: alphabetical_key(pair[1])
        )
        self.fields["country"].choices = [("", _("All countries"))] + named


def days_in_words(days: int | None) -> str:
    """Weeks or months for a long count of days, where that reads more easily; empty otherwise."""
    if days is None or days < 14:
        return ""
    if days < 60:
        weeks = round(days / 7)
        return ngettext("about %(count)s week", "about %(count)s weeks", weeks) % {"count": weeks}
    months = round(days / DAYS_PER_MONTH)
    return ngettext("about %(count)s month", "about %(count)s months", months) % {"count": months}


def projection_in_words(figures: PublishedFigures) -> str:
    months = figures.projection_months
    if figures.snapshot.waiting_count == 0:
        return _("No applications are waiting")
    if months is None:
        return _("Not available")
    if months == 0:
        return _("Less than a month")
    return ngettext("About %(count)s month", "About %(count)s months", months) % {"count": months}


def _summary_rows(programs: list[Program]) -> list[dict]:
    latest = program_figures_latest(programs=programs, overall_only=True)
    rows = []
    for program in programs:
        figures = latest[program.pk].overall
        rows.append(
            {
                "program": program,
                "figures": figures,
                "p80_words": days_in_words(figures.p80_days) if figures else "",
                "projection": projection_in_words(figures) if figures else "",
            }
        )
    return rows


def _program_context(*, latest: ProgramFigures, country: str) -> dict:
    program = latest.program
    figures = latest.countries.get(country) if country else latest.overall
    trend = program_trend(program=program, country=country, today=timezone.localdate())
    country_name = countries.name(country) if country else ""
    if country_name:
        chart_title = _("Processing times for %(program)s, applicants living in %(country)s, last 12 months") % {
            "program": program.name,
            "country": country_name,
        }
    else:
        chart_title = _("Processing times for %(program)s, last 12 months") % {"program": program.name}
    has_data = any(point.enough_data for point in trend)
    percentiles = []
    if figures is not None and figures.enough_data:
        percentiles = [
            (_("8 in 10 applications decided within"), figures.p80_days, _("The 80th percentile.")),
            (_("Half of applications decided within"), figures.p50_days, _("The 50th percentile, or median.")),
            (_("9 in 10 applications decided within"), figures.p90_days, _("The 90th percentile.")),
        ]
    return {
        "program": program,
        "country": country,
        "country_name": country_name,
        "figures": figures,
        "percentiles": [
            {"label": label, "days": days, "words": days_in_words(days), "meaning": meaning}
            for label, days, meaning in percentiles
        ],
        "projection": projection_in_words(figures) if figures else "",
        "standard_words": days_in_words(program.service_standard_days),
        "trend": trend,
        "trend_has_data": has_data,
        "trend_has_snapshots": any(point.has_snapshot for point in trend),
        "chart": trend_chart_svg(points=trend, title=chart_title) if has_data else "",
    }


@require_safe
def processing_times(request: HttpRequest) -> HttpResponse:
    programs = programs_for_public()
    program = {item.code: item for item in programs}.get(request.GET.get("program", ""))
    latest = program_figures_latest(programs=[program])[program.pk] if program is not None else None
    form = ProcessingTimesForm(
        request.GET if request.GET else None,
        programs=programs,
        program=program,
        country_codes=list(latest.countries) if latest is not None else [],
    )
    context: dict = {"form": form, "minimum_sample": MINIMUM_SAMPLE}
    if form.is_bound and not form.is_valid():
        return render(request, "processing_times/index.html", context, status=400)
    country = form.cleaned_data.get("country", ALL_COUNTRIES) if form.is_bound else ALL_COUNTRIES
    if latest is None:
        context["summary"] = _summary_rows(programs)
        context["summary_updated"] = max(
            (row["figures"].snapshot.computed_on for row in context["summary"] if row["figures"]), default=None
        )
    else:
        context.update(_program_context(latest=latest, country=country or ALL_COUNTRIES))
    return render(request, "processing_times/index.html", context)


def _program_names() -> dict[str, str]:
    return {program.code: program.name for program in Program.objects.all()}


@require_safe
def methodology(request: HttpRequest) -> HttpResponse:
    """How each figure is made, and the latest replay of the status-page estimate against what happened."""
    report = BacktestReport.objects.order_by("-computed_on").first()
    accuracy_rows = []
    if report is not None:
        names = _program_names()
        accuracy_rows = sorted(
            ({**row, "name": names.get(row["code"], row["name"])} for row in report.programs if row.get("evaluated")),
            key=lambda row: alphabetical_key(row["name"]),
        )
    return render(
        request,
        "processing_times/methodology.html",
        {
            "minimum_sample": MINIMUM_SAMPLE,
            "minimum_calibration": MINIMUM_CALIBRATION,
            "report": report,
            "accuracy_rows": accuracy_rows,
            "worst_month": month_start(report.worst_month) if report and report.worst_month else None,
        },
    )

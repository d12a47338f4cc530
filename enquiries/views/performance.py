"""The public service dashboard (/service-performance/): no sign-in, read from the nightly snapshots."""

from typing import cast

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from enquiries.charts import month_name, percent, performance_chart_svg
from enquiries.models import Topic
from enquiries.performance import MonthFigures, service_performance_latest
from enquiries.survey import ASK_WHY_AT_MOST


class TopicFilterForm(forms.Form):
    topic = forms.ChoiceField(
        label=gettext_lazy("Topic of the enquiry"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose a topic from the list, or All topics.")},
    )

    def __init__(self, *args, topics: list[Topic], **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request so that the names follow the active language.
        field = cast(forms.ChoiceField, self.fields["topic"])
        field.choices = [("", _("All topics"))] + [(topic.code, topic.name) for topic in topics]


def _row(figures: MonthFigures) -> dict:
    return {
        "figures": figures,
        "name": month_name(figures),
        "within": percent(figures.share_within_standard),
        "by_page": percent(figures.share_answered_by_page),
        "satisfied": percent(figures.share_satisfied),
    }


@require_safe
def service_performance(request: HttpRequest) -> HttpResponse:
    performance = service_performance_latest()
    form = TopicFilterForm(request.GET if "topic" in request.GET else None, topics=performance.topics)
    context: dict = {
        "form": form,
        "computed_on": performance.computed_on,
        "office_time_zone": settings.ENQUIRY_OFFICE_TIME_ZONE,
    }
    if form.is_bound and not form.is_valid():
        return render(request, "enquiries/performance/index.html", context, status=400)
    topic = performance.topic_by_code(form.cleaned_data["topic"]) if form.is_bound else None
    months = performance.months_for(topic)
    if topic is None:
        title = _("Enquiries answered within the standard and satisfaction, all topics, by month")
    else:
        title = _("Enquiries answered within the standard and satisfaction, %(topic)s, by month") % {
            "topic": topic.name
        }
    has_figures = any(
        figures.share_within_standard is not None or figures.share_satisfied is not None for figures in months
    )
    context.update(
        topic=topic,
        rows=[_row(figures) for figures in months],
        has_activity=any(figures.has_activity for figures in months),
        chart=performance_chart_svg(months=months, title=title) if has_figures else "",
        chart_title=title,
        ask_why_at_most=ASK_WHY_AT_MOST,
    )
    return render(request, "enquiries/performance/index.html", context)

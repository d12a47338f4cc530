"""The 12-month processing-time trend drawn as inline SVG on the server.

No script and no style attributes (the Content-Security-Policy forbids both):
only SVG presentation attributes and CSS classes. The two lines differ by
dash pattern and marker shape as well as colour, and every point has a
<title>. The page always shows the same figures in a table as well.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import formats
from django.utils.dateformat import format as date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from processing_times.selectors import TrendPoint

WIDTH = 720
HEIGHT = 380
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 96, 56
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM

TEXT_COLOUR = "#333333"
GRID_COLOUR = "#d5d7da"
P80_COLOUR = "#26374a"  # 12:1 on white
P50_COLOUR = "#a62a1e"  # 6.9:1 on white
P50_DASHES = "9 6"


def nice_axis_maximum(largest: float, *, ticks: int = 5) -> tuple[int, int]:
    """A round top for the axis and the step between its ticks, e.g. 137 days gives (150, 30)."""
    if largest <= 0:
        return 10, 2
    rough_step = largest / ticks
    magnitude = 10 ** math.floor(math.log10(rough_step))
    step = next(multiple * magnitude for multiple in (1, 2, 2.5, 5, 10) if multiple * magnitude >= rough_step)
    step = max(1, math.ceil(step))
    return step * math.ceil(largest / step), step


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _attributes(**attributes) -> str:
    return " ".join(f'{name.rstrip("_").replace("_", "-")}="{escape(value)}"' for name, value in attributes.items())


def _element(tag: str, content: str = "", **attributes) -> str:
    return f"<{tag} {_attributes(**attributes)}>{content}</{tag}>"


def _segments(positions: Iterable[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Consecutive runs of two or more points; a month without data breaks the line (its neighbours keep their markers)."""
    runs: list[list[tuple[float, float]]] = [[]]
    for position in positions:
        if position is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(position)
    return [run for run in runs if len(run) > 1]


def _path(run: list[tuple[float, float]]) -> str:
    return " ".join(f"{'M' if index == 0 else 'L'}{_number(x)} {_number(y)}" for index, (x, y) in enumerate(run))


def month_label(point: TrendPoint) -> str:
    """The month as the table shows it: "March 2026", "mars 2026"."""
    return formats.date_format(point.month, "YEAR_MONTH_FORMAT")


def point_description(point: TrendPoint) -> str:
    """What one month's markers say to a pointer or a screen-reader user exploring the chart."""
    return _("%(month)s: 8 in 10 decided within %(p80)s days, half within %(p50)s days") % {
        "month": month_label(point),
        "p80": point.p80_days,
        "p50": point.p50_days,
    }


def trend_description(points: list[TrendPoint]) -> str:
    """The chart's text alternative: where the 80th percentile started and ended, and where the data are."""
    with_data = [point for point in points if point.enough_data]
    if not with_data:
        return _("There are not enough decisions in any of the last 12 months to draw the trend.")
    first, last = with_data[0], with_data[-1]
    sentences = [
        _(
            "8 in 10 applications were decided within %(first_days)s days in %(first_month)s "
            "and within %(last_days)s days in %(last_month)s."
        )
        % {
            "first_days": first.p80_days,
            "first_month": month_label(first),
            "last_days": last.p80_days,
            "last_month": month_label(last),
        }
    ]
    if len(with_data) < len(points):
        sentences.append(_("Months without enough data are left as gaps in the lines."))
    sentences.append(_("The table below the chart gives the figures for every month."))
    return " ".join(sentences)


@dataclass(frozen=True)
class _Plot:
    """Where a month and a number of days land: one slot per month, days up to the axis top."""

    slot: float
    axis_top: int

    def x_of(self, index: int) -> float:
        return LEFT + self.slot * (index + 0.5)

    def y_of(self, days: float) -> float:
        return TOP + PLOT_HEIGHT - days / self.axis_top * PLOT_HEIGHT


def _legend() -> list[str]:
    """Above the plot, one line per series so that long translations fit."""
    p80_label = _("8 in 10 decided within (80th percentile)")
    p50_label = _("Half decided within (50th percentile, or median)")
    return [
        '<g class="trend-chart__legend">',
        f'<line x1="{LEFT}" y1="16" x2="{LEFT + 36}" y2="16" stroke="{P80_COLOUR}" stroke-width="3"></line>'
        f'<circle cx="{LEFT + 18}" cy="16" r="5.5" fill="{P80_COLOUR}"></circle>',
        _element("text", escape(p80_label), x=str(LEFT + 46), y="21", fill=TEXT_COLOUR),
        f'<line x1="{LEFT}" y1="42" x2="{LEFT + 36}" y2="42" stroke="{P50_COLOUR}" stroke-width="3" '
        f'stroke-dasharray="{P50_DASHES}"></line>'
        f'<rect x="{LEFT + 13}" y="37" width="10" height="10" fill="#ffffff" stroke="{P50_COLOUR}" '
        f'stroke-width="2.5"></rect>',
        _element("text", escape(p50_label), x=str(LEFT + 46), y="47", fill=TEXT_COLOUR),
        "</g>",
    ]


def _days_axis(plot: _Plot, step: int) -> list[str]:
    """The vertical axis: gridlines and labelled ticks, in days."""
    parts = [_element("text", escape(_("Days")), x="8", y=str(TOP - 16), fill=TEXT_COLOUR)]
    for value in range(0, plot.axis_top + 1, step):
        y = _number(plot.y_of(value))
        parts.append(
            f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="{GRID_COLOUR}" stroke-width="1"></line>'
        )
        parts.append(
            _element("text", str(value), x=str(LEFT - 10), y=str(float(y) + 5), fill=TEXT_COLOUR, text_anchor="end")
        )
    parts.append(
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + PLOT_HEIGHT}" stroke="{TEXT_COLOUR}" stroke-width="1.5"></line>'
        f'<line x1="{LEFT}" y1="{TOP + PLOT_HEIGHT}" x2="{WIDTH - RIGHT}" y2="{TOP + PLOT_HEIGHT}" '
        f'stroke="{TEXT_COLOUR}" stroke-width="1.5"></line>'
    )
    return parts


def _months_axis(plot: _Plot, points: list[TrendPoint]) -> list[str]:
    """The horizontal axis: one labelled tick per month; the year under January and the first month."""
    parts = []
    bottom = TOP + PLOT_HEIGHT
    for index, point in enumerate(points):
        x = _number(plot.x_of(index))
        parts.append(
            f'<line x1="{x}" y1="{bottom}" x2="{x}" y2="{bottom + 6}" stroke="{TEXT_COLOUR}" stroke-width="1.5"></line>'
        )
        label = date_format(point.month, "N")
        parts.append(_element("text", escape(label), x=x, y=str(bottom + 24), fill=TEXT_COLOUR, text_anchor="middle"))
        if index == 0 or point.month.month == 1:
            year = date_format(point.month, "Y")
            parts.append(
                _element("text", escape(year), x=x, y=str(bottom + 44), fill=TEXT_COLOUR, text_anchor="middle")
            )
    return parts


def _series(plot: _Plot, points: list[TrendPoint]) -> list[str]:
    """The lines, broken where a month has no data, then the markers on top."""
    parts = []
    p80_positions = [
        (plot.x_of(index), plot.y_of(point.p80_days)) if point.enough_data else None
        for index, point in enumerate(points)
    ]
    p50_positions = [
        (plot.x_of(index), plot.y_of(point.p50_days)) if point.enough_data else None
        for index, point in enumerate(points)
    ]
    for run in _segments(p50_positions):
        parts.append(
            f'<path class="trend-chart__line trend-chart__line--p50" d="{_path(run)}" fill="none" stroke="{P50_COLOUR}" '
            f'stroke-width="3" stroke-dasharray="{P50_DASHES}" stroke-linejoin="round"></path>'
        )
    for run in _segments(p80_positions):
        parts.append(
            f'<path class="trend-chart__line trend-chart__line--p80" d="{_path(run)}" fill="none" stroke="{P80_COLOUR}" '
            f'stroke-width="3" stroke-linejoin="round"></path>'
        )
    for index, point in enumerate(points):
        if not point.enough_data:
            continue
        label = escape(point_description(point))
        x, y50, y80 = plot.x_of(index), plot.y_of(point.p50_days), plot.y_of(point.p80_days)
        parts.append(
            f'<g class="trend-chart__point" data-month="{point.month:%Y-%m}" data-p80="{point.p80_days}" '
            f'data-p50="{point.p50_days}"><title>{label}</title>'
            f'<rect x="{_number(x - 5)}" y="{_number(y50 - 5)}" width="10" height="10" fill="#ffffff" '
            f'stroke="{P50_COLOUR}" stroke-width="2.5"></rect>'
            f'<circle cx="{_number(x)}" cy="{_number(y80)}" r="5.5" fill="{P80_COLOUR}"></circle></g>'
        )
    return parts


def trend_chart_svg(*, points: list[TrendPoint], title: str, id_prefix: str = "trend-chart") -> SafeString:
    """An SVG line chart of the 80th and 50th percentiles, one slot per month, ready to inline in HTML."""
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    largest = max((point.p80_days or 0 for point in points), default=0)
    axis_top, step = nice_axis_maximum(largest)
    plot = _Plot(slot=PLOT_WIDTH / max(len(points), 1), axis_top=axis_top)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" focusable="false">',
        _element("title", escape(title), id=title_id),
        _element("desc", escape(trend_description(points)), id=desc_id),
        *_legend(),
        '<g class="trend-chart__axis">',
        *_days_axis(plot, step),
        *_months_axis(plot, points),
        "</g>",
        *_series(plot, points),
        "</svg>",
    ]
    # Every piece of text above went through escape(); numbers and colours are ours.
    return mark_safe("".join(parts))  # noqa: S308

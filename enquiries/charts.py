"""The service dashboard's chart: two monthly shares drawn as inline SVG on the server.

The share of answered enquiries answered within the standard, and the share of people
satisfied with the answer, both in percent, one slot per month. Like the processing-times
chart: no script and no style attribute (the Content-Security-Policy forbids both), the
two lines differ by dash pattern and marker shape as well as colour, every month's
markers carry a <title>, and the page shows the same figures in a table.
"""

from django.utils import formats
from django.utils.dateformat import format as date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from enquiries.performance import MonthFigures

WIDTH, HEIGHT = 720, 380
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 96, 56
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
TEXT = "#333333"
GRID = "#d5d7da"
WITHIN_COLOUR = "#26374a"  # 12:1 on white
SATISFIED_COLOUR = "#a62a1e"  # 6.9:1 on white
SATISFIED_DASHES = "9 6"


def percent(share: float | None) -> int | None:
    """A share as a whole percentage, as the table shows it."""
    return None if share is None else round(share * 100)


def month_name(figures: MonthFigures) -> str:
    """ "March 2026", "mars 2026"; the current month says it is not over."""
    name = formats.date_format(figures.month, "YEAR_MONTH_FORMAT")
    return name if figures.complete else _("%(month)s (so far)") % {"month": name}


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _x(index: int, count: int) -> float:
    return LEFT + PLOT_WIDTH / max(count, 1) * (index + 0.5)


def _y(percentage: float) -> float:
    return TOP + PLOT_HEIGHT - percentage / 100 * PLOT_HEIGHT


def _text(content: str, *, x: float, y: float, anchor: str = "start") -> str:
    return f'<text x="{_n(x)}" y="{_n(y)}" fill="{TEXT}" text-anchor="{anchor}">{escape(content)}</text>'


def point_title(figures: MonthFigures) -> str:
    within, satisfied = percent(figures.share_within_standard), percent(figures.share_satisfied)
    parts = [month_name(figures)]
    if within is not None:
        parts.append(_("%(share)s%% answered within the standard") % {"share": within})
    if satisfied is not None:
        parts.append(
            _("%(share)s%% satisfied (of %(count)s answers)") % {"share": satisfied, "count": figures.survey_responses}
        )
    return "; ".join(parts)


def chart_description(months: list[MonthFigures]) -> str:
    """The chart's text alternative: the most recent complete month with figures, and where the table is."""
    measured = [
        figures
        for figures in months
        if figures.complete and (figures.share_within_standard is not None or figures.share_satisfied is not None)
    ]
    if not measured:
        return _("There are no answered enquiries or satisfaction answers to draw yet.")
    sentences = [_("Latest complete month: %(figures)s.") % {"figures": point_title(measured[-1])}]
    if len(measured) < len(months):
        sentences.append(_("Months without figures are left as gaps in the lines."))
    sentences.append(_("The table below the chart gives every figure for every month."))
    return " ".join(sentences)


def _legend() -> list[str]:
    return [
        '<g class="trend-chart__legend">',
        f'<line x1="{LEFT}" y1="16" x2="{LEFT + 36}" y2="16" stroke="{WITHIN_COLOUR}" stroke-width="3"></line>',
        f'<circle cx="{LEFT + 18}" cy="16" r="5.5" fill="{WITHIN_COLOUR}"></circle>',
        _text(_("Answered within the service standard (% of answered enquiries)"), x=LEFT + 46, y=21),
        f'<line x1="{LEFT}" y1="42" x2="{LEFT + 36}" y2="42" stroke="{SATISFIED_COLOUR}" stroke-width="3" '
        f'stroke-dasharray="{SATISFIED_DASHES}"></line>',
        f'<rect x="{LEFT + 13}" y="37" width="10" height="10" fill="#ffffff" stroke="{SATISFIED_COLOUR}" '
        'stroke-width="2.5"></rect>',
        _text(_("Satisfied with the answer (% of survey answers)"), x=LEFT + 46, y=47),
        "</g>",
    ]


def _axes(months: list[MonthFigures]) -> list[str]:
    parts = ['<g class="trend-chart__axis">', _text("%", x=LEFT - 10, y=TOP - 16, anchor="end")]
    for value in range(0, 101, 20):
        y = _n(_y(value))
        parts.append(
            f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="{GRID}" stroke-width="1"></line>'
        )
        parts.append(_text(str(value), x=LEFT - 10, y=_y(value) + 5, anchor="end"))
    bottom = TOP + PLOT_HEIGHT
    parts.append(
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}" stroke="{TEXT}" stroke-width="1.5"></line>'
        f'<line x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}" stroke="{TEXT}" stroke-width="1.5"></line>'
    )
    for index, figures in enumerate(months):
        x = _x(index, len(months))
        parts.append(
            f'<line x1="{_n(x)}" y1="{bottom}" x2="{_n(x)}" y2="{bottom + 6}" stroke="{TEXT}" stroke-width="1.5"></line>'
        )
        parts.append(_text(date_format(figures.month, "N"), x=x, y=bottom + 24, anchor="middle"))
        if index == 0 or figures.month.month == 1:
            parts.append(_text(date_format(figures.month, "Y"), x=x, y=bottom + 44, anchor="middle"))
    parts.append("</g>")
    return parts


def _line(positions: list[tuple[float, float] | None], *, modifier: str, colour: str, dashes: str = "") -> list[str]:
    """One path per run of two or more consecutive months with a figure; a month without one breaks the line."""
    runs: list[list[tuple[float, float]]] = [[]]
    for position in positions:
        if position is None:
            runs.append([])
        else:
            runs[-1].append(position)
    dash = f' stroke-dasharray="{dashes}"' if dashes else ""
    return [
        f'<path class="trend-chart__line trend-chart__line--{modifier}" d="'
        + " ".join(f"{'M' if i == 0 else 'L'}{_n(x)} {_n(y)}" for i, (x, y) in enumerate(run))
        + f'" fill="none" stroke="{colour}" stroke-width="3"{dash} stroke-linejoin="round"></path>'
        for run in runs
        if len(run) > 1
    ]


def performance_chart_svg(*, months: list[MonthFigures], title: str, id_prefix: str = "service-chart") -> SafeString:
    """The two shares month by month, ready to inline in HTML (role="img", titled and described)."""
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    count = len(months)
    within = [percent(figures.share_within_standard) for figures in months]
    satisfied = [percent(figures.share_satisfied) for figures in months]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" focusable="false">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(chart_description(months))}</desc>',
        *_legend(),
        *_axes(months),
        *_line(
            [None if value is None else (_x(i, count), _y(value)) for i, value in enumerate(satisfied)],
            modifier="satisfied",
            colour=SATISFIED_COLOUR,
            dashes=SATISFIED_DASHES,
        ),
        *_line(
            [None if value is None else (_x(i, count), _y(value)) for i, value in enumerate(within)],
            modifier="within",
            colour=WITHIN_COLOUR,
        ),
    ]
    for index, figures in enumerate(months):
        if within[index] is None and satisfied[index] is None:
            continue
        x = _x(index, count)
        markers = [f"<title>{escape(point_title(figures))}</title>"]
        satisfied_value, within_value = satisfied[index], within[index]
        if satisfied_value is not None:
            y = _y(satisfied_value)
            markers.append(
                f'<rect x="{_n(x - 5)}" y="{_n(y - 5)}" width="10" height="10" fill="#ffffff" '
                f'stroke="{SATISFIED_COLOUR}" stroke-width="2.5"></rect>'
            )
        if within_value is not None:
            markers.append(f'<circle cx="{_n(x)}" cy="{_n(_y(within_value))}" r="5.5" fill="{WITHIN_COLOUR}"></circle>')
        parts.append(
            f'<g class="trend-chart__point" data-month="{figures.month:%Y-%m}" '
            f'data-within="{"" if within[index] is None else within[index]}" '
            f'data-satisfied="{"" if satisfied[index] is None else satisfied[index]}">' + "".join(markers) + "</g>"
        )
    parts.append("</svg>")
    # Every text above went through escape(); numbers, colours and ids are ours.
    return mark_safe("".join(parts))  # noqa: S308

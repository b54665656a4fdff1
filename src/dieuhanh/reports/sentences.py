"""One sentence per indicator, in the statistics office's style, from the analytics measures.

The rules (docs/reports.md): which figures a sentence states, how each is rounded and which
way a change goes are decided here; the words around them are the operator's template
(``wording/indicator.txt``). Every figure goes into the template as a slot, so the sentence
comes back as ``Part``s that say which measure each number is.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import translation

from dieuhanh.analytics.readmodel.periods import first_months_label
from dieuhanh.analytics.readmodel.book import Figure, change_pct
from dieuhanh.dashboard.templatetags.dh_figures import figure as format_figure
from dieuhanh.indicators.models import Aggregation, Direction, Indicator
from dieuhanh.indicators.periods import PeriodType
from dieuhanh.reports.document import Sentence
from dieuhanh.reports.wording import Slots, Wording

SENTENCE_TEMPLATE = "indicator.txt"
# Changes and shares of plan are written with one decimal, as the statistics office does.
PERCENT_DECIMALS = 1
# Aggregations whose January-to-date figure differs from the period's own (a last value does not).
_CUMULATING = (Aggregation.SUM, Aggregation.AVERAGE, Aggregation.RATIO)


def vn(value: Decimal, decimals: int) -> str:
    """A figure the Vietnamese way (1.234.567,8), rounded half up, whatever the active language."""
    with translation.override("vi"):
        return format_figure(value, decimals)


def rounded(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def is_rate(indicator: Indicator) -> bool:
    """A rate or percentage: its changes are written in percentage points, not in per cent."""
    return indicator.unit.strip() == "%"


def trend_of(change: Decimal | None, decimals: int) -> str:
    """``up``, ``down`` or ``flat`` as the change reads once rounded (a "0,0" is flat)."""
    if change is None:
        return ""
    shown = rounded(change, decimals)
    if shown > 0:
        return "up"
    return "down" if shown < 0 else "flat"


def lower_first(text: str) -> str:
    """Mid-sentence form of a period label: "Tháng 6/2023" → "tháng 6/2023"."""
    return text[:1].lower() + text[1:]


def _change(
    slots: Slots, *, name: str, value: Decimal | None, previous: Decimal | None, rate: bool, decimals: int
) -> tuple[Any, str]:
    """The change on the same period last year: percentage points for a rate, per cent otherwise.

    Points are the difference of the two rates as printed (each rounded to the indicator's
    decimals), so that a reader subtracting the printed figures finds the same number.
    """
    if value is None or previous is None:
        return None, ""
    if rate:
        points = rounded(value, decimals) - rounded(previous, decimals)
        return slots.measure(f"{name}change_points", vn(abs(points), decimals), points, decimals), trend_of(
            points, decimals
        )
    pct = change_pct(value, previous)
    if pct is None:
        return None, ""
    return slots.measure(f"{name}yoy_pct", vn(abs(pct), PERCENT_DECIMALS), pct, PERCENT_DECIMALS), trend_of(
        pct, PERCENT_DECIMALS
    )


def indicator_sentence(
    *,
    wording: Wording,
    figure: Figure,
    org_unit: str,
    previous_ytd: Decimal | None,
    estimated: bool,
) -> Sentence | None:
    """The sentence of one indicator at one unit, or None when there is nothing to say.

    ``figure`` is the dashboard's figure for the report's period (``FigureBook.figure``):
    the indicator's own period that answers it, cumulative for nine months. ``previous_ytd``
    is the January-to-date figure of the same period a year earlier (for the change of the
    cumulative figure), and ``estimated`` whether any figure behind it is not yet approved
    (the statistics office's *ước*).
    """
    indicator, measures, shown = figure.indicator, figure.measures, figure.shown
    if measures.value is None and measures.plan is None:
        return None
    decimals = int(indicator.decimals)
    rate = is_rate(indicator)
    slots = Slots()
    context: dict[str, Any] = {
        "indicator": slots.label("indicator", indicator.name),
        "unit": slots.label("unit", indicator.unit),
        "period": slots.label("period", lower_first(shown.label())),
        "rate": rate,
        "total": indicator.aggregation == Aggregation.SUM,
        "lower_is_better": indicator.direction == Direction.DOWN,
        "estimated": estimated,
        "substitute": shown.substitute,
        "status": measures.status or "",
    }

    def measure(name: str, value: Decimal | None, places: int) -> Any:
        return None if value is None else slots.measure(name, vn(value, places), value, places)

    context["value"] = measure("value", measures.value, decimals)
    context["change"], context["trend"] = _change(
        slots, name="", value=measures.value, previous=measures.previous, rate=rate, decimals=decimals
    )
    # January to date, where it says more than the period itself: a month, quarter or second half.
    context["ytd"] = context["ytd_change"] = context["ytd_period"] = None
    context["ytd_trend"] = ""
    period = shown.period
    if not shown.cumulative and period.first_month != 1 and indicator.aggregation in _CUMULATING:
        context["ytd"] = measure("ytd", measures.ytd, decimals)
        if measures.ytd is not None:
            ytd_months = period.sub_periods(PeriodType(indicator.period_type))[-1].last_month
            context["ytd_period"] = slots.label("ytd_period", lower_first(first_months_label(period.year, ytd_months)))
            context["ytd_change"], context["ytd_trend"] = _change(
                slots, name="ytd_", value=measures.ytd, previous=previous_ytd, rate=rate, decimals=decimals
            )
    context["plan"] = measure("plan", measures.plan, decimals)
    context["plan_pct"] = measure("plan_completion_pct", measures.plan_completion_pct, PERCENT_DECIMALS)
    # Only a sum's year-end estimate differs from what the sentence already says.
    total = indicator.aggregation == Aggregation.SUM
    context["projection"] = measure("projection", measures.projection, decimals) if total and measures.plan else None
    parts = wording.sentence(SENTENCE_TEMPLATE, context, slots)
    if not parts:
        return None
    return Sentence(
        indicator=indicator.code,
        org_unit=org_unit,
        period=period.code,
        parts=parts,
        cumulative=shown.cumulative,
    )

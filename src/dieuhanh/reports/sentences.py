"""One sentence per indicator, in the statistics office's style, from the analytics measures.

The rules (docs/reports.md): which figures a sentence states, how each is rounded and which
way a change goes are decided here; the words around them are the operator's template
(``wording/indicator.txt``). Every figure goes into the template as a slot, so the sentence
comes back as ``Part``s that say which measure each number is.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from dieuhanh.analytics.readmodel.book import Figure
from dieuhanh.analytics.readmodel.periods import first_months_label, lower_first
from dieuhanh.analytics.readmodel.writing import PERCENT_DECIMALS, Change, number_vi
from dieuhanh.indicators.choices import Aggregation, Direction
from dieuhanh.indicators.periods import PeriodType
from dieuhanh.reports.document import Sentence
from dieuhanh.reports.phrasing import Slots, Wording

SENTENCE_TEMPLATE = "indicator.txt"


def _change(slots: Slots, *, name: str, change: Change) -> tuple[Any, str]:
    """A change as a slot and its trend: its size (the words say which way), points for a rate.

    The number is the one every surface writes (``writing.change_of``): for a rate, the
    difference of the two rates as printed, so that a reader subtracting them finds it.
    """
    if change.value is None:
        return None, ""
    measure = f"{name}change_points" if change.in_points else f"{name}yoy_pct"
    return slots.measure(measure, change.magnitude, change.value, change.places), change.trend


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
    decimals = figure.decimals
    rate = figure.rate
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
        "status": figure.status,
        # The year is over once the period reaches December: the status is the verdict; before, a forecast.
        "final": shown.period.last_month == 12,
        # "8/9": of the units expected to report the figure, how many have (empty when all have).
        "partial": slots.label("partial", figure.reported_text) if figure.reported_text else "",
    }

    def measure(name: str, value: Decimal | None, places: int) -> Any:
        return None if value is None else slots.measure(name, number_vi(value, places), value, places)

    context["value"] = measure("value", measures.value, decimals)
    context["change"], context["trend"] = _change(slots, name="", change=figure.change)
    # January to date, where it says more than the period itself: a month, quarter or second half.
    context["ytd"] = context["ytd_change"] = context["ytd_period"] = None
    context["ytd_trend"] = ""
    context["ytd_partial"] = ""
    period = shown.period
    if figure.has_cumulative:
        context["ytd"] = measure("ytd", measures.ytd, decimals)
        if measures.ytd is not None:
            ytd_months = period.sub_periods(PeriodType(indicator.period_type))[-1].last_month
            context["ytd_period"] = slots.label("ytd_period", lower_first(first_months_label(period.year, ytd_months)))
            context["ytd_change"], context["ytd_trend"] = _change(
                slots, name="ytd_", change=replace(figure, previous_ytd=previous_ytd).ytd_change
            )
            if figure.ytd_reported_text:
                context["ytd_partial"] = slots.label("ytd_partial", figure.ytd_reported_text)
    context["plan"] = measure("plan", measures.plan, decimals)
    share = measures.plan_completion_pct if figure.plan_share_shown else None
    context["plan_pct"] = measure("plan_completion_pct", share, PERCENT_DECIMALS)
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

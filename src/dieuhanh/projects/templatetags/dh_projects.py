"""How public investment reads on a page: amounts in billion đồng, shares, schedule badges. Thin
filters over analytics' one way of writing a figure (``readmodel.writing``)."""

from __future__ import annotations

from django import template

from dieuhanh.analytics.readmodel import writing
from dieuhanh.projects import charts

register = template.Library()


@register.filter
def billion(value: object) -> str:
    """An amount in million đồng written in billion, one decimal, the page's language: 1.234,5."""
    if value is None or value == "":
        return writing.MISSING
    return charts.amount_text(value)  # type: ignore[arg-type]


@register.filter
def share(value: object) -> str:
    """A share in per cent with one decimal (the % sign is the heading's); "–" without a plan."""
    return writing.number(value, writing.PERCENT_DECIMALS)


@register.filter
def schedule_badge(status: object) -> str:
    """The badge's CSS modifier of a status against schedule (the palette's key)."""
    return charts.palette_key(status)


@register.filter
def schedule_label(status: object) -> str:
    return charts.status_text(status)


@register.filter
def month_label(period: object) -> str:
    """A month code written the Vietnamese way: 202307 → 7/2023."""
    return charts.month_label(period)

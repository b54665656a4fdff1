"""Figures in templates: thin filters over analytics' one way of writing a figure (``readmodel.writing``)."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from dieuhanh.analytics.readmodel import writing

register = template.Library()


@register.filter
def figure(value: object, decimals: object = 1) -> str:
    """A number with ``decimals`` places, grouped and in the active language's format; "–" if missing."""
    return writing.number(value, int(str(decimals)))


@register.filter
def percent(value: object) -> str:
    """A percentage with one decimal (the % sign is in the column heading)."""
    return writing.number(value, writing.PERCENT_DECIMALS)


@register.filter
def signed_percent(value: object) -> str:
    """A change in percent with one decimal and its sign: +12,3 / -4,0 / 0,0."""
    return writing.signed(value, writing.PERCENT_DECIMALS)


@register.filter
def status_label(status: object) -> str:
    """The badge text of an analytics status; empty when there is none (a plan, but no data yet)."""
    return writing.status_label(status)


@register.filter
def localized(obj: object, field: str = "name") -> str:
    """``obj.<field>_en`` when English is active and it is filled in, else ``obj.<field>`` (Vietnamese)."""
    if (get_language() or "").startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return str(english)
    return str(getattr(obj, field, "") or "")


@register.filter
def short_name(indicator: object) -> str:
    """An indicator's name where space is short: its short name, or in English its English name."""
    english: str = str(getattr(indicator, "name_en", "") or "")
    if english and (get_language() or "").startswith("en"):
        return english
    short: str = str(getattr(indicator, "short_name", "") or "")
    return short or str(getattr(indicator, "name", "") or "")

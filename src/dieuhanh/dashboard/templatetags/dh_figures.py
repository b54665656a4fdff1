"""Figures as Vietnamese reports write them: 1.234.567,8, a dash for a missing one."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from dieuhanh.analytics.engine import Status

register = template.Library()

MISSING = "–"
# Enough digits to round any stored figure (24 digits, 6 decimals) without the default context's 28-digit cap.
_WIDE = Context(prec=60)

STATUS_LABELS = {
    Status.ON_TRACK.value: _("On track"),
    Status.AT_RISK.value: _("At risk"),
    Status.OFF_TRACK.value: _("Off track"),
    Status.NO_TARGET.value: _("No target set"),
}


def _rounded(value: object, places: int) -> Decimal | None:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        # Round half up as offices do; Django's formatter would only cut the extra digits off.
        rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_WIDE)
    except (InvalidOperation, ValueError):
        return None
    # A figure that rounds to nothing is 0, not "-0,0".
    return abs(rounded) if rounded == 0 else rounded


@register.filter
def figure(value: object, decimals: object = 1) -> str:
    """A number with ``decimals`` places, grouped and in the active language's format; "–" if missing."""
    if value is None or value == "":
        return MISSING
    places = int(str(decimals))
    rounded = _rounded(value, places)
    if rounded is None:
        return MISSING
    return number_format(rounded, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter
def percent(value: object) -> str:
    """A percentage with one decimal (the % sign is in the column heading)."""
    return figure(value, 1)


@register.filter
def signed_percent(value: object) -> str:
    """A change in percent with one decimal and its sign: +12,3 / -4,0 / 0,0."""
    text = percent(value)
    rounded = _rounded(value, 1) if text != MISSING else None
    return f"+{text}" if rounded is not None and rounded > 0 else text


@register.filter
def status_label(status: object) -> str:
    """The badge text of an analytics status; empty when there is none (a plan, but no data yet)."""
    label = STATUS_LABELS.get(str(status)) if status else None
    return str(label) if label is not None else ""


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

"""What the dashboard templates need beyond figures: addresses of a unit and period, sparklines."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from dieuhanh.analytics.engine import Basis
from dieuhanh.analytics.readmodel.breaks import Break
from dieuhanh.analytics.readmodel.scope import BASIS_PARAMETER
from dieuhanh.dashboard.selectors.common import address_code
from dieuhanh.orgunits.models import OrgUnit

register = template.Library()

SPARK_WIDTH = 120
SPARK_HEIGHT = 32
SPARK_PAD = 3


@register.simple_tag(takes_context=True)
def picked_url(context: template.Context, path: str, org_unit: object, period: object) -> str:
    """``path`` for a unit and a period, as the pickers would send them (without the unit's code for
    the home province shown re-based for a period before it began: ``address_code``), keeping the
    page's basis when it is not the default (the toggle "Gồm số liệu chờ phê duyệt")."""
    code = unit_value(org_unit, period)
    period_code = getattr(period, "code", period)
    basis = context.get("basis") or ""
    shown = basis if basis and basis != Basis.APPROVED.value else ""
    query = urlencode(
        {k: str(v) for k, v in (("org_unit", code), ("period", period_code), (BASIS_PARAMETER, shown)) if v}
    )
    return path + (f"?{query}" if query else "")


@register.filter
def unit_value(org_unit: object, period: object) -> str:
    """What names ``org_unit`` in an address or the unit picker for ``period``: its code, or nothing
    for a unit shown for a period before it began (``selectors.address_code``)."""
    if isinstance(org_unit, OrgUnit):
        return address_code(org_unit, getattr(period, "end_date", None))
    return str(org_unit or "")


@register.simple_tag(takes_context=True)
def indicator_url(context: template.Context, indicator: object, org_unit: object, period: object) -> str:
    """The indicator page of ``indicator`` for a unit and a period (on the page's basis)."""
    return picked_url(
        context, reverse("dashboard:indicator", args=[getattr(indicator, "code", indicator)]), org_unit, period
    )


@register.simple_tag
def sparkline(values: Sequence[Decimal | None], breaks: Sequence[Break] = ()) -> SafeString:
    """A small inline SVG line of ``values`` (gaps where a value is missing), its last point marked.

    Drawn on the server: it needs no script, prints, and costs the page nothing to start.
    It only illustrates the figure written beside it, so assistive technology skips it. A day the
    unit's map changed (``breaks``) is a thin vertical line at its period, named in its title.
    """
    known = [(i, float(v)) for i, v in enumerate(values) if v is not None]
    if len(known) < 2:
        return SafeString("")
    low = min(v for _i, v in known)
    high = max(v for _i, v in known)
    spread = (high - low) or 1.0
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(len(values) - 1, 1)

    def point(i: int, v: float) -> tuple[float, float]:
        x = SPARK_PAD + i * step
        y = SPARK_HEIGHT - SPARK_PAD - (v - low) / spread * (SPARK_HEIGHT - 2 * SPARK_PAD)
        return round(x, 1), round(y, 1)

    runs: list[list[tuple[float, float]]] = [[]]
    previous = None
    for i, v in known:
        if previous is not None and i != previous + 1:
            runs.append([])
        runs[-1].append(point(i, v))
        previous = i
    path = " ".join("M" + " L".join(f"{x},{y}" for x, y in run) for run in runs if run)
    last_x, last_y = point(*known[-1])
    lines = format_html_join(
        "",
        '<line class="sparkline__break" data-break="{}" x1="{}" y1="0" x2="{}" y2="{}" stroke="currentColor" '
        'stroke-width="1" stroke-dasharray="2 2" opacity="0.6"><title>{}</title></line>',
        (
            (b.day.isoformat(), x, x, SPARK_HEIGHT, b.label)
            for b in breaks
            for x in [round(SPARK_PAD + b.index * step, 1)]
        ),
    )
    return format_html(
        '<svg class="sparkline" viewBox="0 0 {w} {h}" width="{w}" height="{h}" aria-hidden="true" '
        'focusable="false">{lines}<path d="{path}" fill="none" stroke="currentColor" stroke-width="1.6" '
        'stroke-linejoin="round" stroke-linecap="round"/><circle cx="{x}" cy="{y}" r="2.6" fill="currentColor"/></svg>',
        w=SPARK_WIDTH,
        h=SPARK_HEIGHT,
        lines=lines,
        path=path,
        x=last_x,
        y=last_y,
    )

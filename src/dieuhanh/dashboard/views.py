"""The overview page: every visible indicator's measures for one unit and one period."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from dieuhanh.dashboard.forms import OverviewForm
from dieuhanh.dashboard.selectors import (
    ADMINISTRATIVE_KINDS,
    SectorGroup,
    data_span,
    default_org_unit,
    default_period,
    overview_table,
    period_choices,
    visible_indicators,
)
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import TreeUnit, org_unit_tree


def _is_partial(request: HttpRequest) -> bool:
    # htmx asks for the table only, except when it restores a page from history: that needs all of it.
    return "HX-Request" in request.headers and "HX-History-Restore-Request" not in request.headers


def _canonical_url(org_unit: str, period: str) -> str:
    query = urlencode({k: v for k, v in (("org_unit", org_unit), ("period", period)) if v})
    return reverse("dashboard:overview") + (f"?{query}" if query else "")


def overview(request: HttpRequest) -> HttpResponse:
    """Pickers for unit and period, and the table of measures grouped by sector.

    Works as a plain GET form; under htmx it returns only the result part and
    pushes the clean address, so that every choice can be bookmarked.
    """
    partial = _is_partial(request)
    if "preset" in request.GET and not partial:
        # Without JavaScript the quick pick arrives as its own field; fold it into a clean, bookmarkable address.
        chosen = request.GET.get("preset") or request.GET.get("period", "")
        return HttpResponseRedirect(_canonical_url(request.GET.get("org_unit", "").strip(), chosen.strip()))

    indicators = visible_indicators(user=request.user)
    tree = org_unit_tree(kinds=ADMINISTRATIVE_KINDS)
    span = data_span(indicators=indicators)
    latest = default_period(span)
    form = OverviewForm(request.GET, tree=tree, default_unit=default_org_unit(tree), default_period=latest)

    groups: list[SectorGroup] = []
    unit: OrgUnit | None = None
    period: Period | None = None
    if form.is_valid():
        unit, period = form.cleaned_data["org_unit"], form.cleaned_data["period"]
        groups = overview_table(indicators=indicators, org_unit=unit, period=period)

    picker = list(tree)
    if unit is not None and all(item.unit.pk != unit.pk for item in tree):
        picker.append(TreeUnit(unit=unit, level=0))
    context = {
        "form": form,
        "tree": picker,
        "selected_unit": unit.code if unit is not None else form.typed("org_unit"),
        "period_text": period.code if period is not None else (form.typed("preset") or form.typed("period")),
        "period_groups": period_choices(latest=latest, span=span),
        "org_unit": unit,
        "period": period,
        "groups": groups,
        "indicator_count": len(indicators),
        "has_data": not span.is_empty,
        "partial": partial,
    }
    template = "dashboard/_overview_result.html" if partial else "dashboard/overview.html"
    response = render(request, template, context)
    if partial and unit is not None and period is not None:
        response["HX-Push-Url"] = _canonical_url(unit.code, period.code)
    # The same address answers with a page or a fragment; caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response

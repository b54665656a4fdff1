"""The dashboard pages: overview, indicator, unit scorecard, off-track list, wall screen, map boundaries.

Every page takes the same two pickers (unit and period) from the query string, works as
a plain GET form, and under htmx returns only its result part and pushes the clean
address, so that every choice can be bookmarked. The reads are in ``selectors``; the
chart data in ``charts``; the files in ``exports``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_GET

from dieuhanh.analytics.engine import Basis
from dieuhanh.analytics.readmodel.lists import (
    headline_indicator_ids,
    offtrack_list,
    overview_table,
    planned_pairs,
    unit_scorecard,
)
from dieuhanh.analytics.readmodel.periods import ReportPeriod, part_groups
from dieuhanh.analytics.readmodel.scope import (
    ADMINISTRATIVE_KINDS,
    BASIS_PARAMETER,
    DataSpan,
    awaiting_units,
    basis_for,
    child_units,
    complete_period,
    data_span,
    default_org_unit,
    default_period,
    indicators_at,
    may_include_submitted,
    stored_operands,
    visible_indicators,
)
from dieuhanh.analytics.readmodel.writing import palette_css
from dieuhanh.dashboard import charts, exports
from dieuhanh.dashboard.boundaries import boundary_collection
from dieuhanh.dashboard.forms import PickerForm
from dieuhanh.dashboard.pagecache import PagePart, page_key, part_of, render_around, slot
from dieuhanh.dashboard.selectors import (
    Place,
    address_code,
    indicator_detail,
    overview_book,
    overview_tiles,
    period_map,
    unit_place,
    wall_map_indicators,
    wall_slow_projects,
    year_choices,
)
from dieuhanh.dashboard.templatetags.dh_figures import localized
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period, PeriodError
from dieuhanh.indicators.selectors import indicator_list, may_see_internal, responsible_agency_at
from dieuhanh.orgunits.choices import OrgUnitKind
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import (
    TreeUnit,
    UnitLookupError,
    began_after,
    map_day,
    org_unit_tree,
    predecessors_on,
    today,
    unit_at,
)
from dieuhanh.projects.selectors import InvestorRow, investor_ranking

# The indicators whose page lists the slowest investors of the public-investment register.
SLOWEST_INVESTORS_OF = ("PI_DISB_RATE", "PI_DISB", "PI_PLAN")
SLOWEST_INVESTORS = 5
WALL_ROTATE_SECONDS = 20
WALL_REFRESH_SECONDS = 300
WALL_TILES_PER_PANEL = 12
WALL_OFFTRACK_ROWS = 10
# The query-string fields a page's pickers read (``PickerForm``): the rest of a query string changes nothing.
PICKER_FIELDS = ("org_unit", "period", "year", "part")


def _is_partial(request: HttpRequest) -> bool:
    # htmx asks for the result only, except when it restores a page from history: that needs all of it.
    return "HX-Request" in request.headers and "HX-History-Restore-Request" not in request.headers


def page_url(path: str, org_unit: str, period: str, basis: Basis = Basis.APPROVED) -> str:
    """The clean, bookmarkable address of a page for a unit and a period (either may be empty), and
    the basis when it is not the default (the toggle "Gồm số liệu chờ phê duyệt" is kept in it)."""
    shown = basis.value if basis != Basis.APPROVED else ""
    query = urlencode({k: v for k, v in (("org_unit", org_unit), ("period", period), (BASIS_PARAMETER, shown)) if v})
    return path + (f"?{query}" if query else "")


def page_basis(request: HttpRequest) -> Basis:
    """The basis a page shows (docs/dashboards.md, "Figures awaiting approval"): approved figures,
    unless a user holding a role turned the toggle on (``basis=submitted`` in the address)."""
    return basis_for(request.user, request.GET.get(BASIS_PARAMETER))


@dataclass(frozen=True)
class SlowestInvestors:
    year: int
    on: dt.date
    rows: list[InvestorRow]
    # The year and the day as the projects' pages take them: the investors' projects as at the same day.
    query: str


@dataclass
class Picked:
    """The pickers as read from the request, and what they resolve to (None where invalid)."""

    form: PickerForm
    tree: list[TreeUnit]
    span: DataSpan
    latest: Period
    unit: OrgUnit | None
    report: ReportPeriod | None
    place: Place | None
    basis: Basis = Basis.APPROVED
    # Whether the visitor may turn on the toggle "Gồm số liệu chờ phê duyệt" (not on the wall).
    may_include_submitted: bool = False

    def context(self, path: str) -> dict[str, Any]:
        """What the pickers, the breadcrumb and the period stepper need in a template."""
        unit, report, form = self.unit, self.report, self.form
        picker = list(self.tree)
        if unit is not None and all(item.unit.pk != unit.pk for item in picker):
            picker.append(TreeUnit(unit=unit, level=0))
        later = report.shift(1) if report is not None else None
        return {
            "form": form,
            "page_path": path,
            "tree": picker,
            "selected_unit": address_code(unit, report.end_date if report else None)
            if unit is not None
            else form.typed("org_unit"),
            "years": year_choices(latest=self.latest, span=self.span, chosen=report.year if report else None),
            "part_groups": part_groups(report),
            "selected_year": report.year if report is not None else self.latest.year,
            "selected_part": report.part if report is not None else "",
            "org_unit": unit,
            "report": report,
            "place": self.place,
            "earlier": report.shift(-1) if report is not None else None,
            # No step past the latest month with data: there is nothing there yet.
            "later": later if later is not None and later.start_date <= self.latest.end_date else None,
            "has_data": not self.span.is_empty,
            "off_track_path": reverse("dashboard:offtrack"),
            "scorecard_path": reverse("dashboard:scorecard"),
            # Read by ``picked_url``: every link of the page keeps the basis.
            "basis": self.basis.value,
            "may_include_submitted": self.may_include_submitted,
        }


def _pick(request: HttpRequest, *, span_of: list[Indicator], basis: Basis = Basis.APPROVED) -> Picked:
    """The pickers as asked, on ``basis`` (its figures decide the latest and the default period)."""
    # Every time's units, in one query: the period's map is read out of it (``period_map``).
    every = org_unit_tree(kinds=ADMINISTRATIVE_KINDS)
    span = data_span(indicators=stored_operands(span_of), basis=basis)
    latest = default_period(span)
    homes: dict[dt.date | None, OrgUnit | None] = {}

    def home_on(on: dt.date | None) -> OrgUnit | None:
        if on not in homes:
            homes[on] = default_org_unit(every, on=on)
        return homes[on]

    def complete_at(unit: OrgUnit | None) -> Period:
        # Asked only when no period was chosen: the latest month whose headline figures are complete.
        if unit is None:
            return latest
        headline = headline_indicator_ids(unit=unit)
        return complete_period(span=span, unit=unit, headline=[i for i in span_of if i.pk in headline], basis=basis)

    form = PickerForm(request.GET, tree=every, default_unit=home_on, default_period=complete_at)
    unit: OrgUnit | None = None
    report: ReportPeriod | None = None
    place: Place | None = None
    valid = form.is_valid()
    tree = period_map(every, on=form.chosen.end_date if form.chosen is not None else latest.end_date)
    if valid:
        unit, report = form.cleaned_data["org_unit"], form.cleaned_data["period"]
        tree, place = _map_and_place(every, unit=unit, end=report.end_date, home=home_on(report.end_date))
    return Picked(
        form=form,
        tree=tree,
        span=span,
        latest=latest,
        unit=unit,
        report=report,
        place=place,
        basis=basis,
        may_include_submitted=may_include_submitted(request.user),
    )


def _map_and_place(
    every: list[TreeUnit], *, unit: OrgUnit, end: dt.date, home: OrgUnit | None
) -> tuple[list[TreeUnit], Place]:
    """The map of a period ending ``end`` and ``unit``'s place on it (docs/dashboards.md, "The map of a
    date"). A unit that ended within the period has its place on the map of its own last day."""
    stand_ins = predecessors_on(home, on=end) if home is not None and began_after(home, end) else []
    tree = period_map(every, on=end, home=home, stand_ins=stand_ins)
    day = map_day(unit, end)
    if day == end or any(item.unit.pk == unit.pk for item in tree):
        return tree, unit_place(tree=tree, unit=unit)
    return tree, unit_place(tree=period_map(every, on=day), unit=unit)


def _picked_redirect(request: HttpRequest) -> HttpResponse | None:
    """Without JavaScript the pickers send a year and a part of it; fold them into a clean, bookmarkable
    address that names the period by its code."""
    if "part" not in request.GET or _is_partial(request):
        return None
    chosen = request.GET.get("period", "")
    # A wrong year or part is left for the page itself to say what is wrong.
    with contextlib.suppress(ValueError, PeriodError):
        chosen = ReportPeriod.from_part(int(request.GET.get("year", "")), request.GET.get("part", "")).code
    return HttpResponseRedirect(
        page_url(request.path, request.GET.get("org_unit", "").strip(), chosen.strip(), page_basis(request))
    )


def _respond(request: HttpRequest, *, page: str, result: str, picked: Picked, context: dict[str, Any]) -> HttpResponse:
    partial = _is_partial(request)
    full = {**picked.context(request.path), **context, "partial": partial}
    response = render(request, result if partial else page, full)
    if partial and picked.unit is not None and picked.report is not None:
        response["HX-Push-Url"] = page_url(
            request.path, address_code(picked.unit, picked.report.end_date), picked.report.code, picked.basis
        )
    # The same address answers with a page or a fragment; caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Tiles of the headline indicators and the table of all, for one unit and period.

    Its part that is the same for everyone who may see the same figures is kept until anything it
    shows changes (``pagecache``); the frame around it (the visitor's name, CSRF tokens, messages) is
    rendered for every request.
    """
    redirect = _picked_redirect(request)
    if redirect is not None:
        return redirect
    partial = _is_partial(request)
    key = page_key(request, page="overview", fields=PICKER_FIELDS, partial=partial)
    part = part_of(key, lambda: _overview_part(request, partial=partial))
    if partial:
        response = HttpResponse(part.body)
        if part.push_url is not None:
            response["HX-Push-Url"] = part.push_url
    else:
        response = render_around(request, "dashboard/overview.html", {"body": slot()}, part)
    # The same address answers with a page or a fragment; caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _overview_part(request: HttpRequest, *, partial: bool) -> PagePart:
    """The overview's figures, pickers and table, rendered without the request: nothing of the
    visitor's own (name, session, CSRF token) can reach it."""
    indicators = visible_indicators(user=request.user)
    picked = _pick(request, span_of=indicators, basis=page_basis(request))
    indicators = indicators_at(indicators, user=request.user, unit=picked.unit)
    context: dict[str, Any] = {"indicator_count": len(indicators), "groups": [], "tiles": None}
    if picked.unit is not None and picked.report is not None:
        book = overview_book(indicators=indicators, unit=picked.unit, report=picked.report, basis=picked.basis)
        context["tiles"] = overview_tiles(
            book=book,
            indicators=indicators,
            headline_ids=headline_indicator_ids(unit=picked.unit),
            unit=picked.unit,
            report=picked.report,
        )
        context["groups"] = overview_table(indicators=indicators, org_unit=picked.unit, report=picked.report, book=book)
    full = {**picked.context(request.path), **context, "partial": partial}
    template = "dashboard/_overview_result.html" if partial else "dashboard/_overview_body.html"
    push_url = None
    if partial and picked.unit is not None and picked.report is not None:
        push_url = page_url(
            request.path, address_code(picked.unit, picked.report.end_date), picked.report.code, picked.basis
        )
    return PagePart.rendered(render_to_string(template, full), push_url=push_url)


def _indicator_or_404(request: HttpRequest, code: str) -> Indicator:
    found = indicator_list(codes=[code], public_only=not may_see_internal(request.user))
    if not found:
        raise Http404("No such indicator.")
    return found[0]


def _readable_or_404(request: HttpRequest, chosen: Indicator, unit: OrgUnit | None) -> None:
    """A non-public indicator is shown at the units the user's scope reads (else as not there)."""
    if unit is not None and not indicators_at([chosen], user=request.user, unit=unit):
        raise Http404("No such indicator at this unit.")


def _slowest_investors(*, unit: OrgUnit, report: ReportPeriod) -> SlowestInvestors | None:
    """The panel "Chủ đầu tư giải ngân chậm nhất" of a province's disbursement indicators: the
    investors of the register with the lowest share of the year's plan disbursed, each opening its
    projects slowest first (the second of the three clicks from the overview to a blocked project)."""
    if unit.kind != OrgUnitKind.PROVINCE:
        return None
    on = min(report.end_date, today())
    rows = [row for row in investor_ranking(year=report.year, on=on) if row.percent is not None]
    if not rows:
        return None
    rows.sort(key=lambda row: (row.percent, -row.plan, row.investor.name))
    query = urlencode({"year": report.year, "on": on.isoformat()})
    return SlowestInvestors(year=report.year, on=on, rows=rows[:SLOWEST_INVESTORS], query=query)


@require_GET
def indicator(request: HttpRequest, code: str) -> HttpResponse:
    """One indicator: trend, cumulative against plan, ranking and map of the child units, all measures."""
    redirect = _picked_redirect(request)
    if redirect is not None:
        return redirect
    chosen = _indicator_or_404(request, code)
    picked = _pick(request, span_of=[chosen], basis=page_basis(request))
    _readable_or_404(request, chosen, picked.unit)
    # The agency answering for it at the end of the period shown (a merged agency's successor since).
    shown_on = min(picked.report.end_date, today()) if picked.report is not None else today()
    context: dict[str, Any] = {
        "indicator": chosen,
        "responsible": responsible_agency_at(chosen, on=shown_on),
        "detail": None,
        "csv_path": reverse("dashboard:indicator-export", args=[chosen.code, "csv"]),
        "xlsx_path": reverse("dashboard:indicator-export", args=[chosen.code, "xlsx"]),
    }
    if picked.unit is not None and picked.report is not None and picked.place is not None:
        detail = indicator_detail(indicator=chosen, unit=picked.unit, report=picked.report, basis=picked.basis)
        context["detail"] = detail
        if picked.basis == Basis.APPROVED and picked.may_include_submitted:
            # What the approved figures leave out, for those who may include it: "3 đơn vị chờ phê duyệt".
            period = detail.shown.period
            start = dt.date(period.year, 1, 1) if detail.shown.cumulative else period.start_date
            context["awaiting"] = awaiting_units(indicator=chosen, unit=picked.unit, start=start, end=period.end_date)
        context["charts"] = charts.indicator_charts(detail=detail, place=picked.place, page_path=request.path)
        if chosen.code in SLOWEST_INVESTORS_OF and request.user.is_authenticated:
            context["slowest_investors"] = _slowest_investors(unit=picked.unit, report=picked.report)
    return _respond(
        request,
        page="dashboard/indicator.html",
        result="dashboard/_indicator_result.html",
        picked=picked,
        context=context,
    )


@require_GET
def indicator_export(request: HttpRequest, code: str, file_format: str) -> HttpResponse:
    """The indicator page's table of measures (and, in XLSX, its trend) as a file."""
    if file_format not in ("csv", "xlsx"):
        raise Http404("No such format.")
    chosen = _indicator_or_404(request, code)
    picked = _pick(request, span_of=[chosen], basis=page_basis(request))
    if picked.unit is None or picked.report is None:
        raise Http404("No such unit or period.")
    _readable_or_404(request, chosen, picked.unit)
    detail = indicator_detail(indicator=chosen, unit=picked.unit, report=picked.report, basis=picked.basis)
    name = f"{chosen.code}_{picked.unit.code}_{picked.report.code}"
    if file_format == "csv":
        response = HttpResponse(exports.indicator_csv(detail), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.indicator_xlsx(detail),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response


@require_GET
def scorecard(request: HttpRequest) -> HttpResponse:
    """Every indicator at one unit with its status, the worst gap to the plan first."""
    redirect = _picked_redirect(request)
    if redirect is not None:
        return redirect
    indicators = visible_indicators(user=request.user)
    picked = _pick(request, span_of=indicators, basis=page_basis(request))
    indicators = indicators_at(indicators, user=request.user, unit=picked.unit)
    context: dict[str, Any] = {"scorecard": None}
    if picked.unit is not None and picked.report is not None:
        context["scorecard"] = unit_scorecard(
            indicators=indicators, unit=picked.unit, report=picked.report, basis=picked.basis
        )
    return _respond(
        request,
        page="dashboard/scorecard.html",
        result="dashboard/_scorecard_result.html",
        picked=picked,
        context=context,
    )


@require_GET
def offtrack(request: HttpRequest) -> HttpResponse:
    """Every indicator × unit (the chosen one and all below it) off track or at risk, most behind first."""
    redirect = _picked_redirect(request)
    if redirect is not None:
        return redirect
    indicators = visible_indicators(user=request.user)
    picked = _pick(request, span_of=indicators, basis=page_basis(request))
    indicators = indicators_at(indicators, user=request.user, unit=picked.unit)
    context: dict[str, Any] = {"rows": None}
    if picked.unit is not None and picked.report is not None:
        context["rows"] = offtrack_list(
            indicators=indicators, root=picked.unit, report=picked.report, basis=picked.basis
        )
    return _respond(
        request,
        page="dashboard/offtrack.html",
        result="dashboard/_offtrack_result.html",
        picked=picked,
        context=context,
    )


def _seconds(request: HttpRequest, name: str, default: int, low: int) -> int:
    try:
        return max(low, int(request.GET.get(name, default)))
    except ValueError:
        return default


# The wall's figures depend on the pickers and the maps asked for; its pace (``rotate``, ``refresh``) not.
WALL_FIELDS = (*PICKER_FIELDS, "map")


def _wall_figures(request: HttpRequest) -> tuple[PagePart, OrgUnit | None]:
    """The wall's figures — tiles, maps, the off-track list, or the pickers' errors — rendered without
    the request, with the unit and period its header names (``facts``: also the unit's id and the
    period's code, for the projects' panel, which is read afresh for every request); and the unit."""
    indicators = visible_indicators(user=request.user)
    # The wall is seen by whoever stands in the room: approved figures only, whatever is asked.
    picked = _pick(request, span_of=indicators)
    indicators = indicators_at(indicators, user=request.user, unit=picked.unit)
    context: dict[str, Any] = {**picked.context(reverse("dashboard:wall")), "tile_pages": [], "maps": []}
    unit, report, place = picked.unit, picked.report, picked.place
    facts: list[tuple[str, str]] = []
    if unit is not None and report is not None:
        facts = [
            ("unit", localized(unit)),
            ("period", str(report.label())),
            ("unit_id", str(unit.pk)),
            ("report", report.code),
        ]
    if unit is not None and report is not None and place is not None:
        # One engine serves every panel: tiles, maps and the off-track list.
        place = Place(
            unit=place.unit,
            ancestors=place.ancestors,
            children=child_units(unit=unit, start=report.start_date, end=report.end_date),
        )
        planned = planned_pairs(indicators=indicators, root=unit, report=report)
        book = overview_book(
            indicators=indicators, unit=unit, report=report, also=[*place.children, *planned.units.values()]
        )
        headline = headline_indicator_ids(unit=unit)
        tiles = overview_tiles(book=book, indicators=indicators, headline_ids=headline, unit=unit, report=report)
        pages = [tiles.tiles[i : i + WALL_TILES_PER_PANEL] for i in range(0, len(tiles.tiles), WALL_TILES_PER_PANEL)]
        requested = [c for c in request.GET.get("map", "").split(",") if c]
        maps = wall_map_indicators(
            book=book, indicators=indicators, headline_ids=headline, place=place, report=report, codes=requested
        )
        behind = offtrack_list(indicators=indicators, root=unit, report=report, planned=planned, book=book)
        context.update(
            {
                "tiles": tiles,
                "tile_pages": pages,
                "maps": [charts.wall_map(book=book, indicator=i, place=place, report=report) for i in maps],
                "behind": behind[:WALL_OFFTRACK_ROWS],
                "behind_count": len(behind),
            }
        )
    return PagePart.rendered(render_to_string("dashboard/_wall_figures.html", context), facts=tuple(facts)), unit


def _wall_context(request: HttpRequest) -> tuple[dict[str, Any], PagePart]:
    """The wall's figures, kept in the page cache like the overview's until anything they show changes
    (every wall screen of a province refreshes the same panels), around them what is read for every
    request: the time, and the projects slowest to disburse (the register's own tables, which the
    cache's stamp does not follow). The context has the figures' slot; the part fills it."""
    key = page_key(request, page="wall", fields=WALL_FIELDS, partial=False)
    rendered: list[OrgUnit | None] = []

    def render() -> PagePart:
        part, unit = _wall_figures(request)
        rendered.append(unit)
        return part

    part = part_of(key, render)
    unit = rendered[0] if rendered else None
    facts = dict(part.facts)
    if unit is None and "unit_id" in facts:
        unit = OrgUnit.objects.filter(pk=int(facts["unit_id"])).first()
    slow = None
    if unit is not None and "report" in facts:
        slow = wall_slow_projects(unit=unit, report=ReportPeriod.parse(facts["report"]))
    context = {
        "figures": slot(),
        "wall_unit": facts.get("unit", ""),
        "wall_period": facts.get("period", ""),
        "slow_projects": slow,
        "updated": timezone.localtime(),
        "rotate_seconds": _seconds(request, "rotate", WALL_ROTATE_SECONDS, 5),
        "refresh_seconds": _seconds(request, "refresh", WALL_REFRESH_SECONDS, 15),
    }
    return context, part


@require_GET
def wall(request: HttpRequest) -> HttpResponse:
    """The wall screen: full screen, dark, rotating through the overview, maps, the off-track list and the
    public-investment projects slowest to disburse."""
    context, part = _wall_context(request)
    return render_around(request, "dashboard/wall.html", context, part)


@require_GET
def wall_panels(request: HttpRequest) -> HttpResponse:
    """The wall's panels alone, for its periodic refresh; an error leaves the screen showing the last good ones."""
    context, part = _wall_context(request)
    response = render_around(request, "dashboard/_wall_panels.html", context, part)
    patch_cache_control(response, no_store=True)
    return response


@require_GET
def boundaries(request: HttpRequest, code: str) -> JsonResponse:
    """GeoJSON for the map of a unit: its children's polygons, or its own outline (see ``boundaries``).

    ``on``: the day the code is resolved at (default today); ``at``: the date of the map, whose
    units and polygons are drawn (default ``on``) — they differ for the home province shown
    re-based for a period before it began (docs/dashboards.md, "The map of a date").
    """
    try:
        on = dt.date.fromisoformat(request.GET["on"]) if request.GET.get("on") else None
        at = dt.date.fromisoformat(request.GET["at"]) if request.GET.get("at") else None
        unit = unit_at(code, on=on)
    except ValueError as exc:
        raise Http404("Write the date as YYYY-MM-DD.") from exc
    except UnitLookupError as exc:
        raise Http404(str(exc)) from exc
    day = at or on or today()
    every = org_unit_tree(kinds=ADMINISTRATIVE_KINDS)
    _tree, place = _map_and_place(every, unit=unit, end=day, home=unit if began_after(unit, day) else None)
    collection = boundary_collection(
        unit=unit, children=place.children, ancestors=place.ancestors, on=map_day(unit, day)
    )
    response = JsonResponse(collection, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})
    # Boundaries change with a re-organisation, not by the hour: let browsers keep them for a day.
    patch_cache_control(response, public=True, max_age=86400)
    response["Content-Type"] = "application/geo+json"
    return response


@require_GET
def palette(request: HttpRequest) -> HttpResponse:
    """The status palette as CSS custom properties: the stylesheets read the colours that the charts
    and the report's charts are given, from one place (analytics' ``writing.PALETTE``)."""
    response = HttpResponse(palette_css(), content_type="text/css; charset=utf-8")
    patch_cache_control(response, public=True, max_age=3600)
    return response

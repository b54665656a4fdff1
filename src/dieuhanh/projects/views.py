"""Web pages of public investment: the project list, a project's page, the investor scorecard and
the map of projects. Signed-in users only: the register names obstacles and the directives that
follow them up, which are internal.

Every page shows a plan year as at a day (``?year=``, ``?on=``): by default today for the current
year, 31 January of the next year for a past one (the day of the year's last milestone: a year's
plan is disbursed until then). Its links keep both, so that the three clicks from the indicator
page to a project read the same day.
The reads are core's selectors; what a chart draws is built in ``charts``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import today
from dieuhanh.projects import charts
from dieuhanh.projects.forms import DEFAULT_ORDER, ProjectFilterForm, ScorecardForm, YearForm
from dieuhanh.projects.models import CapitalAllocation, Project
from dieuhanh.projects.selectors import (
    investor_ranking,
    investors_below,
    project_detail,
    project_list,
    projects_geojson,
)

PAGE_SIZE = 50


def plan_years() -> list[int]:
    """The years the register holds a capital plan for."""
    return list(CapitalAllocation.objects.order_by().values_list("year", flat=True).distinct())


def _investors() -> list[OrgUnit]:
    return list(OrgUnit.objects.filter(invested_projects__isnull=False).distinct().order_by("name", "pk"))


def _communes() -> list[OrgUnit]:
    return list(
        OrgUnit.objects.filter(Q(projects__isnull=False) | Q(projectlocation__isnull=False))
        .distinct()
        .order_by("name", "pk")
    )


def _query(request: HttpRequest, *, drop: tuple[str, ...] = ("page",)) -> str:
    return urlencode({k: v for k, v in request.GET.items() if k not in drop and v})


@login_required
@require_GET
def project_list_page(request: HttpRequest) -> HttpResponse:
    """The projects of a plan year with their disbursement, slowest first: filtered by investor,
    sector, group, capital source, status against schedule, commune and a text."""
    now = today()
    form = ProjectFilterForm(request.GET, years=plan_years(), today=now, investors=_investors(), communes=_communes())
    valid = form.is_valid()
    year = form.chosen_year()
    on = form.chosen_on()
    data = form.cleaned_data if valid else {}
    order = data.get("order") or DEFAULT_ORDER
    investor = form.investors.get(data.get("investor") or "")
    rows = project_list(
        year=year,
        on=on,
        investor=investor,
        sector=data.get("sector") or None,
        group=data.get("group") or None,
        source=data.get("source") or None,
        status=data.get("status") or None,
        commune=form.communes.get(data.get("commune") or ""),
        q=(data.get("q") or "").strip(),
        order=order,
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "year": str(year),  # a year, not a number: never grouped (2.023)
        "on": on,
        "page": page,
        "rows": page.object_list,
        "investor": investor,
        "order": order,
        "query": _query(request),
        "year_query": form.query(),
        "sample": any(row.project.sample for row in page.object_list),
    }
    return render(request, "projects/list.html", context, status=200 if valid else 400)


@login_required
@require_GET
def project_page(request: HttpRequest, code: str) -> HttpResponse:
    """One project: who, what, where; its curve of the year (plan, cumulative disbursement, the
    schedule's pace); its capital, site clearance, obstacles (with the agency that must resolve
    each and by when) and the directives naming it."""
    project = Project.objects.select_related("investor", "managing_agency").filter(code=code).first()
    if project is None:
        raise Http404(_("There is no project with this code."))
    now = today()
    form = YearForm(request.GET, years=plan_years(), today=now)
    valid = form.is_valid()
    year = form.chosen_year()
    on = form.chosen_on()
    view = project_detail(project=project, year=year, on=on, user=request.user)
    context = {
        "form": form,
        "project": project,
        "view": view,
        "year": str(year),  # a year, not a number: never grouped (2.023)
        "on": on,
        "year_query": form.query(),
        "curve": charts.curve_chart(view=view, project=project, year=year),
    }
    return render(request, "projects/detail.html", context, status=200 if valid else 400)


@login_required
@require_GET
def investors_page(request: HttpRequest) -> HttpResponse:
    """The investors ranked by the share of their plan disbursed; with ``?below=30``, the list read
    out at meetings: the investors below that share."""
    now = today()
    form = ScorecardForm(request.GET, years=plan_years(), today=now)
    valid = form.is_valid()
    year = form.chosen_year()
    on = form.chosen_on()
    ranking = investor_ranking(year=year, on=on)
    below = form.cleaned_data.get("below") if valid else None
    context = {
        "form": form,
        "year": str(year),  # a year, not a number: never grouped (2.023)
        "on": on,
        "ranking": ranking,
        "below": below,
        "below_rows": investors_below(year=year, on=on, percent=below) if below is not None else None,
        "year_query": form.query(),
    }
    return render(request, "projects/investors.html", context, status=200 if valid else 400)


@login_required
@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    """The projects of a plan year on the map of the date, coloured by their status against schedule."""
    now = today()
    form = YearForm(request.GET, years=plan_years(), today=now)
    valid = form.is_valid()
    year = form.chosen_year()
    on = form.chosen_on()
    collection = projects_geojson(year=year, on=on, with_plan=True)
    payload = charts.map_chart(collection=collection, year=year, on=on, query=form.query())
    context: dict[str, Any] = {
        "form": form,
        "year": str(year),  # a year, not a number: never grouped (2.023)
        "on": on,
        "map": payload,
        "legend": charts.legend(payload),
        "year_query": form.query(),
    }
    return render(request, "projects/map.html", context, status=200 if valid else 400)

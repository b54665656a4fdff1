"""Web pages of the reporting calendar (*Lịch báo cáo*): every data set's reports of a period, unit
by unit, and a unit's own obligations of the months around today. Signed-in users only, each the
units of their scope (leaders and operators every unit)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dieuhanh.accounts.selectors import scope_of
from dieuhanh.analytics.readmodel.periods import PartGroup, ReportPeriod, part_groups
from dieuhanh.indicators.periods import PeriodError
from dieuhanh.orgunits.selectors import UnitLookupError, today, unit_at
from dieuhanh.reporting.choices import ObligationState
from dieuhanh.reporting.selectors import (
    DataSetCalendar,
    Obligation,
    calendar_for,
    default_calendar_period,
    unit_obligations,
)

# The dashboards' status palette, for a report's state.
STATE_BADGE = {
    ObligationState.ON_TIME: "on_track",
    ObligationState.LATE: "at_risk",
    ObligationState.MISSING: "off_track",
    ObligationState.NOT_DUE: "none",
}
# Who to chase first: the missing, then the late, then those not yet due, then the rest.
STATE_ORDER = {
    ObligationState.MISSING: 0,
    ObligationState.LATE: 1,
    ObligationState.NOT_DUE: 2,
    ObligationState.ON_TIME: 3,
}
# A unit's own view: its reports due from this many days ago to this many ahead.
UNIT_DAYS_BACK, UNIT_DAYS_AHEAD = 62, 124


@dataclass(frozen=True)
class Row:
    """One obligation as a page shows it."""

    item: Obligation
    badge: str
    label: str


def _row(item: Obligation) -> Row:
    return Row(item, STATE_BADGE[item.state], str(ObligationState(item.state).label))


@dataclass(frozen=True)
class Section:
    """A data set's reports of the period: the counts by state and the units, who to chase first."""

    calendar: DataSetCalendar
    counts: list[tuple[str, str, int]]
    rows: list[Row]


def _section(calendar: DataSetCalendar) -> Section:
    counts = calendar.counts
    ordered = sorted(calendar.obligations, key=lambda o: STATE_ORDER[ObligationState(o.state)])
    return Section(
        calendar,
        [(STATE_BADGE[s], str(s.label), counts[s]) for s in ObligationState],
        [_row(item) for item in ordered],
    )


@login_required
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    """Every data set's reports of a period: each unit's state on today, with the counts."""
    on = today()
    error = ""
    sections: list[Section] = []
    chosen: ReportPeriod | None = None
    try:
        if request.GET.get("year") and request.GET.get("part"):
            chosen = ReportPeriod.from_part(int(request.GET["year"]), request.GET["part"])
        elif request.GET.get("period"):
            chosen = ReportPeriod.parse(request.GET["period"])
        else:
            chosen = ReportPeriod(default_calendar_period(on=on))
        if chosen.cumulative:
            raise PeriodError(_("The calendar shows a month, a quarter, a half-year or a year."))
        sections = [_section(c) for c in calendar_for(period=chosen.period, on=on, user=request.user)]
    except (PeriodError, ValueError) as exc:
        error = str(exc) if isinstance(exc, PeriodError) else _("Choose a year from the list.")
    return render(
        request,
        "reporting/calendar.html",
        {
            "sections": sections,
            "period": chosen.period if chosen is not None and not error else None,
            "on": on,
            "years": list(range(on.year + 1, on.year - 10, -1)),
            "selected_year": chosen.year if chosen is not None else on.year,
            "part_groups": [
                PartGroup(g.label, [(p, w) for p, w in g.parts if not p.endswith("M") or p.startswith("M")])
                for g in part_groups()
            ],
            "selected_part": chosen.part if chosen is not None else "year",
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_GET
def unit(request: HttpRequest, code: str) -> HttpResponse:
    """A unit's own reports: those due in the last two months and the next four, by due date."""
    on = today()
    try:
        found = unit_at(code, on=on, since=dt.date.min)
    except UnitLookupError as exc:
        raise Http404(str(exc)) from exc
    if not scope_of(request.user).may_read_unit(found):
        raise PermissionDenied(
            _("The reports of %(unit)s are outside the units your account reads.") % {"unit": found.label()}
        )
    first = on - dt.timedelta(days=UNIT_DAYS_BACK)
    last = on + dt.timedelta(days=UNIT_DAYS_AHEAD)
    rows = [_row(item) for item in unit_obligations(unit=found, first=first, last=last, on=on)]
    return render(
        request,
        "reporting/unit.html",
        {"unit": found, "rows": rows, "on": on, "first": first, "last": last},
    )

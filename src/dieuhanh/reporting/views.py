"""Web pages of the reporting calendar (*Lịch báo cáo*): every data set's reports of a period, unit
by unit, and a unit's own obligations of the months around today. Signed-in users only, each the
units of their scope (leaders and operators every unit)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dieuhanh.accounts.selectors import scope_of
from dieuhanh.analytics.readmodel.periods import PartGroup, ReportPeriod, part_groups
from dieuhanh.indicators.periods import Period, PeriodError, PeriodType, period_type_label
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import UnitLookupError, today, unit_at
from dieuhanh.reporting.choices import ObligationState, ReportStatus
from dieuhanh.reporting.models import DataSet, DataSetReport
from dieuhanh.reporting.policy import locked_message
from dieuhanh.reporting.selectors import (
    DataSetCalendar,
    Obligation,
    calendar_for,
    default_calendar_period,
    report_of,
    report_steps,
    reports_approved,
    reports_to_approve,
    unit_obligations,
)
from dieuhanh.reporting.workflow import (
    ReportError,
    ReportForbiddenError,
    covers_unit,
    entry_rows,
    report_approve,
    report_from_figures,
    report_reopen,
    report_return,
    report_save,
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


# ---- data entry with approval --------------------------------------------------------------------


def _entry_target(data_set_code: str, unit_code: str, period_code: str) -> tuple[DataSet, OrgUnit, Period]:
    data_set = DataSet.objects.filter(code=data_set_code).first()
    if data_set is None:
        raise Http404(_("There is no data set '%(code)s'.") % {"code": data_set_code})
    try:
        period = Period.parse(period_code)
    except PeriodError as exc:
        raise Http404(str(exc)) from exc
    if period.type != PeriodType(data_set.period_type):
        raise Http404(
            _("“%(data_set)s” is reported %(type)s; %(period)s is not such a period.")
            % {"data_set": data_set.name, "type": period_type_label(data_set.period_type), "period": period.code}
        )
    try:
        unit = unit_at(unit_code, on=period.end_date, since=period.start_date)
    except UnitLookupError as exc:
        raise Http404(str(exc)) from exc
    return data_set, unit, period


@login_required
@require_http_methods(["GET", "POST"])
def entry(request: HttpRequest, data_set: str, code: str, period: str) -> HttpResponse:
    """The form of a data set for a unit and a period: the reporter saves a draft or submits; the
    level above and leaders read it (with the report's steps)."""
    found_set, unit, found_period = _entry_target(data_set, code, period)
    scope = scope_of(request.user)
    if not scope.may_read_unit(unit):
        raise PermissionDenied(
            _("The reports of %(unit)s are outside the units your account reads.") % {"unit": unit.label()}
        )
    may_write = scope.may_write_unit(unit, found_period)
    problems: dict[str, str] = {}
    posted: dict[str, str] = {}
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied(
                _("The reports of %(unit)s are outside the units your account reports for.") % {"unit": unit.label()}
            )
        submit = request.POST.get("action") == "submit"
        posted = {k: str(v) for k, v in request.POST.items() if k.startswith("v-")}
        try:
            report_save(
                data_set=found_set, org_unit=unit, period=found_period, values=posted, user=request.user, submit=submit
            )
        except ReportForbiddenError as exc:
            raise PermissionDenied(str(exc)) from exc
        except ReportError as exc:
            problems = exc.problems
        else:
            messages.success(
                request,
                _("The report was submitted; the level above will approve it.")
                if submit
                else _("The draft was saved; drafts are not counted until the report is submitted."),
            )
            return redirect(request.path)
    rows = entry_rows(data_set=found_set, org_unit=unit, period=found_period)
    for row in rows:
        for item in row.fields:
            if request.method == "POST":
                item.text = posted.get(item.name, "")
            item.error = problems.get(item.name, "")
    report = report_of(data_set=found_set, org_unit=unit, period=found_period)
    locked = report is not None and report.status == ReportStatus.APPROVED
    return render(
        request,
        "reporting/entry.html",
        {
            "data_set": found_set,
            "unit": unit,
            "period": found_period,
            "rows": rows,
            "report": report,
            "report_badge": REPORT_BADGE.get(report.status, "none") if report else "none",
            "steps": report_steps(report=report) if report is not None else [],
            "editable": may_write and not locked and covers_unit(found_set, unit, found_period),
            "covered": covers_unit(found_set, unit, found_period),
            "locked_message": locked_message(report) if locked and report is not None else "",
            "general_problem": problems.get("", ""),
            "problems": [p for name, p in problems.items() if name],
            "due_date": found_set.due_date(found_period),
        },
        status=400 if problems else 200,
    )


# The approvals page lists at most this many reports waiting, the oldest first.
WAITING_SHOWN = 200

# The dashboards' status palette, for a report's status.
REPORT_BADGE: dict[str, str] = {
    ReportStatus.DRAFT: "none",
    ReportStatus.SUBMITTED: "at_risk",
    ReportStatus.APPROVED: "on_track",
    ReportStatus.RETURNED: "off_track",
}


@login_required
@require_http_methods(["GET", "POST"])
def approvals(request: HttpRequest) -> HttpResponse:
    """The reports waiting for the user's approval (the units below their own), to approve or to
    return with a comment; the approved ones, which an operator reopens with a reason."""
    scope = scope_of(request.user)
    if not (scope.may_approve or scope.may_reopen):
        raise PermissionDenied(_("Approving reports needs the approver's role; reopening them, the operator's."))
    problem = ""
    problem_report: int | None = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        report = (
            DataSetReport.objects.select_related("data_set", "org_unit")
            .filter(pk=_int(request.POST.get("report")) or 0)
            .first()
        )
        if report is None and action in {"approve", "return"}:
            report = _report_sent_by_figures(request)
        if report is None or action not in {"approve", "return", "reopen"}:
            problem = _("Choose a report and what to do with it.")
        else:
            text = request.POST.get("comment", "")
            try:
                if action == "approve":
                    report_approve(report=report, user=request.user, comment=text)
                    done = _("The report of %(unit)s was approved; its figures are locked.")
                elif action == "return":
                    report_return(report=report, user=request.user, comment=text)
                    done = _("The report of %(unit)s was returned with your comment.")
                else:
                    report_reopen(report=report, user=request.user, reason=text)
                    done = _("The report of %(unit)s was reopened; it waits for approval again.")
            except ReportForbiddenError as exc:
                raise PermissionDenied(str(exc)) from exc
            except ReportError as exc:
                problem, problem_report = str(exc), report.pk
            else:
                messages.success(request, done % {"unit": report.org_unit.label()})
                return redirect(request.path)
    waiting = reports_to_approve(user=request.user)
    return render(
        request,
        "reporting/approvals.html",
        {
            "waiting": waiting[:WAITING_SHOWN],
            "waiting_more": max(len(waiting) - WAITING_SHOWN, 0),
            "approved": reports_approved(user=request.user),
            "may_approve": scope.may_approve,
            "may_reopen": scope.may_reopen,
            "problem": problem,
            "problem_report": problem_report,
        },
        status=400 if problem else 200,
    )


def _report_sent_by_figures(request: HttpRequest) -> DataSetReport | None:
    """The record of a report sent as figures, named by the form's data set, unit and period
    (made now: ``workflow.report_from_figures``); None when they name none."""
    data_set = DataSet.objects.filter(code=request.POST.get("data_set", "")).first()
    unit = OrgUnit.objects.filter(pk=_int(request.POST.get("org_unit")) or 0).first()
    try:
        period = Period.parse(request.POST.get("period", ""))
    except PeriodError:
        return None
    if data_set is None or unit is None or period.type != PeriodType(data_set.period_type):
        return None
    try:
        return report_from_figures(data_set=data_set, org_unit=unit, period=period, user=request.user)
    except ReportForbiddenError as exc:
        raise PermissionDenied(str(exc)) from exc
    except ReportError:
        return None


def _int(raw: str | None) -> int | None:
    try:
        return int(raw or "")
    except ValueError:
        return None

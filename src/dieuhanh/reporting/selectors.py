"""Reads of the reporting calendar: data sets, the units expected to report, when each report
arrived, and every obligation's state on a day.

An obligation is one unit's report of one data set for one period. It is computed, never stored,
set-based: for a data set and any number of periods, one query for the units, two for the
figures, however many units there are.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.selectors import scope_of
from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.figures.models import DataValue, DataValueChange
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period, PeriodType
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.reporting.choices import DataSetPeriodType, ObligationState, ReportStatus
from dieuhanh.reporting.models import DataSet, DataSetReport, ReportStep

UNIT_FIELDS = (
    "id",
    "code",
    "name",
    "name_en",
    "kind",
    "parent_id",
    "path",
    "depth",
    "sort_order",
    "valid_from",
    "valid_to",
)


def data_sets() -> QuerySet[DataSet]:
    """Every data set with what its obligations need, in the catalogue's order."""
    return DataSet.objects.select_related("org_unit_group").prefetch_related("indicators")


def data_set_indicator_problems(*, period_type: str, indicators: Iterable[Indicator]) -> list[str]:
    """Why these indicators cannot make up a data set of ``period_type`` (an empty list: they can).

    A report of a period holds each indicator's figures of that period at the indicator's own
    period type: a quarterly data set can hold monthly and quarterly indicators, not yearly ones.
    A ratio is computed, never reported."""
    kind = PeriodType(period_type)
    problems = []
    for indicator in indicators:
        if indicator.is_ratio:
            problems.append(
                _("%(code)s is computed from two indicators; list its numerator and denominator instead.")
                % {"code": indicator.code}
            )
        elif PeriodType(indicator.period_type).months > kind.months:
            problems.append(
                _("%(code)s is reported %(its)s, less often than the data set (%(set)s).")
                % {
                    "code": indicator.code,
                    "its": indicator.get_period_type_display().lower(),
                    "set": str(DataSetPeriodType(period_type).label).lower(),
                }
            )
    return problems


# ---- who is expected ----------------------------------------------------------------------------


def expected_units(*, data_set: DataSet, periods: Sequence[Period]) -> dict[Period, list[OrgUnit]]:
    """For each period the data set asks for, the units expected to report it: those of its kind
    (or its group's members) in force on the period's last day, in tree order; one query."""
    asked = [p for p in periods if data_set.asks_for(p)]
    if not asked:
        return {}
    qs = OrgUnit.objects.only(*UNIT_FIELDS).valid_between(
        min(p.end_date for p in asked), max(p.end_date for p in asked)
    )
    if data_set.org_unit_kind:
        qs = qs.filter(kind=data_set.org_unit_kind)
    if data_set.org_unit_group_id is not None:
        qs = qs.filter(groups=data_set.org_unit_group_id)
    units = sorted(qs, key=lambda u: (u.path, u.code))
    return {p: [u for u in units if u.is_valid_on(p.end_date)] for p in asked}


# ---- when a report arrived ----------------------------------------------------------------------


def report_submissions(
    *,
    indicators: Sequence[Indicator],
    periods: Sequence[Period],
    unit_ids: Collection[int] | None = None,
    data_set: DataSet | None = None,
) -> dict[tuple[int, str], dt.datetime]:
    """When each unit's report of ``periods`` was submitted: {(unit id, period code): time}. The
    one place that says what a submission is.

    A report entered in the data-entry form (a ``DataSetReport`` of ``data_set``) was submitted
    when the reporter last submitted it, and counts while it is submitted or approved (a draft or
    a returned report is not submitted, whatever its figures); one query. A report without one
    (figures imported, sent through the API) follows the figures (``_submissions_by_figures``).
    """
    found = _submissions_by_figures(indicators=indicators, periods=periods, unit_ids=unit_ids)
    if data_set is None or not periods:
        return found
    explicit = DataSetReport.objects.filter(data_set=data_set, period__in=sorted({p.code for p in periods}))
    if unit_ids is not None:
        explicit = explicit.filter(org_unit_id__in=list(unit_ids))
    for unit_id, code, status, at in explicit.values_list("org_unit_id", "period", "status", "submitted_at"):
        if status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED) and at is not None:
            found[(unit_id, code)] = at
        else:
            found.pop((unit_id, code), None)
    return found


def _submissions_by_figures(
    *, indicators: Sequence[Indicator], periods: Sequence[Period], unit_ids: Collection[int] | None = None
) -> dict[tuple[int, str], dt.datetime]:
    """When each unit's report of ``periods`` was submitted, read from its figures, for the units
    whose report is whole.

    A report is whole when every indicator has a figure that is not a draft for each of its own
    periods within the report's period (a quarterly report of a monthly indicator: its three
    months). It was submitted when its last figure was: a figure's time is when it arrived
    (``created_at``), or, for one first saved as a draft, when it last left the draft status
    (its history). A later correction does not move the time: a report corrected after the due
    date was still on time. Two queries.
    """
    if not indicators or not periods:
        return {}
    # (indicator id, the figure's own period code) → the report periods it belongs to.
    needed: dict[tuple[int, str], list[str]] = defaultdict(list)
    size: dict[str, int] = defaultdict(int)
    for period in periods:
        for indicator in indicators:
            for sub in period.sub_periods(PeriodType(indicator.period_type)):
                needed[(indicator.pk, sub.code)].append(period.code)
                size[period.code] += 1
    indicator_ids = sorted({i.pk for i in indicators})
    codes = sorted({code for _i, code in needed})
    figures = DataValue.objects.filter(indicator_id__in=indicator_ids, period__in=codes).exclude(
        status=DataValueStatus.DRAFT
    )
    released = DataValueChange.objects.filter(
        indicator_id__in=indicator_ids, period__in=codes, old_status=DataValueStatus.DRAFT
    ).exclude(new_status__in=[DataValueStatus.DRAFT, ""])
    if unit_ids is not None:
        figures = figures.filter(org_unit_id__in=list(unit_ids))
        released = released.filter(org_unit_id__in=list(unit_ids))
    left_draft: dict[tuple[int, int, str], dt.datetime] = {}
    for indicator_id, unit_id, code, at in released.values_list("indicator_id", "org_unit_id", "period", "changed_at"):
        figure = (indicator_id, unit_id, code)
        if figure not in left_draft or at > left_draft[figure]:
            left_draft[figure] = at
    count: dict[tuple[int, str], int] = defaultdict(int)
    latest: dict[tuple[int, str], dt.datetime] = {}
    for indicator_id, unit_id, code, created in figures.values_list(
        "indicator_id", "org_unit_id", "period", "created_at"
    ):
        at = left_draft.get((indicator_id, unit_id, code), created)
        for report in needed.get((indicator_id, code), ()):
            key = (unit_id, report)
            count[key] += 1
            if key not in latest or at > latest[key]:
                latest[key] = at
    return {key: at for key, at in latest.items() if count[key] == size[key[1]]}


# ---- obligations --------------------------------------------------------------------------------


def local_day(moment: dt.datetime) -> dt.date:
    """The day a moment falls on in the product's time zone (Asia/Ho_Chi_Minh)."""
    return timezone.localtime(moment).date()


def state_of(*, due_date: dt.date, submitted_on: dt.date | None, on: dt.date) -> ObligationState:
    """An obligation's state on ``on``: a report received by then is on time when it came on or
    before the due date; without one it is missing once the due date has passed, not yet due before."""
    if submitted_on is not None and submitted_on <= on:
        return ObligationState.ON_TIME if submitted_on <= due_date else ObligationState.LATE
    return ObligationState.MISSING if on > due_date else ObligationState.NOT_DUE


@dataclass(frozen=True)
class Obligation:
    """One unit's report of one data set for one period, as it stands on ``on``."""

    data_set: DataSet
    org_unit: OrgUnit
    period: Period
    due_date: dt.date
    submitted_at: dt.datetime | None
    state: ObligationState

    @property
    def submitted_on(self) -> dt.date | None:
        return local_day(self.submitted_at) if self.submitted_at is not None else None

    @property
    def days_late(self) -> int:
        """Days past the due date of a report received late (0 otherwise)."""
        if self.state == ObligationState.LATE and self.submitted_on is not None:
            return (self.submitted_on - self.due_date).days
        return 0


def obligations(
    *, data_set: DataSet, periods: Sequence[Period], on: dt.date, unit_ids: Collection[int] | None = None
) -> list[Obligation]:
    """Every obligation of ``data_set`` for ``periods`` (only of ``unit_ids`` when given) as it
    stands on ``on``, by period then tree order; three queries whatever the number of units.
    A report received after ``on`` does not count yet (a question about an earlier day)."""
    expected = expected_units(data_set=data_set, periods=periods)
    if unit_ids is not None:
        wanted = set(unit_ids)
        expected = {p: [u for u in units if u.pk in wanted] for p, units in expected.items()}
    asked = [p for p, units in expected.items() if units]
    if not asked:
        return []
    indicators = list(data_set.indicators.all())
    submitted = report_submissions(
        data_set=data_set,
        indicators=indicators,
        periods=asked,
        unit_ids=sorted({u.pk for p in asked for u in expected[p]}) if unit_ids is not None else None,
    )
    out: list[Obligation] = []
    for period in sorted(asked):
        due = data_set.due_date(period)
        for unit in expected[period]:
            at = submitted.get((unit.pk, period.code))
            day = local_day(at) if at is not None else None
            state = state_of(due_date=due, submitted_on=day, on=on)
            out.append(Obligation(data_set, unit, period, due, at if day is not None and day <= on else None, state))
    return out


@dataclass(frozen=True)
class DataSetCalendar:
    """A data set's obligations for one period: the due date, the units by state, the counts."""

    data_set: DataSet
    period: Period
    due_date: dt.date
    obligations: list[Obligation]

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ObligationState.values, 0)
        for item in self.obligations:
            counts[item.state] += 1
        return counts

    @property
    def expected(self) -> int:
        return len(self.obligations)


def calendar_for(*, period: Period, on: dt.date, user: Any = None) -> list[DataSetCalendar]:
    """For every data set that asks for a period of ``period``'s type ending within it (a month
    shows the monthly reports of that month, a quarter its quarterly ones and the monthly ones of
    its months …), its obligations on ``on``; three queries a data set. With ``user``, only the
    units they read (``obligations_readable``); None: every unit (a command, the reminders)."""
    out: list[DataSetCalendar] = []
    for data_set in data_sets():
        kind = PeriodType(data_set.period_type)
        if kind.months > period.type.months:
            continue
        subs = [p for p in period.sub_periods(kind) if data_set.asks_for(p)]
        by_period: dict[Period, list[Obligation]] = defaultdict(list)
        found = obligations(data_set=data_set, periods=subs, on=on)
        for item in found if user is None else obligations_readable(found, user=user):
            by_period[item.period].append(item)
        out.extend(DataSetCalendar(data_set, p, data_set.due_date(p), by_period[p]) for p in subs if by_period[p])
    return out


def obligations_readable(items: Iterable[Obligation], *, user: Any) -> list[Obligation]:
    """Of ``items``, those of units ``user`` reads in full: leaders and operators every unit, a
    viewer, reporter or approver their subtrees, anyone else none (a unit's reports are internal)."""
    scope = scope_of(user)
    return [item for item in items if scope.may_read_unit(item.org_unit)]


def unit_obligations(*, unit: OrgUnit, first: dt.date, last: dt.date, on: dt.date) -> list[Obligation]:
    """A unit's obligations whose due date falls in [first, last], by due date; its own view."""
    out: list[Obligation] = []
    for data_set in data_sets():
        periods = data_set.periods_due_between(first, last)
        if periods:
            out.extend(obligations(data_set=data_set, periods=periods, on=on, unit_ids=[unit.pk]))
    return sorted(out, key=lambda o: (o.due_date, o.data_set.sort_order, o.data_set.code, o.period))


def default_calendar_period(*, on: dt.date) -> Period:
    """The month a calendar opens on: that of the latest report due by ``on`` (the one to chase),
    else the month before ``on``'s."""
    ends = []
    for data_set in DataSet.objects.all():
        due = data_set.periods_due_between(on - dt.timedelta(days=400), on)
        if due:
            ends.append(due[-1].end_date)
    if ends:
        return Period.containing(max(ends), PeriodType.MONTHLY)
    this = Period.containing(on, PeriodType.MONTHLY)
    return Period.from_ordinal(PeriodType.MONTHLY, this.ordinal - 1)


# ---- data entry with approval --------------------------------------------------------------------


# Reports sent by import (no report entered in the form) are looked for in the periods that ended
# this many days before today.
IMPORTED_REPORTS_DAYS = 200


def reports_to_approve(*, user: Any, on: dt.date | None = None) -> list[DataSetReport]:
    """The submitted reports ``user`` approves (the units below their own), oldest submission first:
    those submitted in the form, then those whose figures were sent whole otherwise (a file, the
    API) with some still waiting for approval — the latter unsaved (``pk`` None), made a record
    when they are approved or returned (``workflow.report_of_figures``)."""
    scope = scope_of(user)
    if not scope.may_approve:
        return []
    qs = DataSetReport.objects.filter(status=ReportStatus.SUBMITTED).select_related(
        "data_set", "org_unit", "submitted_by"
    )
    found = list(scope.approvable_units(qs, through="org_unit"))
    found.extend(_reports_sent_by_figures(scope=scope, on=on or timezone.localdate()))
    # Those entered in the form first (a reporter pressed "submit"), then those sent as figures.
    return sorted(found, key=lambda r: (r.pk is None, r.submitted_at or timezone.now(), r.pk or 0))


def _reports_sent_by_figures(*, scope: Any, on: dt.date) -> list[DataSetReport]:
    """The whole reports, of the data sets asking for approval, of units ``scope`` approves, with
    no report entered in the form and a figure still submitted (not yet approved)."""
    out: list[DataSetReport] = []
    for data_set in data_sets().filter(approval=True):
        periods = data_set.periods_ending_between(on - dt.timedelta(days=IMPORTED_REPORTS_DAYS), on)
        if not periods:
            continue
        units = OrgUnit.objects.all()
        if data_set.org_unit_kind:
            units = units.filter(kind=data_set.org_unit_kind)
        unit_ids = list(scope.approvable_units(units).values_list("pk", flat=True))
        if not unit_ids:
            continue
        sent = [
            item
            for item in obligations(data_set=data_set, periods=periods, on=on, unit_ids=unit_ids)
            if item.submitted_at is not None
        ]
        if not sent:
            continue
        entered = set(
            DataSetReport.objects.filter(data_set=data_set, period__in=[p.code for p in periods]).values_list(
                "org_unit_id", "period"
            )
        )
        indicators = list(data_set.indicators.all())
        # A report of whom a figure still waits: its figures are not all approved already.
        report_of_code = {
            (indicator.pk, sub.code): period.code
            for period in periods
            for indicator in indicators
            for sub in period.sub_periods(PeriodType(indicator.period_type))
        }
        waiting = {
            (unit_id, report_of_code[(indicator_id, code)])
            for indicator_id, unit_id, code in DataValue.objects.filter(
                indicator__in=indicators,
                org_unit_id__in=[item.org_unit.pk for item in sent],
                period__in=sorted({code for _i, code in report_of_code}),
                status=DataValueStatus.SUBMITTED,
            ).values_list("indicator_id", "org_unit_id", "period")
        }
        for item in sent:
            key = (item.org_unit.pk, item.period.code)
            if key in entered or key not in waiting:
                continue
            out.append(
                DataSetReport(
                    data_set=data_set,
                    org_unit=item.org_unit,
                    period=item.period.code,
                    status=ReportStatus.SUBMITTED,
                    submitted_at=item.submitted_at,
                )
            )
    return out


def reports_approved(*, user: Any, limit: int = 100) -> list[DataSetReport]:
    """The approved reports ``user`` may see on the approvals page, latest first: those they
    approve, or every one for an operator (who reopens them)."""
    scope = scope_of(user)
    qs = DataSetReport.objects.filter(status=ReportStatus.APPROVED).select_related("data_set", "org_unit", "decided_by")
    if not scope.may_reopen:
        if not scope.may_approve:
            return []
        qs = scope.approvable_units(qs, through="org_unit")
    return list(qs.order_by("-decided_at", "-id")[:limit])


def report_of(*, data_set: DataSet, org_unit: OrgUnit, period: Period) -> DataSetReport | None:
    """The report of a unit for a period, if one was entered."""
    return (
        DataSetReport.objects.filter(data_set=data_set, org_unit=org_unit, period=period.code)
        .select_related("submitted_by", "decided_by")
        .first()
    )


def report_steps(*, report: DataSetReport) -> list[ReportStep]:
    return list(report.steps.select_related("user").order_by("at", "id"))

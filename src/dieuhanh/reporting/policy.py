"""The two rules the reporting app lays on every write of figures, registered into the figures
service when the app starts (``ReportingConfig.ready``): the figures layer knows no data set.

- **Approved figures are locked** (``approved_figures_guard``): a write that would create, change
  or delete a figure of an approved report (``DataSetReport``) is refused, whatever wrote it (an
  import, the API, the entry form, the admin), naming the report and who may reopen it.
- **The status of a figure written with none** (``statuses_by_data_sets``): submitted where a data
  set that asks for approval covers the figure's indicator at its unit (the level above approves
  it), approved where none does (no workflow applies to it; as DHIS2 counts data outside an
  approval workflow as approved).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.figures.services import FigureKey, FigureLockedError, FigurePair
from dieuhanh.indicators.periods import Period, PeriodType
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.reporting.choices import ReportStatus
from dieuhanh.reporting.models import DataSet, DataSetReport

# Units asked about at once (an import may name thousands).
CHUNK = 500


def report_figure_keys(report: DataSetReport) -> set[FigureKey]:
    """Every figure a report holds: each indicator of its data set at each of the indicator's own
    periods within the report's period (a quarterly report of a monthly indicator: three months)."""
    period = Period.parse(report.period)
    return {
        (indicator.pk, report.org_unit_id, sub.code)
        for indicator in report.data_set.indicators.all()
        for sub in period.sub_periods(PeriodType(indicator.period_type))
    }


def locked_message(report: DataSetReport) -> str:
    """Why a figure of ``report`` cannot be written, and who can change that."""
    who = report.decided_by.get_username() if report.decided_by is not None else "?"
    when = date_format(localtime(report.decided_at), "SHORT_DATE_FORMAT") if report.decided_at else "?"
    return _(
        "The report “%(data_set)s” of %(unit)s for %(period)s was approved by %(user)s on %(date)s: its "
        "figures are locked. An operator or an administrator can reopen it, with a reason, on the "
        "Approvals page; then correct the figures."
    ) % {
        "data_set": report.data_set.name,
        "unit": report.org_unit.label(),
        "period": Period.parse(report.period).label(),
        "user": who,
        "date": when,
    }


def approved_figures_guard(keys: Callable[[], Iterable[FigureKey]]) -> None:
    """Refuse (FigureLockedError) a write touching a figure of an approved report. One query when
    no report is approved; otherwise the approved reports of the units written, by chunks."""
    if not DataSetReport.objects.filter(status=ReportStatus.APPROVED).exists():
        return
    wanted = set(keys())
    units = sorted({unit for _i, unit, _p in wanted})
    for first in range(0, len(units), CHUNK):
        reports = (
            DataSetReport.objects.filter(status=ReportStatus.APPROVED, org_unit_id__in=units[first : first + CHUNK])
            .select_related("data_set", "org_unit", "decided_by")
            .prefetch_related("data_set__indicators")
        )
        for report in reports:
            if report_figure_keys(report) & wanted:
                raise FigureLockedError(locked_message(report))


def statuses_by_data_sets(pairs: set[FigurePair]) -> dict[FigurePair, str]:
    """For each (indicator, unit): submitted if a data set asking for approval covers it (its
    indicator is in the data set, its unit of the data set's kind or group), else approved."""
    decided: dict[FigurePair, str] = dict.fromkeys(pairs, DataValueStatus.APPROVED)
    by_indicator: dict[int, list[DataSet]] = defaultdict(list)
    for data_set in DataSet.objects.filter(approval=True).prefetch_related("indicators"):
        for indicator in data_set.indicators.all():
            by_indicator[indicator.pk].append(data_set)
    candidates = [pair for pair in pairs if pair[0] in by_indicator]
    if not candidates:
        return decided
    unit_ids = sorted({unit for _i, unit in candidates})
    kinds: dict[int, str] = {}
    groups: dict[int, set[int]] = defaultdict(set)
    for first in range(0, len(unit_ids), CHUNK):
        chunk = unit_ids[first : first + CHUNK]
        kinds.update(OrgUnit.objects.filter(pk__in=chunk).values_list("pk", "kind"))
        for unit_id, group_id in OrgUnit.groups.through.objects.filter(orgunit_id__in=chunk).values_list(
            "orgunit_id", "orgunitgroup_id"
        ):
            groups[unit_id].add(group_id)
    for indicator_id, unit_id in candidates:
        for data_set in by_indicator[indicator_id]:
            if data_set.org_unit_kind and kinds.get(unit_id) != data_set.org_unit_kind:
                continue
            if data_set.org_unit_group_id is not None and data_set.org_unit_group_id not in groups[unit_id]:
                continue
            decided[(indicator_id, unit_id)] = DataValueStatus.SUBMITTED
            break
    return decided

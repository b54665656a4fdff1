"""Data entry with approval (*nhập liệu, gửi báo cáo, phê duyệt*): the writes of a unit's report.

A reporter fills the form of a data set for their unit and a period, saves it as a draft
(``report_save``), and submits it (``report_submit``); the level above approves it
(``report_approve``) or returns it with a comment (``report_return``); an operator reopens an
approved report with a reason (``report_reopen``). Each step is a ``ReportStep``; every figure is
written through the figures service, so each change is also a line of ``DataValueChange``, and
analytics hears of it (``figures_changed``). The rules are in docs/calendar.md ("Data entry and
approval").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.selectors import acting_user, scope_of
from dieuhanh.figures.choices import DataValueStatus, ImportFormat
from dieuhanh.figures.models import DataValue, ImportBatch
from dieuhanh.figures.services import FigureLockedError, figure_delete, figures_status_set, figures_write
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period, PeriodType
from dieuhanh.ingest.parsers import RawRow
from dieuhanh.ingest.validation import check_rows
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.reporting.choices import ReportAction, ReportStatus
from dieuhanh.reporting.models import DataSet, DataSetReport, ReportStep
from dieuhanh.reporting.policy import locked_message, report_figure_keys
from dieuhanh.reporting.selectors import report_submissions

MAX_COMMENT = 2000


class ReportError(Exception):
    """A step refused: ``problems`` maps a field of the form to what to fix there ("" for the
    report as a whole), in the user's language."""

    def __init__(self, problems: Mapping[str, str] | str) -> None:
        self.problems = dict(problems) if not isinstance(problems, str) else {"": problems}
        super().__init__("; ".join(self.problems.values()))


class ReportForbiddenError(ReportError):
    """The user may not take this step on this report (outside their scope, or not their role)."""


# ---- the form's fields ---------------------------------------------------------------------------


@dataclass
class EntryField:
    """One figure of the form: an indicator at one of its periods within the report's period."""

    name: str
    indicator: Indicator
    period: Period
    stored: DataValue | None = None
    text: str = ""
    error: str = ""


@dataclass
class EntryRow:
    """An indicator of the data set, with one field per period of its own within the report's."""

    indicator: Indicator
    fields: list[EntryField] = field(default_factory=list)


def field_name(indicator: Indicator, period: Period) -> str:
    return f"v-{indicator.code}-{period.code}"


def input_text(value: Any) -> str:
    """A stored figure as a person types it back: no grouping (so that "2500" is not written
    "2.500", which reads two ways), a decimal comma."""
    if value is None:
        return ""
    return format(value.normalize(), "f").replace(".", ",")


def entry_rows(*, data_set: DataSet, org_unit: OrgUnit, period: Period) -> list[EntryRow]:
    """The form of ``data_set`` for ``org_unit`` and ``period``, with the figures stored; two queries."""
    indicators = list(data_set.indicators.select_related("responsible_agency").order_by("sort_order", "code"))
    rows = [
        EntryRow(
            indicator,
            [
                EntryField(field_name(indicator, sub), indicator, sub)
                for sub in period.sub_periods(PeriodType(indicator.period_type))
            ],
        )
        for indicator in indicators
    ]
    codes = sorted({f.period.code for row in rows for f in row.fields})
    stored = {
        (v.indicator_id, v.period): v
        for v in DataValue.objects.filter(indicator__in=indicators, org_unit=org_unit, period__in=codes).select_related(
            "updated_by"
        )
    }
    for row in rows:
        for entry in row.fields:
            entry.stored = stored.get((row.indicator.pk, entry.period.code))
            entry.text = input_text(entry.stored.value if entry.stored is not None else None)
    return rows


def covers_unit(data_set: DataSet, org_unit: OrgUnit, period: Period) -> bool:
    """Whether ``org_unit`` owes ``data_set``'s report of ``period`` (its kind or group, in force
    on the period's last day, the data set asking for the period)."""
    if not data_set.asks_for(period) or not org_unit.is_valid_on(period.end_date):
        return False
    if data_set.org_unit_kind and org_unit.kind != data_set.org_unit_kind:
        return False
    return data_set.org_unit_group_id is None or org_unit.groups.filter(pk=data_set.org_unit_group_id).exists()


# ---- the steps -----------------------------------------------------------------------------------


def _report_for_update(*, data_set: DataSet, org_unit: OrgUnit, period: Period) -> DataSetReport:
    report, _created = DataSetReport.objects.get_or_create(data_set=data_set, org_unit=org_unit, period=period.code)
    # Locked for the step: two steps of one report never interleave.
    # Only the report's row: its users are the nullable side of an outer join, which PostgreSQL
    # does not lock.
    return (
        DataSetReport.objects.select_for_update(of=("self",))
        .select_related("data_set", "org_unit", "decided_by")
        .get(pk=report.pk)
    )


def _step(report: DataSetReport, *, action: str, before: str, user: Any, comment: str = "") -> None:
    ReportStep.objects.create(
        report=report, action=action, status_before=before, status_after=report.status, user=user, comment=comment
    )


def report_save(
    *, data_set: DataSet, org_unit: OrgUnit, period: Period, values: Mapping[str, str], user: Any, submit: bool
) -> DataSetReport:
    """Save the form's ``values`` (field name → text as typed) as a draft, or submit the report
    (``submit``): every field filled, each figure by the indicator's rules. All or nothing; on a
    problem, ReportError naming each field and what to fix, and nothing is written.

    Saving a draft writes the figures typed as drafts (an emptied field deletes its figure); the
    report and all its figures are then drafts, not counted until submitted. Submitting writes
    them, and every figure of the report, as submitted.
    """
    user = acting_user(user)
    scope = scope_of(user)
    if not scope.may_write_unit(org_unit, period):
        raise ReportForbiddenError(
            _("The reports of %(unit)s are outside the units your account reports for.") % {"unit": org_unit.label()}
        )
    if not covers_unit(data_set, org_unit, period):
        raise ReportError(
            _("%(unit)s does not report “%(data_set)s” for %(period)s.")
            % {"unit": org_unit.label(), "data_set": data_set.name, "period": period.label()}
        )
    rows = entry_rows(data_set=data_set, org_unit=org_unit, period=period)
    fields = [entry for row in rows for entry in row.fields]
    problems: dict[str, str] = {}
    raw: list[RawRow] = []
    by_line: dict[int, EntryField] = {}
    emptied: list[EntryField] = []
    for line, entry in enumerate(fields, start=1):
        text = str(values.get(entry.name, "")).strip()
        if not text:
            if submit:
                problems[entry.name] = _(
                    "%(indicator)s, %(period)s: enter the figure (every figure is needed to submit)."
                ) % {"indicator": entry.indicator.name, "period": entry.period.label()}
            elif entry.stored is not None:
                emptied.append(entry)
            continue
        by_line[line] = entry
        raw.append(
            RawRow(
                line=line,
                indicator=entry.indicator.code,
                org_unit=org_unit.code,
                period=entry.period.code,
                value=text,
            )
        )
    checked, issues = check_rows(raw) if raw else ([], [])
    for issue in issues:
        entry = by_line[issue.line or 0]
        problems.setdefault(entry.name, f"{entry.indicator.name}, {entry.period.label()}: {issue.message}")
    wrong_unit = [row for row in checked if row.org_unit_id != org_unit.pk]
    if wrong_unit:
        # The code names another unit in one of the periods (a code reused after a re-organisation).
        problems[""] = _("%(unit)s did not exist in all of %(period)s; its report cannot be entered here.") % {
            "unit": org_unit.label(),
            "period": period.label(),
        }
    if problems:
        raise ReportError(problems)
    status = DataValueStatus.SUBMITTED if submit else DataValueStatus.DRAFT
    with transaction.atomic():
        report = _report_for_update(data_set=data_set, org_unit=org_unit, period=period)
        if report.status == ReportStatus.APPROVED:
            raise ReportError(locked_message(report))
        before = report.status
        try:
            if checked:
                batch = ImportBatch(
                    source_name=f"{data_set.code} {org_unit.code} {period.code}"[:255],
                    file_format=ImportFormat.FORM,
                    channel="web",
                    created_by=user,
                )
                figures_write(checked, batch=batch, user=user, status=status)
            for entry in emptied:
                if entry.stored is not None:
                    figure_delete(data_value=entry.stored, user=user)
            # Figures typed unchanged keep their status otherwise: the whole report moves together.
            figures_status_set(keys=report_figure_keys(report), status=status, user=user)
        except FigureLockedError as exc:
            raise ReportError(str(exc)) from exc
        now = timezone.now()
        if submit:
            report.status, report.submitted_at, report.submitted_by = ReportStatus.SUBMITTED, now, user
        elif report.status != ReportStatus.RETURNED:
            # A returned report stays returned (with its comment) until it is submitted again.
            report.status = ReportStatus.DRAFT
        report.save()
        _step(report, action=ReportAction.SUBMIT if submit else ReportAction.SAVE, before=before, user=user)
    return report


def report_from_figures(*, data_set: DataSet, org_unit: OrgUnit, period: Period, user: Any) -> DataSetReport:
    """The record of a report whose figures were sent whole without the form (a file, the API),
    made when the level above first approves or returns it: submitted when its figures were (the
    calendar's rule), its first step a submission by nobody in particular. An existing record is
    returned as it is."""
    user = acting_user(user)
    if not scope_of(user).may_approve_unit(org_unit):
        raise ReportForbiddenError(_approve_refusal_of(org_unit))
    existing = DataSetReport.objects.filter(data_set=data_set, org_unit=org_unit, period=period.code).first()
    if existing is not None:
        return existing
    sent = report_submissions(indicators=list(data_set.indicators.all()), periods=[period], unit_ids=[org_unit.pk])
    at = sent.get((org_unit.pk, period.code))
    if at is None:
        raise ReportError(_("This report's figures are not all there yet; it cannot be approved or returned."))
    with transaction.atomic():
        report = DataSetReport.objects.create(
            data_set=data_set, org_unit=org_unit, period=period.code, status=ReportStatus.SUBMITTED, submitted_at=at
        )
        ReportStep.objects.create(
            report=report,
            action=ReportAction.SUBMIT,
            status_before="",
            status_after=ReportStatus.SUBMITTED,
            comment=_("Sent as figures (a file or the API), not in the form."),
        )
    return report


def report_approve(*, report: DataSetReport, user: Any, comment: str = "") -> DataSetReport:
    """Approve a submitted report: its figures become approved (and locked), audited and announced.
    Only by the level above (``Scope.may_approve_unit``)."""
    user = acting_user(user)
    if not scope_of(user).may_approve_unit(report.org_unit):
        raise ReportForbiddenError(_approve_refusal(report))
    with transaction.atomic():
        report = _report_for_update(data_set=report.data_set, org_unit=report.org_unit, period=report.period_obj)
        if report.status != ReportStatus.SUBMITTED:
            raise ReportError(_("Only a submitted report can be approved; this one is %(status)s.") % _status(report))
        # The report is not approved yet: its figures may still be written.
        figures_status_set(keys=report_figure_keys(report), status=DataValueStatus.APPROVED, user=user)
        before = report.status
        report.status, report.decided_at, report.decided_by = ReportStatus.APPROVED, timezone.now(), user
        report.comment = comment.strip()[:MAX_COMMENT]
        report.save()
        _step(report, action=ReportAction.APPROVE, before=before, user=user, comment=report.comment)
    return report


def report_return(*, report: DataSetReport, user: Any, comment: str) -> DataSetReport:
    """Send a submitted report back to its unit with a comment (required) saying what to correct;
    its figures are drafts again. Only by the level above."""
    user = acting_user(user)
    if not scope_of(user).may_approve_unit(report.org_unit):
        raise ReportForbiddenError(_approve_refusal(report))
    comment = comment.strip()
    if not comment:
        raise ReportError({"comment": _("Say what the unit should correct: a returned report needs a comment.")})
    with transaction.atomic():
        report = _report_for_update(data_set=report.data_set, org_unit=report.org_unit, period=report.period_obj)
        if report.status != ReportStatus.SUBMITTED:
            raise ReportError(_("Only a submitted report can be returned; this one is %(status)s.") % _status(report))
        figures_status_set(keys=report_figure_keys(report), status=DataValueStatus.DRAFT, user=user)
        before = report.status
        report.status, report.decided_at, report.decided_by = ReportStatus.RETURNED, timezone.now(), user
        report.comment = comment[:MAX_COMMENT]
        report.save()
        _step(report, action=ReportAction.RETURN, before=before, user=user, comment=report.comment)
    return report


def report_reopen(*, report: DataSetReport, user: Any, reason: str) -> DataSetReport:
    """Reopen an approved report with a reason (required): it is submitted again, its figures too,
    and unlocked; the level above approves it again after the correction. Operators and
    administrators only."""
    user = acting_user(user)
    if not scope_of(user).may_reopen:
        raise ReportForbiddenError(_("Only an operator or an administrator can reopen an approved report."))
    reason = reason.strip()
    if not reason:
        raise ReportError({"reason": _("Say why the report is reopened: a reopening needs a reason.")})
    with transaction.atomic():
        report = _report_for_update(data_set=report.data_set, org_unit=report.org_unit, period=report.period_obj)
        if report.status != ReportStatus.APPROVED:
            raise ReportError(_("Only an approved report can be reopened; this one is %(status)s.") % _status(report))
        before = report.status
        # Unlocked first, so that its figures may be written.
        report.status, report.comment = ReportStatus.SUBMITTED, reason[:MAX_COMMENT]
        report.save()
        figures_status_set(keys=report_figure_keys(report), status=DataValueStatus.SUBMITTED, user=user)
        _step(report, action=ReportAction.REOPEN, before=before, user=user, comment=report.comment)
    return report


def _status(report: DataSetReport) -> dict[str, str]:
    return {"status": str(ReportStatus(report.status).label).lower()}


def _approve_refusal(report: DataSetReport) -> str:
    return _approve_refusal_of(report.org_unit)


def _approve_refusal_of(org_unit: OrgUnit) -> str:
    return _(
        "You may not approve the reports of %(unit)s: the level above approves a unit's report, an approver "
        "the units below their own."
    ) % {"unit": org_unit.label()}

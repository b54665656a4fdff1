"""Judge parsed rows against the catalogue; collect every problem, not just the first."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period, PeriodError, parse_period_for
from dieuhanh.ingest.parsers import Issue, RawRow
from dieuhanh.orgunits.models import OrgUnit

STORED_PLACES = Decimal("0.000001")
MAX_ABS_VALUE = Decimal("1e18")
MAX_COMMENT = 500
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class CheckedRow:
    """A row that passed every check, ready to store."""

    line: int
    indicator_id: int
    org_unit_id: int
    period: Period
    value: Decimal
    comment: str


class NotANumberError(ValueError):
    pass


def parse_number(raw: Any) -> Decimal:
    """A figure from a cell: a number, or text with at most one decimal mark (point or comma).

    Thousands separators are refused ("1.234.567", "1,234.5"): with them a figure
    can be read two ways, and guessing wrong would store it 1000× off.
    """
    if isinstance(raw, bool):
        raise NotANumberError(str(raw))
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise NotANumberError(str(raw))
        return Decimal(repr(raw))
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise NotANumberError(str(raw))
        return raw
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "")
    if not _PLAIN_NUMBER.match(text):
        raise NotANumberError(text)
    if "," in text:
        text = text.replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already ruled these out
        raise NotANumberError(text) from exc


def _looks_grouped(text: str) -> bool:
    return bool(re.match(r"^[+-]?\d{1,3}([.,]\d{3})+([.,]\d+)?$", text.strip()))


def check_rows(rows: list[RawRow]) -> tuple[list[CheckedRow], list[Issue]]:
    """Check every row; return the good ones and every issue found (in file order)."""
    indicator_codes = {r.indicator for r in rows if r.indicator}
    unit_codes = {r.org_unit for r in rows if r.org_unit}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=indicator_codes)}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=unit_codes)}

    checked: list[CheckedRow] = []
    issues: list[Issue] = []
    first_line: dict[tuple[int, int, str], int] = {}

    for row in rows:

        def issue(field: str, message: str, value: Any, row: RawRow = row) -> None:
            issues.append(
                Issue(
                    message=message,
                    line=row.line,
                    column=row.columns.get(field, field),
                    value=_show(value),
                    sheet=row.sheet,
                )
            )

        row_issues_before = len(issues)
        indicator = indicators.get(row.indicator)
        if not row.indicator:
            issue("indicator", _("The indicator code is empty."), "")
        elif indicator is None:
            issue(
                "indicator",
                _("Unknown indicator '%(code)s'; check the code against the catalogue.") % {"code": row.indicator},
                row.indicator,
            )
        elif indicator.is_ratio:
            issue(
                "indicator",
                _("Indicator '%(code)s' is computed from %(num)s and %(den)s; import those instead.")
                % {
                    "code": indicator.code,
                    "num": indicator.numerator.code if indicator.numerator else "?",
                    "den": indicator.denominator.code if indicator.denominator else "?",
                },
                row.indicator,
            )
            indicator = None

        unit = units.get(row.org_unit)
        if not row.org_unit:
            issue("org_unit", _("The org unit code is empty."), "")
        elif unit is None:
            issue(
                "org_unit",
                _("Unknown org unit '%(code)s'; check the code against the catalogue.") % {"code": row.org_unit},
                row.org_unit,
            )

        period: Period | None = None
        if not row.period:
            issue("period", _("The period is empty."), "")
        else:
            try:
                period = parse_period_for(row.period, indicator.period_type) if indicator else Period.parse(row.period)
            except PeriodError as exc:
                issue("period", str(exc), row.period)

        value: Decimal | None = None
        if row.value is None or (isinstance(row.value, str) and not row.value.strip()):
            issue("value", _("The value is empty; leave the row out if there is no figure."), "")
        else:
            try:
                value = parse_number(row.value)
            except NotANumberError:
                if isinstance(row.value, str) and _looks_grouped(row.value):
                    message = _("'%(value)s' has thousands separators; write the number without them, e.g. 1234567.8.")
                else:
                    message = _("'%(value)s' is not a number.")
                issue("value", message % {"value": row.value}, row.value)
        if value is not None:
            value = value.quantize(STORED_PLACES, rounding=ROUND_HALF_UP) if abs(value) < MAX_ABS_VALUE else value
            if abs(value) >= MAX_ABS_VALUE:
                issue(
                    "value", _("'%(value)s' is too large to be a plausible figure.") % {"value": row.value}, row.value
                )
                value = None
        if value is not None and indicator is not None:
            if indicator.min_value is not None and value < indicator.min_value:
                issue(
                    "value",
                    _("%(value)s is below the minimum %(min)s allowed for '%(code)s'.")
                    % {
                        "value": _show(value),
                        "min": number_format(indicator.min_value.normalize()),
                        "code": indicator.code,
                    },
                    value,
                )
            if indicator.max_value is not None and value > indicator.max_value:
                issue(
                    "value",
                    _("%(value)s is above the maximum %(max)s allowed for '%(code)s'.")
                    % {
                        "value": _show(value),
                        "max": number_format(indicator.max_value.normalize()),
                        "code": indicator.code,
                    },
                    value,
                )

        if len(row.comment) > MAX_COMMENT:
            issue(
                "comment",
                _("The comment is longer than %(n)d characters.") % {"n": MAX_COMMENT},
                row.comment[:40] + "…",
            )

        if unit is not None and period is not None and not unit.is_valid_between(period.start_date, period.end_date):
            issue(
                "org_unit",
                _("Unit '%(code)s' did not exist in %(period)s (valid %(start)s – %(end)s).")
                % {
                    "code": unit.code,
                    "period": period.code,
                    "start": unit.valid_from.strftime("%d/%m/%Y") if unit.valid_from else "…",
                    "end": unit.valid_to.strftime("%d/%m/%Y") if unit.valid_to else "…",
                },
                row.org_unit,
            )

        if indicator is not None and unit is not None and period is not None:
            key = (indicator.pk, unit.pk, period.code)
            if key in first_line:
                issue(
                    "indicator",
                    _("Duplicate: %(indicator)s, %(unit)s, %(period)s was already given on line %(line)d.")
                    % {"indicator": indicator.code, "unit": unit.code, "period": period.code, "line": first_line[key]},
                    row.indicator,
                )
            else:
                first_line[key] = row.line

        if len(issues) == row_issues_before and indicator and unit and period and value is not None:
            checked.append(CheckedRow(row.line, indicator.pk, unit.pk, period, value, row.comment))
    return checked, issues


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        normal = value.normalize()
        return format(normal, "f")
    return "" if value is None else str(value)

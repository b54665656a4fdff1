"""Judge parsed rows against the catalogue; collect every problem, not just the first."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period, PeriodError, parse_period_for
from dieuhanh.ingest.parsers import Issue, RawRow
from dieuhanh.orgunits.models import OrgUnit

STORED_DECIMALS = 6
STORED_PLACES = Decimal(1).scaleb(-STORED_DECIMALS)
MAX_ABS_VALUE = Decimal("1e18")
MAX_COMMENT = 500

# How a person may write a number (CSV, a text cell of a sheet, a form), spaces removed. The same
# patterns are run by PostgreSQL in the bulk path (bulk.py), so both read a file the same way:
# ASCII digits only (Python's \d would take other scripts' digits, SQL's would not), and an
# exponent of at most four digits (a larger one overflows PostgreSQL's numeric).
#   plain: one decimal mark at most, a point or a comma ("1234.5", "1234,5", "12", "1e3");
PLAIN_NUMBER = r"^[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)([eE][+-]?[0-9]{1,4})?$"
#   ambiguous: one mark with exactly three digits after it, after one to three digits not
#   starting with 0 — "2.500" is 2500 grouped the Vietnamese way and 2.5 the English way;
AMBIGUOUS_NUMBER = r"^[+-]?[1-9][0-9]{0,2}[.,][0-9]{3}$"
#   grouped the Vietnamese way ("1.234.567", "1.234,5") or the English way ("1,234,567", "1,234.5").
VIETNAMESE_GROUPED = r"^[+-]?[1-9][0-9]{0,2}(\.[0-9]{3})+(,[0-9]+)?$"
ENGLISH_GROUPED = r"^[+-]?[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]+)?$"
# How a machine writes a number (DHIS2): a decimal point, no grouping.
MACHINE_NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,4})?$"

_PLAIN = re.compile(PLAIN_NUMBER)
_AMBIGUOUS = re.compile(AMBIGUOUS_NUMBER)
_VIETNAMESE = re.compile(VIETNAMESE_GROUPED)
_ENGLISH = re.compile(ENGLISH_GROUPED)
_MACHINE = re.compile(MACHINE_NUMBER)
# Excel keeps 15 significant digits and shows a number with them: 0.1 + 0.2 is 0.3 to the reporter.
EXCEL_DIGITS = 15


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


class AmbiguousNumberError(NotANumberError):
    """A number a Vietnamese and an English reader would read a thousand times apart."""


def number_text(raw: str) -> str:
    """A cell's text as the number rules see it: trimmed, spaces (a grouping too) removed."""
    return raw.strip().replace("\u00a0", "").replace(" ", "")


def parse_number(raw: Any, *, machine: bool = False) -> Decimal:
    """A figure from a cell: a number, or text as a person writes it (``machine``: as DHIS2 does).

    A person may use a decimal point or comma and group thousands the Vietnamese or the English
    way ("1.234.567,8", "1,234,567.8"), but a number that reads two ways ("2.500") is refused
    with AmbiguousNumberError, never guessed: guessing wrong stores it 1000× off.
    """
    if isinstance(raw, bool):
        raise NotANumberError(str(raw))
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return excel_number(raw)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise NotANumberError(str(raw))
        return raw
    text = number_text(str(raw))
    if machine:
        if not _MACHINE.match(text):
            raise NotANumberError(text)
        return Decimal(text)
    if _AMBIGUOUS.match(text):
        raise AmbiguousNumberError(text)
    if _PLAIN.match(text):
        return Decimal(text.replace(",", "."))
    if _VIETNAMESE.match(text):
        return Decimal(text.replace(".", "").replace(",", "."))
    if _ENGLISH.match(text):
        return Decimal(text.replace(",", ""))
    raise NotANumberError(text)


def excel_number(raw: float) -> Decimal:
    """A spreadsheet's number as the spreadsheet shows it (15 significant digits)."""
    if not math.isfinite(raw):
        raise NotANumberError(str(raw))
    return Decimal(format(raw, f".{EXCEL_DIGITS}g"))


def _ambiguity_message(text: str) -> str:
    sign = text[0] if text[0] in "+-" else ""
    whole, fraction = text[len(sign) :].replace(",", ".").split(".")
    mark = text[len(sign) + len(whole)]
    significant = fraction.rstrip("0")
    if not significant:
        as_decimal = sign + whole
    else:
        # A fourth digit makes the mark a decimal one: "1,234" → "1,2340".
        as_decimal = sign + whole + mark + (significant if len(significant) < 3 else significant + "0")
    return _(
        "'%(value)s' is ambiguous: the %(mark)s may group thousands or mark decimals. "
        "Write %(whole)s if you mean the whole number, or %(decimal)s if you mean a number with decimals."
    ) % {
        "value": text,
        "mark": _("point") if mark == "." else _("comma"),
        "whole": sign + whole + fraction,
        "decimal": as_decimal,
    }


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
                value = parse_number(row.value, machine=row.machine_number)
            except AmbiguousNumberError as exc:
                issue("value", _ambiguity_message(str(exc)), row.value)
            except NotANumberError:
                if row.machine_number:
                    message = _("'%(value)s' is not a number; DHIS2 writes numbers with a decimal point, e.g. 1234.5.")
                else:
                    message = _("'%(value)s' is not a number.")
                issue("value", message % {"value": row.value}, row.value)
        if value is not None and abs(value) >= MAX_ABS_VALUE:
            issue("value", _("'%(value)s' is too large to be a plausible figure.") % {"value": row.value}, row.value)
            value = None
        if value is not None:
            kept = value.quantize(STORED_PLACES)
            if kept != value:
                # Never rounded silently: the reporter decides what the figure is.
                issue(
                    "value",
                    _("'%(value)s' has more than %(n)d decimals; figures keep %(n)d. Round it to %(n)d decimals.")
                    % {"value": row.value, "n": STORED_DECIMALS},
                    row.value,
                )
                value = None
            else:
                value = kept
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

"""Judge parsed rows against the catalogue; collect every problem, not just the first."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period, PeriodError, parse_period_for
from dieuhanh.ingest.parsers import Issue, RawRow
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import unit_history, unit_in, units_by_code

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

# A number written with an exponent of five digits or more ("1e999999"): out of any figure's range.
# The SQL reads no number from it (its patterns stop at four digits), so the row is checked here.
HUGE_EXPONENT = r"^[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)[eE][+-]?[0-9]{5,}$"

_PLAIN = re.compile(PLAIN_NUMBER)
_HUGE_EXPONENT = re.compile(HUGE_EXPONENT)
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


class OutOfRangeError(NotANumberError):
    """A number too large or too small to be read at all (an exponent of five digits or more)."""


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
    if _HUGE_EXPONENT.match(text):
        raise OutOfRangeError(text)
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


@dataclass(slots=True)
class JudgedRow:
    """One row as judged so far: what its cells name, once read, and whether it was refused.

    A checker reads the row, and what the checkers before it read (``indicator`` is the indicator
    if it may be imported, ``value`` the figure once it is one), and refuses with a message.
    """

    row: RawRow
    issues: list[Issue]
    indicator: Indicator | None = None
    unit: OrgUnit | None = None
    period: Period | None = None
    value: Decimal | None = None
    refused: bool = False

    def refuse(self, field: str, message: str, value: Any) -> None:
        self.refused = True
        self.issues.append(
            Issue(
                message=message,
                line=self.row.line,
                column=self.row.columns.get(field, field),
                value=_show(value),
                sheet=self.row.sheet,
            )
        )


@dataclass(frozen=True, slots=True)
class FileContext:
    """What the rows of a file name in the catalogue, read once, and the keys given so far."""

    indicators: dict[str, Indicator]
    # Every unit carrying each code, earliest first: a code names a unit only with a date.
    units: dict[str, list[OrgUnit]]
    # (indicator, unit, period) → the line that first gave it.
    first_line: dict[tuple[int, int, Period], int]
    # A file repeats a few periods and units over thousands of rows: each period code is read
    # once per period type, and each code's unit in a period found once.
    periods: dict[tuple[str, str], Period] = field(default_factory=dict)
    unit_in: dict[tuple[str, Period], OrgUnit | None] = field(default_factory=dict)
    histories: dict[str, str] = field(default_factory=dict)


# Each checker below is one rule. bulk.py's _CHECK_SQL marks a row suspect by a clause that
# mirrors each (named in the checker's docstring, and the checker named beside the clause): the
# SQL may mark more rows than the rules refuse, never fewer.


def check_indicator(judged: JudgedRow, context: FileContext) -> None:
    """A known indicator that is stored, not computed.

    SQL: ``s.indicator = '' OR i.id IS NULL OR i.aggregation = 'ratio'``.
    """
    row = judged.row
    indicator = context.indicators.get(row.indicator)
    if not row.indicator:
        judged.refuse("indicator", _("The indicator code is empty."), "")
    elif indicator is None:
        judged.refuse(
            "indicator",
            _("Unknown indicator '%(code)s'; check the code against the catalogue.") % {"code": row.indicator},
            row.indicator,
        )
    elif indicator.is_ratio:
        judged.refuse(
            "indicator",
            _("Indicator '%(code)s' is computed from %(num)s and %(den)s; import those instead.")
            % {
                "code": indicator.code,
                "num": indicator.numerator.code if indicator.numerator else "?",
                "den": indicator.denominator.code if indicator.denominator else "?",
            },
            row.indicator,
        )
    else:
        judged.indicator = indicator


def check_org_unit(judged: JudgedRow, context: FileContext) -> None:
    """A known unit code (which unit it names depends on the period: check_unit_in_period).

    SQL: ``s.org_unit = '' OR u.id IS NULL``.
    """
    row = judged.row
    if not row.org_unit:
        judged.refuse("org_unit", _("The org unit code is empty."), "")
    elif row.org_unit not in context.units:
        judged.refuse(
            "org_unit",
            _("Unknown org unit '%(code)s'; check the code against the catalogue.") % {"code": row.org_unit},
            row.org_unit,
        )


def check_period(judged: JudgedRow, context: FileContext) -> None:
    """A period that reads, of the indicator's type (of any type if the indicator was refused).

    SQL: ``p.code IS NULL OR p.period_type IS DISTINCT FROM i.period_type``.
    """
    row = judged.row
    if not row.period:
        judged.refuse("period", _("The period is empty."), "")
        return
    indicator = judged.indicator
    key = (row.period, indicator.period_type if indicator else "")
    period = context.periods.get(key)
    if period is None:
        try:
            period = parse_period_for(row.period, indicator.period_type) if indicator else Period.parse(row.period)
        except PeriodError as exc:
            judged.refuse("period", str(exc), row.period)
            return
        context.periods[key] = period
    judged.period = period


def check_value_reads(judged: JudgedRow, context: FileContext) -> None:
    """A value that is there and reads as one number (``parse_number``'s rules).

    SQL: ``s.number IS NULL`` (the number read by the CASE of the subquery ``s``: NULL when no
    pattern reads it, or when it is ambiguous).
    """
    row = judged.row
    if row.value is None or (isinstance(row.value, str) and not row.value.strip()):
        judged.refuse("value", _("The value is empty; leave the row out if there is no figure."), "")
        return
    try:
        judged.value = parse_number(row.value, machine=row.machine_number)
    except AmbiguousNumberError as exc:
        judged.refuse("value", _ambiguity_message(str(exc)), row.value)
    except OutOfRangeError:
        judged.refuse(
            "value",
            _(
                "'%(value)s' is out of range: a figure is smaller than 10^18 and has at most %(n)d decimals. "
                "Write the figure in full."
            )
            % {"value": row.value, "n": STORED_DECIMALS},
            row.value,
        )
    except NotANumberError:
        if row.machine_number:
            message = _("'%(value)s' is not a number; DHIS2 writes numbers with a decimal point, e.g. 1234.5.")
        else:
            message = _("'%(value)s' is not a number.")
        judged.refuse("value", message % {"value": row.value}, row.value)


def check_value_size(judged: JudgedRow, context: FileContext) -> None:
    """A figure below MAX_ABS_VALUE in size.

    SQL: ``abs(s.number) >= 1e18``.
    """
    if judged.value is not None and abs(judged.value) >= MAX_ABS_VALUE:
        row = judged.row
        judged.refuse(
            "value", _("'%(value)s' is too large to be a plausible figure.") % {"value": row.value}, row.value
        )
        judged.value = None


def check_value_decimals(judged: JudgedRow, context: FileContext) -> None:
    """A figure with no more decimals than are stored (trailing zeros aside).

    SQL: ``scale(s.number) > %(decimals)s AND s.number <> round(s.number, %(decimals)s)``.
    """
    value = judged.value
    if value is None:
        return
    kept = value.quantize(STORED_PLACES)
    if kept != value:
        # Never rounded silently: the reporter decides what the figure is.
        row = judged.row
        judged.refuse(
            "value",
            _("'%(value)s' has more than %(n)d decimals; figures keep %(n)d. Round it to %(n)d decimals.")
            % {"value": row.value, "n": STORED_DECIMALS},
            row.value,
        )
        judged.value = None
    else:
        judged.value = kept


def check_minimum(judged: JudgedRow, context: FileContext) -> None:
    """A figure not below the indicator's minimum.

    SQL: ``s.number < i.min_value``.
    """
    value, indicator = judged.value, judged.indicator
    if value is not None and indicator is not None and indicator.min_value is not None and value < indicator.min_value:
        judged.refuse(
            "value",
            _("%(value)s is below the minimum %(min)s allowed for '%(code)s'.")
            % {
                "value": _show(value),
                "min": number_format(indicator.min_value.normalize()),
                "code": indicator.code,
            },
            value,
        )


def check_maximum(judged: JudgedRow, context: FileContext) -> None:
    """A figure not above the indicator's maximum.

    SQL: ``s.number > i.max_value``.
    """
    value, indicator = judged.value, judged.indicator
    if value is not None and indicator is not None and indicator.max_value is not None and value > indicator.max_value:
        judged.refuse(
            "value",
            _("%(value)s is above the maximum %(max)s allowed for '%(code)s'.")
            % {
                "value": _show(value),
                "max": number_format(indicator.max_value.normalize()),
                "code": indicator.code,
            },
            value,
        )


def check_comment(judged: JudgedRow, context: FileContext) -> None:
    """A comment of at most MAX_COMMENT characters.

    SQL: ``length(s.comment) > %(max_comment)s``.
    """
    comment = judged.row.comment
    if len(comment) > MAX_COMMENT:
        judged.refuse(
            "comment",
            _("The comment is longer than %(n)d characters.") % {"n": MAX_COMMENT},
            comment[:40] + "…",
        )


def check_unit_in_period(judged: JudgedRow, context: FileContext) -> None:
    """The unit the code names in the period: the one valid on the period's first day, else the
    first that began within it (``orgunits.selectors.unit_in``); none, and the row is refused with
    the units carrying the code, their validity and successors.

    SQL: the join of ``u`` (a unit overlapping the period, none before it with the code that still
    did) and ``u.id IS NULL``.
    """
    code, period = judged.row.org_unit, judged.period
    units = context.units.get(code)
    if not units or period is None:
        return
    key = (code, period)
    if key not in context.unit_in:
        context.unit_in[key] = unit_in(units, period.start_date, period.end_date)
    unit = context.unit_in[key]
    if unit is not None:
        judged.unit = unit
        return
    if code not in context.histories:
        context.histories[code] = "; ".join(unit_history(units))
    judged.refuse(
        "org_unit",
        _("Unit '%(code)s' did not exist in %(period)s: %(units)s.")
        % {"code": code, "period": period.code, "units": context.histories[code]},
        code,
    )


def check_duplicate(judged: JudgedRow, context: FileContext) -> None:
    """A figure (indicator, unit, period) given once in the file; every later line is refused.

    SQL: the ``UPDATE import_checked … twice`` after the check, which marks every line of a key
    given more than once.
    """
    indicator, unit, period = judged.indicator, judged.unit, judged.period
    if indicator is None or unit is None or period is None:
        return
    key = (indicator.pk, unit.pk, period)
    first = context.first_line.get(key)
    if first is None:
        context.first_line[key] = judged.row.line
        return
    judged.refuse(
        "indicator",
        _("Duplicate: %(indicator)s, %(unit)s, %(period)s was already given on line %(line)d.")
        % {"indicator": indicator.code, "unit": unit.code, "period": period.code, "line": first},
        judged.row.indicator,
    )


# In this order, which is the order of a row's issues.
ROW_CHECKS: tuple[Callable[[JudgedRow, FileContext], None], ...] = (
    check_indicator,
    check_org_unit,
    check_period,
    check_value_reads,
    check_value_size,
    check_value_decimals,
    check_minimum,
    check_maximum,
    check_comment,
    check_unit_in_period,
    check_duplicate,
)


def check_rows(rows: list[RawRow]) -> tuple[list[CheckedRow], list[Issue]]:
    """Check every row; return the good ones and every issue found (in file order)."""
    indicator_codes = {r.indicator for r in rows if r.indicator}
    unit_codes = {r.org_unit for r in rows if r.org_unit}
    context = FileContext(
        indicators={i.code: i for i in Indicator.objects.filter(code__in=indicator_codes)},
        units=units_by_code(unit_codes),
        first_line={},
    )
    checks = ROW_CHECKS
    checked: list[CheckedRow] = []
    issues: list[Issue] = []
    for row in rows:
        judged = JudgedRow(row, issues)
        for check in checks:
            check(judged, context)
        if judged.refused:
            continue
        indicator, unit, period, value = judged.indicator, judged.unit, judged.period, judged.value
        if indicator is not None and unit is not None and period is not None and value is not None:
            checked.append(CheckedRow(row.line, indicator.pk, unit.pk, period, value, row.comment))
    return checked, issues


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        normal = value.normalize()
        return format(normal, "f")
    return "" if value is None else str(value)

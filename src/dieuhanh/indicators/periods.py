"""Reporting periods in the DHIS2 grammar: ``2023``, ``2023S1``, ``2023Q2``, ``202306``.

Indicators are stored at one period type (monthly, quarterly or yearly). A query may
ask for any period at least as coarse as that type, including half-years; the
period then stands for the indicator-typed periods ("sub-periods") it covers.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _


class PeriodType(StrEnum):
    """How finely a period cuts the year. Values are the stored names."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    YEARLY = "yearly"

    @property
    def months(self) -> int:
        """Length of one period of this type, in months."""
        # A plain dict keyed by the name (an enum's own attributes are slow, and a ranking of
        # 3,321 communes asks this tens of thousands of times).
        return _MONTHS[self]

    @property
    def per_year(self) -> int:
        return 12 // _MONTHS[self]


_MONTHS = {PeriodType.MONTHLY: 1, PeriodType.QUARTERLY: 3, PeriodType.SEMIANNUAL: 6, PeriodType.YEARLY: 12}


class PeriodError(ValueError):
    """A period code that cannot be read, or asked of the wrong type."""


# The codes of each period type (``Period.code``): the year, then the period within it. Written so
# that Python and PostgreSQL's regular expressions read them alike (the figures' reads use them).
CODE_PATTERNS: dict[PeriodType, str] = {
    PeriodType.MONTHLY: r"^([0-9]{4})(0[1-9]|1[0-2])$",
    PeriodType.QUARTERLY: r"^([0-9]{4})Q([1-4])$",
    PeriodType.SEMIANNUAL: r"^([0-9]{4})S([12])$",
    PeriodType.YEARLY: r"^([0-9]{4})$",
}

_PATTERNS: list[tuple[re.Pattern[str], PeriodType]] = [
    (re.compile(pattern), period_type) for period_type, pattern in CODE_PATTERNS.items()
]

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True, order=True)
class Period:
    """One period: a year cut into ``type.per_year`` parts, of which this is ``index`` (1-based)."""

    year: int
    type: PeriodType
    index: int

    @classmethod
    def parse(cls, code: str) -> Period:
        text = str(code).strip().upper()
        for pattern, period_type in _PATTERNS:
            match = pattern.match(text)
            if match:
                year = int(match.group(1))
                if not 1900 <= year <= 2200:
                    break
                index = int(match.group(2)) if period_type != PeriodType.YEARLY else 1
                return cls(year, period_type, index)
        raise PeriodError(
            _(
                "'%(code)s' is not a valid period. Write 2023 (year), 2023S1 (half-year), "
                "2023Q2 (quarter) or 202306 (month)."
            )
            % {"code": code}
        )

    @classmethod
    def from_ordinal(cls, period_type: PeriodType, ordinal: int) -> Period:
        year, rest = divmod(ordinal, period_type.per_year)
        return cls(year, period_type, rest + 1)

    @classmethod
    def containing(cls, day: dt.date, period_type: PeriodType) -> Period:
        """The period of ``period_type`` that ``day`` falls in."""
        return cls(day.year, period_type, (day.month - 1) // period_type.months + 1)

    @classmethod
    def months_between(cls, first: dt.date, last: dt.date) -> list[Period]:
        """The months from ``first``'s to ``last``'s, both included, in order."""
        start = cls.containing(first, PeriodType.MONTHLY).ordinal
        end = cls.containing(last, PeriodType.MONTHLY).ordinal
        return [cls.from_ordinal(PeriodType.MONTHLY, o) for o in range(start, end + 1)]

    def last_n(self, count: int) -> list[Period]:
        """The ``count`` periods of this one's type that end with it, oldest first."""
        return [Period.from_ordinal(self.type, self.ordinal - back) for back in range(count - 1, -1, -1)]

    @property
    def ordinal(self) -> int:
        """A number that increases by one from each period of a type to the next."""
        return self.year * self.type.per_year + self.index - 1

    @property
    def code(self) -> str:
        if self.type == PeriodType.MONTHLY:
            return f"{self.year}{self.index:02d}"
        if self.type == PeriodType.QUARTERLY:
            return f"{self.year}Q{self.index}"
        if self.type == PeriodType.SEMIANNUAL:
            return f"{self.year}S{self.index}"
        return f"{self.year}"

    def __str__(self) -> str:
        return self.code

    @property
    def first_month(self) -> int:
        return (self.index - 1) * self.type.months + 1

    @property
    def last_month(self) -> int:
        return self.index * self.type.months

    @property
    def start_date(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end_date(self) -> dt.date:
        return dt.date(self.year, self.last_month, calendar.monthrange(self.year, self.last_month)[1])

    def is_finer_than(self, period_type: PeriodType) -> bool:
        return self.type.months < period_type.months

    def sub_periods(self, period_type: PeriodType) -> list[Period]:
        """The periods of ``period_type`` that make up this one."""
        if self.is_finer_than(period_type):
            raise PeriodError(
                _("Period %(period)s is finer than the indicator's period type (%(type)s).")
                % {"period": self.code, "type": period_type_label(period_type)}
            )
        first = (self.first_month - 1) // period_type.months + 1
        last = self.last_month // period_type.months
        return [Period(self.year, period_type, i) for i in range(first, last + 1)]

    def year_to_date(self, period_type: PeriodType) -> list[Period]:
        """Sub-periods of ``period_type`` from January to the end of this period (lũy kế)."""
        last = self.sub_periods(period_type)[-1]
        return [Period(self.year, period_type, i) for i in range(1, last.index + 1)]

    def shift_years(self, years: int) -> Period:
        return Period(self.year + years, self.type, self.index)

    def label(self) -> str:
        """How a Vietnamese report names the period: Tháng 6/2023, Quý II/2023, 6 tháng đầu năm 2023."""
        if self.type == PeriodType.MONTHLY:
            return _("Month %(month)d/%(year)d") % {"month": self.index, "year": self.year}
        if self.type == PeriodType.QUARTERLY:
            return _("Quarter %(roman)s/%(year)d") % {"roman": _ROMAN[self.index], "year": self.year}
        if self.type == PeriodType.SEMIANNUAL:
            if self.index == 1:
                return _("First 6 months of %(year)d") % {"year": self.year}
            return _("Last 6 months of %(year)d") % {"year": self.year}
        return _("Year %(year)d") % {"year": self.year}


def period_type_label(period_type: PeriodType | str) -> str:
    labels = {
        PeriodType.MONTHLY: _("monthly"),
        PeriodType.QUARTERLY: _("quarterly"),
        PeriodType.SEMIANNUAL: _("half-yearly"),
        PeriodType.YEARLY: _("yearly"),
    }
    return labels[PeriodType(period_type)]


def parse_period_for(code: str, period_type: PeriodType | str) -> Period:
    """Parse a period that must be exactly of ``period_type`` (what a stored value needs)."""
    period = Period.parse(code)
    wanted = PeriodType(period_type)
    if period.type != wanted:
        raise PeriodError(
            _("Period %(period)s is not %(type)s; this indicator takes %(example)s.")
            % {
                "period": period.code,
                "type": period_type_label(wanted),
                "example": {
                    PeriodType.MONTHLY: _("a month such as 202306"),
                    PeriodType.QUARTERLY: _("a quarter such as 2023Q2"),
                    PeriodType.SEMIANNUAL: _("a half-year such as 2023S1"),
                    PeriodType.YEARLY: _("a year such as 2023"),
                }[wanted],
            }
        )
    return period

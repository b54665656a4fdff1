"""The periods a leader picks on the dashboards, and which period of an indicator answers each.

The pickers offer a month, a quarter, six months, nine months and a year. All but nine
months are periods of the DHIS2 grammar that analytics takes (``202306``, ``2023Q2``,
``2023S1``, ``2023``). "Nine months" (*9 tháng đầu năm*) is not: the dashboards show it as
the cumulative figures (*lũy kế*) at the end of September, written ``202309YTD`` — the
``ytd`` of ``202309`` in analytics' terms, and the ``ytd`` of September a year earlier as
its comparison. The analytics contract itself is unchanged.

An indicator stored by quarter or by year has no value for a single month (the contract
answers nulls). Rather than a wall of dashes, the dashboards show such an indicator at its
latest complete period that ends within the chosen one, and label it so.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from dieuhanh.indicators.periods import Period, PeriodError, PeriodType

_CUMULATIVE = re.compile(r"^(\d{4})(0[1-9]|1[0-2])YTD$")
# A part of a year as the pickers send it: YEAR, S1–S2, Q1–Q4, M1–M12, or 1M–12M (January to that month).
_PART = re.compile(r"^(?:YEAR|S[12]|Q[1-4]|M(?:1[0-2]|[1-9])|(?:1[0-2]|[1-9])M)$")
# Month counts that are periods of the grammar in their own right: written as such.
_AS_PERIOD = {1: PeriodType.MONTHLY, 3: PeriodType.QUARTERLY, 6: PeriodType.SEMIANNUAL, 12: PeriodType.YEARLY}
NINE_MONTHS = 9


@dataclass(frozen=True, order=True)
class ReportPeriod:
    """A period of the grammar, or (``cumulative``) January to the end of ``period``, a month."""

    period: Period
    cumulative: bool = False

    @classmethod
    def parse(cls, code: str) -> ReportPeriod:
        """``2023``, ``2023S1``, ``2023Q2``, ``202306`` or ``202309YTD`` (January to September 2023)."""
        text = str(code).strip().upper()
        match = _CUMULATIVE.match(text)
        if match is None:
            try:
                return cls(Period.parse(text))
            except PeriodError as exc:
                raise PeriodError(
                    _(
                        "'%(code)s' is not a valid period. Write 2023 (year), 2023S1 (half-year), 2023Q2 (quarter), "
                        "202306 (month) or 202309YTD (January to September)."
                    )
                    % {"code": code}
                ) from exc
        return cls.first_months(int(match.group(1)), int(match.group(2)))

    @classmethod
    def first_months(cls, year: int, months: int) -> ReportPeriod:
        """January to the end of month ``months`` of ``year``; the grammar's own period where there is one."""
        period_type = _AS_PERIOD.get(months)
        if period_type is not None:
            return cls(Period(year, period_type, 1))
        return cls(Period(year, PeriodType.MONTHLY, months), cumulative=True)

    @property
    def code(self) -> str:
        return f"{self.period.code}YTD" if self.cumulative else self.period.code

    def __str__(self) -> str:
        return self.code

    @property
    def part(self) -> str:
        """Which part of its year this is, as the pickers name it: ``year``, ``S1``, ``Q2``, ``M6``,
        or ``9M`` (January to September)."""
        if self.cumulative:
            return f"{self.last_month}M"
        period = self.period
        return {
            PeriodType.YEARLY: "year",
            PeriodType.SEMIANNUAL: f"S{period.index}",
            PeriodType.QUARTERLY: f"Q{period.index}",
            PeriodType.MONTHLY: f"M{period.index}",
        }[period.type]

    @classmethod
    def from_part(cls, year: int, part: str) -> ReportPeriod:
        """The period of ``year`` a picker's part names (see ``part``); PeriodError if it names none."""
        text = part.strip().upper()
        if _PART.match(text) is None:
            raise PeriodError(_("'%(part)s' is not a part of a year.") % {"part": part})
        if text == "YEAR":
            return cls(Period(year, PeriodType.YEARLY, 1))
        if text.endswith("M"):
            return cls.first_months(year, int(text[:-1]))
        number = int(text[1:])
        period_type = {"S": PeriodType.SEMIANNUAL, "Q": PeriodType.QUARTERLY, "M": PeriodType.MONTHLY}[text[0]]
        return cls(Period(year, period_type, number))

    @property
    def year(self) -> int:
        return self.period.year

    @property
    def first_month(self) -> int:
        return 1 if self.cumulative else self.period.first_month

    @property
    def last_month(self) -> int:
        return self.period.last_month

    @property
    def start_date(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end_date(self) -> dt.date:
        return self.period.end_date

    @property
    def kind(self) -> str:
        """month, quarter, half, months (cumulative) or year: what the picker calls it."""
        if self.cumulative:
            return "months"
        return {
            PeriodType.MONTHLY: "month",
            PeriodType.QUARTERLY: "quarter",
            PeriodType.SEMIANNUAL: "half",
            PeriodType.YEARLY: "year",
        }[self.period.type]

    def label(self) -> str:
        """Tháng 6/2023, Quý II/2023, 6 tháng đầu năm 2023, 9 tháng đầu năm 2023, Năm 2023."""
        if self.cumulative:
            return first_months_label(self.year, self.last_month)
        return self.period.label()

    def shift(self, steps: int) -> ReportPeriod:
        """The period ``steps`` later (earlier when negative) of the same kind; nine months move by years."""
        if self.cumulative:
            return ReportPeriod(self.period.shift_years(steps), cumulative=True)
        return ReportPeriod(Period.from_ordinal(self.period.type, self.period.ordinal + steps))

    def shown_for(self, period_type: PeriodType) -> ShownPeriod:
        """Which period of an indicator stored by ``period_type`` answers this one, and how.

        A period at least as coarse as the indicator's type answers for itself. A finer one
        (a month of a quarterly indicator) is answered by the indicator's latest period that
        ends within it or before — a quarter, or the previous year for a yearly indicator —
        marked as a substitute. Nine months stay cumulative wherever the type allows it.
        """
        if not self.cumulative and not self.period.is_finer_than(period_type):
            return ShownPeriod(period=self.period)
        # The latest period of the indicator's type that ends by the end of this one.
        ends = self.year * 12 + self.last_month  # months since year 0, counting this one
        latest = Period.from_ordinal(period_type, ends // period_type.months - 1)
        if self.cumulative and latest.year == self.year:
            substitute = latest.last_month != self.last_month
            return ShownPeriod(period=latest, cumulative=latest.first_month != 1, substitute=substitute)
        return ShownPeriod(period=latest, substitute=True)


@dataclass(frozen=True)
class ShownPeriod:
    """The period of an indicator that a dashboard figure stands for.

    ``cumulative``: the figure is January to the end of ``period`` (its ``ytd``), compared
    with the same months a year earlier. ``substitute``: it is not the period the visitor
    chose, which the indicator cannot answer (a quarterly figure for a month).
    """

    period: Period
    cumulative: bool = False
    substitute: bool = False

    @property
    def code(self) -> str:
        return f"{self.period.code}YTD" if self.cumulative else self.period.code

    def label(self) -> str:
        if self.cumulative:
            return first_months_label(self.period.year, self.period.last_month)
        return self.period.label()


def first_months_label(year: int, months: int) -> str:
    """9 tháng đầu năm 2023; the grammar's own label for 1, 3, 6 and 12 months."""
    period_type = _AS_PERIOD.get(months)
    if period_type is not None:
        return Period(year, period_type, 1).label()
    return _("First %(months)d months of %(year)d") % {"months": months, "year": year}


def lower_first(text: str) -> str:
    """Mid-sentence form of a period label: "Tháng 6/2023" → "tháng 6/2023"."""
    return text[:1].lower() + text[1:]


ROMAN_QUARTERS = ("I", "II", "III", "IV")


def part_label(part: str) -> str:
    """A part of a year in words, without the year: "Cả năm", "9 tháng đầu năm", "Quý II", "Tháng 6"."""
    text = part.upper()
    if text == "YEAR":
        return str(_("Whole year"))
    if text.endswith("M"):
        return _("First %(months)d months") % {"months": int(text[:-1])}
    number = int(text[1:])
    if text[0] == "S":
        return str(_("First six months")) if number == 1 else str(_("Last six months"))
    if text[0] == "Q":
        return _("Quarter %(roman)s") % {"roman": ROMAN_QUARTERS[number - 1]}
    return _("Month %(month)d") % {"month": number}


@dataclass(frozen=True)
class PartGroup:
    """Parts of a year offered together in a period picker."""

    label: str
    parts: list[tuple[str, str]]  # (part, its words)


def part_groups(current: ReportPeriod | None = None) -> list[PartGroup]:
    """What a period picker offers for a year, in words: the year, its halves and nine months, its
    quarters, its months; and the part ``current`` names if it is none of those (five months)."""
    standard = ["year", "S1", "9M", "S2", *(f"Q{q}" for q in range(1, 5)), *(f"M{m}" for m in range(1, 13))]
    groups = [
        PartGroup(str(_("Year and parts of it")), [(p, part_label(p)) for p in standard[:4]]),
        PartGroup(str(_("Quarters")), [(p, part_label(p)) for p in standard[4:8]]),
        PartGroup(str(_("Months")), [(p, part_label(p)) for p in standard[8:]]),
    ]
    if current is not None and current.part not in standard:
        groups[0].parts.append((current.part, part_label(current.part)))
    return groups

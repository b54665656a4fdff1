"""Small pieces the report's sections share: numbering, places, dates and table cells."""

from __future__ import annotations

from dieuhanh.indicators.periods import Period, PeriodType
from dieuhanh.orgunits.models import OrgUnit

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
# How many indicators the units are ranked by (the first plan indicators the units report).
RANKED_INDICATORS = 4
# Names of administrative units start with their kind; the place is the rest ("Tỉnh Bình Dương").
_KIND_PREFIXES = ("Thành phố ", "Thị xã ", "Thị trấn ", "Tỉnh ", "Huyện ", "Quận ", "Phường ", "Xã ")


def place_of(unit: OrgUnit) -> str:
    for prefix in _KIND_PREFIXES:
        if unit.name.startswith(prefix):
            return unit.name[len(prefix) :]
    return unit.name


def decree_day(number: int) -> str:
    """Days below 10 are written with a leading zero in the date line (Decree 30/2020/NĐ-CP)."""
    return f"{number:02d}"


def decree_month(number: int) -> str:
    """January and February take a leading zero in the date line; other months do not."""
    return f"{number:02d}" if number <= 2 else str(number)


def short_period(period: Period) -> str:
    """A sub-period as a table cell names it: T6 (month), QII (quarter), 2022 (year)."""
    if period.type == PeriodType.MONTHLY:
        return f"T{period.index}"
    if period.type == PeriodType.QUARTERLY:
        return f"Q{ROMAN[period.index - 1]}"
    return str(period.year)


class Numbers:
    """Running numbers of tables and charts, as the captions give them."""

    def __init__(self) -> None:
        self.tables = 0
        self.charts = 0

    def table(self) -> int:
        self.tables += 1
        return self.tables

    def chart(self) -> int:
        self.charts += 1
        return self.charts

"""Period helpers: the one place that knows which period a date falls in and how periods follow."""

from __future__ import annotations

import datetime as dt

import pytest

from dieuhanh.indicators.periods import Period, PeriodError, PeriodType


def test_the_period_of_a_date_the_months_between_two_dates_and_the_last_n_periods() -> None:
    assert Period.containing(dt.date(2023, 8, 19), PeriodType.QUARTERLY).code == "2023Q3"
    assert Period.containing(dt.date(2023, 8, 19), PeriodType.SEMIANNUAL).code == "2023S2"
    assert [p.code for p in Period.months_between(dt.date(2023, 11, 30), dt.date(2024, 2, 1))] == [
        "202311",
        "202312",
        "202401",
        "202402",
    ]
    assert Period.months_between(dt.date(2024, 2, 1), dt.date(2023, 11, 30)) == []
    assert [p.code for p in Period.parse("2024Q1").last_n(3)] == ["2023Q3", "2023Q4", "2024Q1"]


def test_a_period_is_written_in_ascii_digits_as_the_postgresql_check_reads_it() -> None:
    """Python's \\d also matches Arabic-Indic digits: "٢٠٢٣01" was stored as 202301 on SQLite and
    crashed the import on PostgreSQL, whose check reads only 0-9."""
    with pytest.raises(PeriodError):
        Period.parse("٢٠٢٣01")
    with pytest.raises(PeriodError):
        Period.parse("２０２３Q1")
    assert Period.parse("2023Q1").code == "2023Q1"

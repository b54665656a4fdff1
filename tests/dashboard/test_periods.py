"""The dashboards' periods: the DHIS2 grammar plus nine months, and which period of an indicator answers."""

from __future__ import annotations

import pytest
from django.utils import translation

from dieuhanh.analytics.readmodel.periods import ReportPeriod, ShownPeriod
from dieuhanh.indicators.periods import Period, PeriodError, PeriodType

MONTHLY, QUARTERLY, YEARLY = PeriodType.MONTHLY, PeriodType.QUARTERLY, PeriodType.YEARLY


def p(code: str) -> Period:
    return Period.parse(code)


def test_it_reads_the_grammar_and_nine_months_written_as_the_cumulative_at_september() -> None:
    assert ReportPeriod.parse("202306") == ReportPeriod(p("202306"))
    assert ReportPeriod.parse("2023q2").code == "2023Q2"
    nine = ReportPeriod.parse("202309ytd")
    assert (nine.code, nine.cumulative, nine.kind) == ("202309YTD", True, "months")
    assert (nine.start_date.isoformat(), nine.end_date.isoformat()) == ("2023-01-01", "2023-09-30")


def test_a_cumulative_that_is_a_period_of_the_grammar_is_written_as_one() -> None:
    assert ReportPeriod.parse("202301YTD").code == "202301"
    assert ReportPeriod.parse("202303YTD").code == "2023Q1"
    assert ReportPeriod.parse("202306YTD").code == "2023S1"
    assert ReportPeriod.parse("202312YTD").code == "2023"


def test_a_bad_period_says_how_to_write_each_kind() -> None:
    with pytest.raises(PeriodError) as error:
        ReportPeriod.parse("2023M9")
    assert "202309YTD" in str(error.value)
    assert "2023Q2" in str(error.value)


def test_each_kind_has_the_name_a_vietnamese_report_gives_it() -> None:
    with translation.override("vi"):
        assert ReportPeriod.parse("202309YTD").label() == "9 tháng đầu năm 2023"
        assert ReportPeriod.parse("2023S1").label() == "6 tháng đầu năm 2023"
        assert ReportPeriod.parse("2023Q3").label() == "Quý III/2023"
    with translation.override("en"):
        assert ReportPeriod.parse("202309YTD").label() == "First 9 months of 2023"


def test_stepping_moves_by_the_periods_own_kind_and_nine_months_by_years() -> None:
    assert ReportPeriod.parse("202301").shift(-1).code == "202212"
    assert ReportPeriod.parse("2023Q4").shift(1).code == "2024Q1"
    assert ReportPeriod.parse("2023S1").shift(1).code == "2023S2"
    assert ReportPeriod.parse("2023").shift(-1).code == "2022"
    assert ReportPeriod.parse("202309YTD").shift(-1).code == "202209YTD"


def test_a_period_an_indicator_can_answer_stands_for_itself() -> None:
    assert ReportPeriod.parse("202306").shown_for(MONTHLY) == ShownPeriod(p("202306"))
    assert ReportPeriod.parse("2023S1").shown_for(QUARTERLY) == ShownPeriod(p("2023S1"))
    assert ReportPeriod.parse("2023").shown_for(YEARLY) == ShownPeriod(p("2023"))


def test_a_month_of_a_quarterly_or_yearly_indicator_is_its_latest_complete_period_marked_as_such() -> None:
    assert ReportPeriod.parse("202306").shown_for(QUARTERLY) == ShownPeriod(p("2023Q2"), substitute=True)
    assert ReportPeriod.parse("202305").shown_for(QUARTERLY) == ShownPeriod(p("2023Q1"), substitute=True)
    assert ReportPeriod.parse("202302").shown_for(QUARTERLY) == ShownPeriod(p("2022Q4"), substitute=True)
    assert ReportPeriod.parse("202312").shown_for(YEARLY) == ShownPeriod(p("2023"), substitute=True)
    assert ReportPeriod.parse("2023Q3").shown_for(YEARLY) == ShownPeriod(p("2022"), substitute=True)


def test_nine_months_are_cumulative_wherever_the_indicators_type_allows_it() -> None:
    nine = ReportPeriod.parse("202309YTD")

    assert nine.shown_for(MONTHLY) == ShownPeriod(p("202309"), cumulative=True)
    assert nine.shown_for(QUARTERLY) == ShownPeriod(p("2023Q3"), cumulative=True)
    # A yearly indicator cannot say anything of nine months: its last complete year.
    assert nine.shown_for(YEARLY) == ShownPeriod(p("2022"), substitute=True)
    # Eleven months of a quarterly indicator: its cumulative to the end of the third quarter.
    assert ReportPeriod.parse("202311YTD").shown_for(QUARTERLY) == ShownPeriod(
        p("2023Q3"), cumulative=True, substitute=True
    )


def test_a_shown_period_is_labelled_as_what_it_covers() -> None:
    with translation.override("vi"):
        assert ShownPeriod(p("2023Q3"), cumulative=True).label() == "9 tháng đầu năm 2023"
        assert ShownPeriod(p("202306"), cumulative=True).label() == "6 tháng đầu năm 2023"
        assert ShownPeriod(p("2023Q2"), substitute=True).label() == "Quý II/2023"

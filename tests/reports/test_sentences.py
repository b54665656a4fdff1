"""The sentence rules: verbs, per cent or percentage points, cumulative figures, plan, rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dieuhanh.reports.phrasing import wording_load
from dieuhanh.reports.sentences import indicator_sentence
from tests.reports.helpers import a_figure, indicator, vietnamese


@pytest.fixture(scope="module")
def wording():  # type: ignore[no-untyped-def]
    return wording_load(directory=None)


def say(wording, figure, *, estimated=True, previous_ytd=None) -> str:  # type: ignore[no-untyped-def]
    sentence = indicator_sentence(
        wording=wording, figure=figure, org_unit="74", previous_ytd=previous_ytd, estimated=estimated
    )
    assert sentence is not None
    return sentence.text


def test_it_writes_the_worked_example_of_the_analytics_contract(wording) -> None:  # type: ignore[no-untyped-def]
    # docs/analytics.md: Thu ngân sách nhà nước, 74, 2023S1.
    value, previous, plan = Decimal("32450.6"), Decimal("35120.4"), Decimal(74617)
    figure = a_figure(
        indicator(),
        "2023S1",
        value=value,
        previous=previous,
        yoy_pct=(value / previous - 1) * 100,
        ytd=value,
        plan=plan,
        plan_completion_pct=value / plan * 100,
        projection=Decimal("70493.7"),
        status="off_track",
    )

    assert say(wording, figure) == (
        "Thu ngân sách nhà nước 6 tháng đầu năm 2023 ước đạt 32.450,6 tỷ đồng, giảm 7,6% so với cùng kỳ, "
        "đạt 43,5% kế hoạch năm; ước cả năm đạt 70.493,7 tỷ đồng, dự kiến không đạt kế hoạch."
    )


def test_approved_figures_are_stated_as_reached_not_estimated(wording) -> None:  # type: ignore[no-untyped-def]
    figure = a_figure(indicator(), "2023S1", value=110, previous=100, yoy_pct=10, ytd=110)

    assert say(wording, figure, estimated=False) == (
        "Thu ngân sách nhà nước 6 tháng đầu năm 2023 đạt 110,0 tỷ đồng, tăng 10,0% so với cùng kỳ."
    )


def test_a_rate_changes_in_percentage_points_of_the_printed_rates(wording) -> None:  # type: ignore[no-untyped-def]
    rate = indicator(code="ONLINE_RATE", name="Tỷ lệ hồ sơ trực tuyến", unit="%", aggregation="ratio")
    # 45,26 prints as 45,3 and 44,04 as 44,0: the reader subtracts 44,0 from 45,3 and finds 1,3.
    figure = a_figure(
        rate, "2023S1", value="45.26", previous="44.04", yoy_pct="2.77", ytd="45.26", plan=50, status="at_risk"
    )

    text = say(wording, figure)

    assert text == (
        "Tỷ lệ hồ sơ trực tuyến 6 tháng đầu năm 2023 ước đạt 45,3%, tăng 1,3 điểm phần trăm so với cùng kỳ "
        "(kế hoạch năm 50,0%), có nguy cơ không đạt kế hoạch."
    )
    assert "2,8" not in text  # never the relative change of a rate


def test_a_month_adds_the_cumulative_figure_since_january(wording) -> None:  # type: ignore[no-untyped-def]
    figure = a_figure(
        indicator(code="EXPORT", name="Kim ngạch xuất khẩu", unit="triệu USD"),
        "202306",
        value="2510.04",
        previous="2600",
        yoy_pct="-3.46",
        ytd="15100",
        plan="32969",
        plan_completion_pct="45.80",
        projection="31000",
        status="off_track",
    )

    text = say(wording, figure, previous_ytd=Decimal("17599.3"))

    assert text == (
        "Kim ngạch xuất khẩu tháng 6/2023 ước đạt 2.510,0 triệu USD, giảm 3,5% so với cùng kỳ; lũy kế 6 tháng "
        "đầu năm 2023 ước đạt 15.100,0 triệu USD, giảm 14,2%, đạt 45,8% kế hoạch năm; ước cả năm đạt "
        "31.000,0 triệu USD, dự kiến không đạt kế hoạch."
    )


def test_a_lower_is_better_figure_is_measured_against_a_ceiling(wording) -> None:  # type: ignore[no-untyped-def]
    accidents = indicator(code="ACC", name="Số vụ tai nạn giao thông", unit="vụ", direction="down", decimals=0)
    figure = a_figure(
        accidents, "2023S1", value=308, previous=330, yoy_pct="-6.67", ytd=308, plan=617,
        plan_completion_pct="49.92", projection=572, status="on_track",
    )  # fmt: skip

    assert say(wording, figure) == (
        "Số vụ tai nạn giao thông 6 tháng đầu năm 2023 ước tính 308 vụ, giảm 6,7% so với cùng kỳ, "
        "bằng 49,9% mức kế hoạch năm; ước cả năm 572 vụ, dự kiến trong mức kế hoạch."
    )


def test_a_change_that_rounds_to_nothing_reads_as_the_same_as_last_year(wording) -> None:  # type: ignore[no-untyped-def]
    figure = a_figure(indicator(), "2023S1", value="100.04", previous=100, yoy_pct="0.04", ytd="100.04")

    assert "tương đương cùng kỳ" in say(wording, figure)


def test_figures_round_half_up_as_offices_do(wording) -> None:  # type: ignore[no-untyped-def]
    figure = a_figure(indicator(), "2023S1", value="1234567.25", previous="1000000", yoy_pct="23.45", ytd="1")

    assert "1.234.567,3 tỷ đồng, tăng 23,5%" in say(wording, figure)


def test_a_yearly_figure_in_a_half_year_report_says_which_year_it_is(wording) -> None:  # type: ignore[no-untyped-def]
    poor = indicator(code="POOR", name="Tỷ lệ hộ nghèo", unit="%", period_type="yearly", aggregation="ratio",
                     direction="down", decimals=2)  # fmt: skip
    figure = a_figure(poor, "2023S1", value="0.81", previous="0.25", ytd="0.81")

    assert say(wording, figure) == (
        "Tỷ lệ hộ nghèo năm 2022 (kỳ có số liệu gần nhất) ước tính 0,81%, tăng 0,56 điểm phần trăm so với cùng kỳ."
    )


def test_nothing_is_said_of_an_indicator_without_figures_or_plan(wording) -> None:  # type: ignore[no-untyped-def]
    sentence = indicator_sentence(
        wording=wording, figure=a_figure(indicator(), "2023S1"), org_unit="74", previous_ytd=None, estimated=True
    )

    assert sentence is None


def test_a_plan_without_figures_yet_is_said_so(wording) -> None:  # type: ignore[no-untyped-def]
    figure = a_figure(indicator(), "2023S1", plan=500)

    assert (
        say(wording, figure)
        == "Thu ngân sách nhà nước 6 tháng đầu năm 2023 chưa có số liệu (kế hoạch năm 500,0 tỷ đồng)."
    )


def test_each_number_of_a_sentence_is_paired_with_the_measure_it_states(wording) -> None:  # type: ignore[no-untyped-def]
    figure = a_figure(
        indicator(), "202306", value=12, previous=10, yoy_pct=20, ytd=60, plan=200, plan_completion_pct=30,
        projection=120, status="off_track",
    )  # fmt: skip
    sentence = indicator_sentence(
        wording=wording, figure=figure, org_unit="74", previous_ytd=Decimal(50), estimated=True
    )
    assert sentence is not None

    pairs = [(p.name, p.text) for p in sentence.figures]

    assert pairs == [
        ("value", "12,0"),
        ("yoy_pct", "20,0"),
        ("ytd", "60,0"),
        ("ytd_yoy_pct", "20,0"),
        ("plan_completion_pct", "30,0"),
        ("projection", "120,0"),
    ]
    assert [p.text for p in sentence.parts if p.kind == "label"] == [
        "Thu ngân sách nhà nước", "tháng 6/2023", "tỷ đồng", "6 tháng đầu năm 2023", "tỷ đồng", "tỷ đồng",
    ]  # fmt: skip
    # The wording itself holds no digit: every number is a measure or a label.
    assert not any(c.isdigit() for p in sentence.parts if not p.kind for c in p.text)
    assert vietnamese(Decimal("1234567.25"), 1) == "1.234.567,3"

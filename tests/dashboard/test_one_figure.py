"""One figure, one meaning: every surface that shows a figure shows the same text for it.

One test drives them all — the overview's tile, the wall's tile, the indicator page, the
scorecard, the off-track list, the report's sentence and the CSV and XLSX exports — for a
sample of queries, and compares each with the text analytics' read model writes for the figure
(``writing``): the value, and its change on last year (points for a rate).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.utils import translation

from dieuhanh.analytics.readmodel import writing
from dieuhanh.analytics.readmodel.book import Figure, FigureBook, periods_needed
from dieuhanh.analytics.readmodel.periods import ReportPeriod
from dieuhanh.indicators.models import Indicator
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.reports.content.builder import report_build
from dieuhanh.reports.phrasing import wording_load
from tests.dashboard.conftest import Plans, get
from tests.dashboard.pages import figures_in, rows_in, section
from tests.factories import IndicatorFactory, TargetFactory, put

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_rate(plans: Plans) -> Indicator:
    """A rate the province reports itself (growth in %, not aggregated), with a 2023 plan."""
    growth = IndicatorFactory(
        code="GROWTH", name="Tốc độ tăng trưởng", unit="%", decimals=2, aggregation="none", sort_order=0
    )
    for month, value in (("202206", "8.29"), ("202306", "5.97")):
        put(growth, plans.tree.province, month, value)
    TargetFactory(indicator=growth, org_unit=plans.tree.province, value=Decimal("8.5"))
    return growth


def expected(indicator: Indicator, unit: OrgUnit, period: str) -> Figure:
    """The figure as analytics' read model gives it: what every surface must show."""
    report = ReportPeriod.parse(period)
    book = FigureBook(indicators=[indicator], units=[unit], periods=periods_needed([indicator], [report]))
    return book.figure(indicator, unit.pk, report)


def vi(text: str) -> str:
    return " ".join(text.split())


def shown_on_pages(client: Client, indicator: Indicator, unit: OrgUnit, period: str) -> dict[str, dict[str, str]]:
    """What each page shows of the figure: {surface: {"value": …, "change": …}}."""
    code, query = indicator.code, f"org_unit={unit.code}&period={period}"
    out: dict[str, dict[str, str]] = {}
    _s, html = get(client, f"/?{query}")
    out["tile"] = figures_in(section(html, '<ul class="tiles">', "</ul>"), tag="li")[code]
    out["overview table"] = figures_in(section(html, '<table class="figures">', "</table>"), tag="tr")[code]
    _s, html = get(client, f"/wall/?{query}")
    out["wall tile"] = figures_in(section(html, 'data-panel="overview-1"', "</section>"), tag="li")[code]
    _s, html = get(client, f"/indicators/{code}/?{query}")
    key = figures_in(html, tag="dl", key="unit")[unit.code]
    out["indicator page"] = key
    _s, html = get(client, f"/scorecard/?{query}")
    out["scorecard"] = figures_in(section(html, "<tbody>", "</tbody>"), tag="tr")[code]
    return out


def test_every_surface_shows_the_same_text_for_a_figure(plans: Plans, with_rate: Indicator, client: Client) -> None:
    tree = plans.tree
    queries = [
        (plans.rev, tree.province, "202306"),  # a flow, for a month
        (plans.rev, tree.district_b, "2023Q2"),  # a district's quarter
        (plans.acc, tree.province, "2023S1"),  # lower is better, half-year
        (with_rate, tree.province, "202306"),  # a rate: its change is in points
    ]
    wording = wording_load()
    for indicator, unit, period in queries:
        figure = expected(indicator, unit, period)
        with translation.override("vi"):
            value = writing.number(figure.measures.value, figure.decimals)
            change = figure.change.text
        assert value != writing.MISSING, (indicator.code, period)
        assert figure.change.in_points == (indicator.unit == "%")

        # The pages
        for surface, shown in shown_on_pages(client, indicator, unit, period).items():
            assert shown["value"] == value, (surface, indicator.code, unit.code, period)
            assert vi(shown["change"]).removeprefix("▲ ").removeprefix("▼ ") == change, (surface, indicator.code)

        # The report's sentence states the same value and the same size of change
        report = report_build(
            org_unit=unit, report=ReportPeriod.parse(period), wording=wording, issued_on=dt.date(2023, 7, 5)
        )
        (sentence,) = (s for s in report.sentences() if s.indicator == indicator.code)
        parts = {p.name: p.text for p in sentence.parts if p.kind == "measure"}
        assert parts["value"] == value
        change_part = parts.get("change_points") or parts["yoy_pct"]
        assert change_part == figure.change.magnitude

        # The exports: numbers as numbers, rounded as the pages round them
        response = client.get(f"/indicators/{indicator.code}/export.csv?org_unit={unit.code}&period={period}")
        row = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[2]
        assert Decimal(row[3]) == writing.rounded(figure.measures.value, figure.decimals)
        assert Decimal(row[5]) == writing.rounded(figure.change.value, figure.change.places)
        assert row[6] == str(figure.change.unit)
        response = client.get(f"/indicators/{indicator.code}/export.xlsx?org_unit={unit.code}&period={period}")
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
        assert Decimal(str(sheet.cell(row=3, column=4).value)) == writing.rounded(
            figure.measures.value, figure.decimals
        )


def test_the_off_track_list_writes_a_rate_s_gap_in_points(plans: Plans, with_rate: Indicator, client: Client) -> None:
    # Growth of 5,97 % against a plan of 8,5 %: 2,53 points behind, not "-29,8"
    _status, html = get(client, "/off-track/?org_unit=74&period=202306")

    rows = {(r["indicator"], r["unit"]): r for r in rows_in(section(html, "<tbody>", "</tbody>"))}
    growth = rows[("GROWTH", "74")]
    assert vi(growth["gap"]) == "-2,53 điểm %"

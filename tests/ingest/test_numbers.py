"""How a number written by a person is read: never guessed.

"2.500" is two thousand five hundred to a Vietnamese reader and two and a half to an English
one; a file that says it is refused with advice, never stored one way or the other. Every case
runs through the whole import, so on PostgreSQL it also exercises the SQL path.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from openpyxl import Workbook

from bench.datasets import SPECS, Files, generate
from dieuhanh.figures.models import DataValue
from dieuhanh.indicators.metadata import metadata_load
from dieuhanh.ingest.services import import_file, issue_text
from tests.conftest import Tree
from tests.factories import IndicatorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def revenue(tree: Tree) -> Any:
    return IndicatorFactory(code="BUDGET_REV", period_type="monthly")


def one_value_csv(value: str) -> bytes:
    return f'indicator,org_unit,period,value\nBUDGET_REV,718,202401,"{value}"\n'.encode()


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("1.234.567", "1234567"),
        ("1.234.567,89", "1234567.89"),
        ("1.234,5", "1234.5"),
        ("1,234.5", "1234.5"),
        ("1,234,567", "1234567"),
        ("-1.234.567", "-1234567"),
        ("1234.5", "1234.5"),
        ("1234,5", "1234.5"),
        ("1,5", "1.5"),
        ("12.34", "12.34"),
        ("1234", "1234"),
        ("0.125", "0.125"),
        ("0,125", "0.125"),
        ("1234.567", "1234.567"),
        ("1,2340", "1.234"),
        ("2 500", "2500"),
        ("1e3", "1000"),
    ],
)
def test_a_number_that_can_be_read_one_way_only_is_stored(revenue: Any, written: str, stored: str) -> None:
    result = import_file(content=one_value_csv(written), filename="x.csv")

    assert result.ok, [i.message for i in result.issues]
    assert DataValue.objects.get().value == Decimal(stored)


@pytest.mark.parametrize("written", ["2.500", "1.234", "1,234", "-1.234", "999,000", "+1.000"])
def test_a_number_with_one_mark_and_three_digits_after_it_is_refused_as_ambiguous(revenue: Any, written: str) -> None:
    result = import_file(content=one_value_csv(written), filename="x.csv")

    assert [(i.line, i.column, i.value) for i in result.issues] == [(2, "value", written)]
    assert "không rõ nghĩa" in result.issues[0].message  # ambiguous
    assert not DataValue.objects.exists()


def test_the_ambiguity_message_says_in_vietnamese_how_to_write_either_number(revenue: Any) -> None:
    with translation.override("vi"):
        result = import_file(content=one_value_csv("2.500"), filename="x.csv")
        (line,) = [issue_text(i) for i in result.issues]

    assert line.startswith("Dòng 2, cột value: '2.500' không rõ nghĩa")
    assert "hãy viết 2500" in line  # two thousand five hundred
    assert "hãy viết 2.5" in line  # two and a half


def test_advice_for_a_decimal_comma_keeps_the_comma_and_adds_a_digit(revenue: Any) -> None:
    with translation.override("vi"):
        (issue,) = import_file(content=one_value_csv("1,234"), filename="x.csv").issues

    assert "1234" in issue.message
    assert "1,2340" in issue.message


@pytest.mark.parametrize("written", ["1.234.56", "1.23.456", "12,34,567", "1.234,567.8", "1..5", "1,5e"])
def test_a_badly_grouped_number_is_not_a_number(revenue: Any, written: str) -> None:
    result = import_file(content=one_value_csv(written), filename="x.csv")

    assert [(i.line, i.column) for i in result.issues] == [(2, "value")]
    assert not DataValue.objects.exists()


def test_the_unquoted_row_with_a_decimal_comma_is_refused_not_cut(revenue: Any) -> None:
    # Read as 1.234 with the fifth cell dropped, it stored a figure a thousand times too small.
    content = b"indicator,org_unit,period,value\nBUDGET_REV,719,202401,1.234,5\nBUDGET_REV,719,202402,7\n"

    result = import_file(content=content, filename="x.csv")

    assert [i.line for i in result.issues] == [2]
    assert "có 5 ô" in result.issues[0].message  # 5 cells
    assert "4 cột" in result.issues[0].message  # 4 columns
    assert not DataValue.objects.exists()


def test_every_row_with_too_many_cells_is_named(revenue: Any) -> None:
    content = (
        b"indicator,org_unit,period,value,comment\n"
        b"BUDGET_REV,718,202401,1,a,b\n"
        b"BUDGET_REV,718,202402,2,ok\n"
        b"BUDGET_REV,718,202403,3,c,d,e\n"
    )

    result = import_file(content=content, filename="x.csv")

    assert [i.line for i in result.issues] == [2, 4]
    assert not DataValue.objects.exists()


def test_a_row_may_leave_out_the_trailing_comment_but_not_a_figure(revenue: Any) -> None:
    complete = b"indicator,org_unit,period,value,comment\nBUDGET_REV,718,202401,1\n"
    short = b"indicator,org_unit,value,period,comment\nBUDGET_REV,718,1\n"

    assert import_file(content=complete, filename="a.csv").ok
    result = import_file(content=short, filename="b.csv")

    assert [(i.line, i.column) for i in result.issues] == [(2, "period")]
    assert "có 3 ô" in result.issues[0].message
    assert DataValue.objects.get().comment == ""


def test_a_value_with_more_decimals_than_kept_is_refused_not_rounded(revenue: Any) -> None:
    result = import_file(content=one_value_csv("2.0000005"), filename="x.csv")

    assert [(i.line, i.column) for i in result.issues] == [(2, "value")]
    assert "hơn 6 chữ số thập phân" in result.issues[0].message
    assert not DataValue.objects.exists()


def test_trailing_zeros_beyond_six_decimals_are_not_more_precision(revenue: Any) -> None:
    assert import_file(content=one_value_csv("2.50000000"), filename="x.csv").ok
    assert DataValue.objects.get().value == Decimal("2.5")


def xlsx(*rows: list[Any]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["indicator", "org_unit", "period", "value"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_excel_number_cell_is_never_ambiguous_but_a_text_cell_can_be(revenue: Any) -> None:
    numbers = xlsx(["BUDGET_REV", "718", "202401", 1.234], ["BUDGET_REV", "718", "202402", 2500])
    text = xlsx(["BUDGET_REV", "718", "202403", "2.500"])

    assert import_file(content=numbers, filename="so.xlsx").ok
    assert sorted(DataValue.objects.values_list("value", flat=True)) == [Decimal("1.234"), Decimal(2500)]
    result = import_file(content=text, filename="chu.xlsx")
    assert [(i.line, i.column) for i in result.issues] == [(2, "D")]
    assert "không rõ nghĩa" in result.issues[0].message  # ambiguous


def test_an_excel_text_cell_with_any_space_around_its_number_is_read(revenue: Any) -> None:
    assert import_file(content=xlsx(["BUDGET_REV", "718", "202401", "\u2003 1.234,5\u00a0"]), filename="x.xlsx").ok
    assert DataValue.objects.get().value == Decimal("1234.5")


def test_an_excel_number_is_read_as_excel_shows_it(revenue: Any) -> None:
    # 0.1 + 0.2 in a formula is stored by Excel as 0.30000000000000004 and shown as 0.3.
    assert import_file(content=xlsx(["BUDGET_REV", "718", "202401", 0.1 + 0.2]), filename="x.xlsx").ok
    assert DataValue.objects.get().value == Decimal("0.3")


def test_a_value_in_a_sheet_column_without_a_header_is_refused(revenue: Any) -> None:
    result = import_file(content=xlsx(["BUDGET_REV", "718", "202401", 1, 5]), filename="x.xlsx")

    assert [(i.line, i.column) for i in result.issues] == [(2, "E")]
    assert not DataValue.objects.exists()


def test_the_benchmark_files_are_read_without_a_refusal(db: None, tmp_path: Any) -> None:
    # The benchmark writes its figures with the decimals of each indicator: none may read two ways.
    manifest = generate(SPECS["tiny"], tmp_path)
    files = Files(tmp_path)
    metadata_load(document=json.loads(files.catalogue.read_text(encoding="utf-8")))

    result = import_file(content=files.values.read_bytes(), filename="values.csv")

    assert result.ok, [i.message for i in result.issues[:3]]
    assert result.batch.rows_created == manifest["values"]

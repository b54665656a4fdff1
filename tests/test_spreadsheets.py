"""Every CSV and XLSX the product writes makes a text that reads as a formula text (= + - @, a tab or
a carriage return first), and leaves its own numbers numbers."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.test import Client
from openpyxl import Workbook

from dieuhanh.figures.models import ImportBatch
from dieuhanh.ingest.services import import_file, issues_as_csv
from dieuhanh.ingest.xlsx import xlsx_template_build
from dieuhanh.spreadsheets import csv_cell, xlsx_append, xlsx_cell
from tests.conftest import Tree
from tests.factories import IndicatorFactory, put

ATTACK = "=cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (ATTACK, "'" + ATTACK),
        ("+84 912", "'+84 912"),
        ("-Xã", "'-Xã"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Xã = 1", "Xã = 1"),
        ("", ""),
        (-5, -5),
        (-5.5, -5.5),
        (None, None),
    ],
)
def test_a_csv_cell_that_reads_as_a_formula_gets_an_apostrophe_and_a_number_stays(
    value: object, written: object
) -> None:
    assert csv_cell(value) == written


def test_an_xlsx_cell_that_reads_as_a_formula_is_text_as_written_and_a_number_stays_a_number() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    xlsx_cell(sheet["A1"], ATTACK)
    xlsx_append(sheet, ["-Xã", -5, "Xã", "@x"])
    out = io.BytesIO()
    workbook.save(out)

    read = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    assert read is not None
    a1 = read["A1"]
    # A text, never a formula; shown as written with Excel's leading apostrophe (quotePrefix)
    assert (a1.value, a1.data_type, a1.quotePrefix) == (ATTACK, "s", True)
    assert [(c.value, c.data_type, c.quotePrefix) for c in read[2]] == [
        ("-Xã", "s", True),
        (-5, "n", False),
        ("Xã", "s", False),
        ("@x", "s", True),
    ]


@pytest.mark.django_db
def test_the_import_error_report_echoes_formula_cells_as_text(tree: Tree) -> None:
    IndicatorFactory(code="REV", period_type="monthly")
    content = f'indicator,org_unit,period,value\nREV,"{ATTACK}",202301,5\nREV,718,202301,"-@x"\n'.encode()

    result = import_file(content=content, filename="so-lieu.csv")

    assert not result.ok
    batch = ImportBatch.objects.get(pk=result.batch.pk)
    rows = list(csv.reader(io.StringIO(issues_as_csv(batch.errors).decode("utf-8-sig"))))
    by_line = {row[0]: row for row in rows[1:]}
    assert by_line["2"][3] == "'" + ATTACK
    assert by_line["3"][3] == "'-@x"
    # every cell of the report is safe, including the problems that quote the cells
    assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_the_error_report_keeps_line_numbers_as_numbers() -> None:
    report = issues_as_csv([{"line": 7, "sheet": "@Sheet", "column": "value", "value": "-12", "message": "x"}])

    (_heading, row) = list(csv.reader(io.StringIO(report.decode("utf-8-sig"))))
    assert row == ["7", "'@Sheet", "value", "'-12", "x"]


@pytest.fixture
def hostile(tree: Tree) -> Tree:
    """A catalogue whose names read as formulas, and a negative figure."""
    indicator = IndicatorFactory(code="NET", name=ATTACK, unit="+đồng", is_public=True, decimals=0)
    tree.district_a.name = "@SUM(1+1)*cmd|' /C calc'!A0"
    tree.district_a.save()
    put(indicator, tree.district_a, "202301", -5)
    put(indicator, tree.district_b, "202301", 3)
    return tree


@pytest.mark.django_db
def test_the_indicator_csv_makes_names_text_and_keeps_a_negative_figure_a_number(hostile: Tree, client: Client) -> None:
    response = client.get("/indicators/NET/export.csv?org_unit=74&period=202301")

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["'" + ATTACK, "'+đồng"]
    (district_a,) = [r for r in rows if r[0] == "718"]
    assert district_a[1] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert district_a[3] == "-5"  # the product's own figure: a number, not a text


@pytest.mark.django_db
def test_the_indicator_xlsx_makes_names_text_and_keeps_a_negative_figure_a_number(
    hostile: Tree, client: Client
) -> None:
    response = client.get("/indicators/NET/export.xlsx?org_unit=74&period=202301")

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert (sheet["A1"].value, sheet["A1"].data_type, sheet["A1"].quotePrefix) == (ATTACK, "s", True)
    (row,) = [r for r in sheet.iter_rows(min_row=3) if r[0].value == "718"]
    assert (row[1].data_type, row[1].quotePrefix) == ("s", True)
    assert (row[3].value, row[3].data_type) == (-5, "n")


@pytest.mark.django_db
def test_the_xlsx_template_makes_catalogue_texts_text_and_still_round_trips(tree: Tree) -> None:
    indicator = IndicatorFactory(code="=REV", name=ATTACK, unit="-", period_type="monthly")
    tree.district_a.name = "+Thủ Dầu Một"
    tree.district_a.save()

    template = xlsx_template_build(org_unit=tree.district_a, year=2023, indicators=[indicator])

    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    assert not [
        cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"
    ]  # not a formula anywhere
    code, name, unit = sheet["A5"], sheet["B5"], sheet["C5"]
    assert (code.value, code.quotePrefix) == ("=REV", True)
    assert (name.value, name.quotePrefix) == (ATTACK, True)
    assert (unit.value, unit.quotePrefix) == ("-", True)
    sheet["D5"].value = -7  # January
    out = io.BytesIO()
    workbook.save(out)

    result = import_file(content=out.getvalue(), filename="mau.xlsx")

    assert result.ok, [i.message for i in result.issues]
    assert indicator.data_values.get().value == -7

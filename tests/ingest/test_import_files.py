"""Imports: every format, every validation rule, all-or-nothing, idempotence and history."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from dieuhanh.figures.models import DataValue, DataValueChange, ImportBatch
from dieuhanh.ingest.services import import_file, issue_text, issues_as_csv
from dieuhanh.ingest.xlsx import xlsx_template_build
from tests.conftest import Tree
from tests.factories import IndicatorFactory, put

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(tree: Tree) -> Tree:
    IndicatorFactory(code="REV", period_type="monthly", min_value=0)
    IndicatorFactory(code="GRDP", period_type="quarterly")
    IndicatorFactory(code="POOR", period_type="yearly", aggregation="last")
    IndicatorFactory(code="RATE_IN", period_type="monthly", max_value=100, min_value=0)
    solved = IndicatorFactory(code="SOLVED")
    received = IndicatorFactory(code="RECEIVED")
    IndicatorFactory(code="RATE", aggregation="ratio", numerator=solved, denominator=received, factor=100)
    return tree


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def values() -> dict[tuple[str, str, str], Decimal]:
    return {
        (v.indicator.code, v.org_unit.code, v.period): v.value
        for v in DataValue.objects.select_related("indicator", "org_unit")
    }


def test_a_good_csv_is_stored_with_its_history(catalogue: Tree, owner) -> None:  # type: ignore[no-untyped-def]
    content = csv_bytes(
        "indicator,org_unit,period,value,comment",
        "REV,718,202301,1234.5,ước tính",
        "REV,719,202301,10,",
        "GRDP,74,2023Q1,99999.25,",
        "POOR,74,2023,1500,",
    )

    result = import_file(content=content, filename="so-lieu.csv", user=owner)

    assert result.ok
    assert result.batch.status == "committed"
    assert (result.batch.rows_total, result.batch.rows_created, result.batch.rows_updated) == (4, 4, 0)
    assert values() == {
        ("REV", "718", "202301"): Decimal("1234.5"),
        ("REV", "719", "202301"): Decimal(10),
        ("GRDP", "74", "2023Q1"): Decimal("99999.25"),
        ("POOR", "74", "2023"): Decimal(1500),
    }
    stored = DataValue.objects.get(indicator__code="REV", org_unit__code="718")
    assert stored.comment == "ước tính"
    assert stored.period_start == dt.date(2023, 1, 1)
    assert (stored.created_by, stored.updated_by, stored.created_batch) == (owner, owner, result.batch)
    assert stored.created_at is not None
    assert stored.created_at == stored.updated_at
    assert (stored.status, stored.batch) == ("approved", result.batch)
    assert not DataValueChange.objects.exists()  # a creation is recorded on the value, not in the change log


def test_reimporting_the_same_file_changes_nothing(catalogue: Tree) -> None:
    content = csv_bytes("indicator,org_unit,period,value", "REV,718,202301,5", "REV,718,202302,6")
    import_file(content=content, filename="a.csv")
    history = DataValueChange.objects.count()

    again = import_file(content=content, filename="a.csv")

    assert again.ok
    assert (again.batch.rows_created, again.batch.rows_updated, again.batch.rows_unchanged) == (0, 0, 2)
    assert DataValue.objects.count() == 2
    assert DataValueChange.objects.count() == history


def test_a_changed_value_keeps_who_when_old_and_new_and_the_batch(catalogue: Tree, owner) -> None:  # type: ignore[no-untyped-def]
    first = import_file(content=csv_bytes("indicator,org_unit,period,value", "REV,718,202301,5"), filename="a.csv")
    second = import_file(
        content=csv_bytes("indicator,org_unit,period,value", "REV,718,202301,7.5"), filename="b.csv", user=owner
    )

    assert second.batch.rows_updated == 1
    change = DataValueChange.objects.get(action="update")
    assert (change.old_value, change.new_value) == (Decimal(5), Decimal("7.5"))
    assert change.batch == second.batch
    assert change.changed_by == owner
    assert change.changed_at is not None
    assert DataValue.objects.get().batch == second.batch != first.batch


def test_a_csv_with_ten_bad_rows_stores_nothing_and_names_all_ten(catalogue: Tree) -> None:
    put(IndicatorFactory(code="REV"), catalogue.district_a, "202212", 1)  # already stored; must stay untouched
    content = csv_bytes(
        "indicator,org_unit,period,value,comment",
        "REV,718,202301,100,",  # line 2: good
        "NOPE,718,202301,1,",  # line 3: unknown indicator
        "REV,999,202301,1,",  # line 4: unknown unit
        "REV,718,2023-01,1,",  # line 5: malformed period
        "REV,718,2023Q1,1,",  # line 6: quarter for a monthly indicator
        "REV,718,202302,abc,",  # line 7: not a number
        "REV,718,202303,-5,",  # line 8: below the minimum 0
        "REV,718,202301,100,",  # line 9: duplicate of line 2
        "RATE_IN,718,202301,120,",  # line 10: above the maximum 100
        "REV,718,202304,12,",  # line 11: good
        "REV,718,202305,,",  # line 12: empty value
        "RATE,718,202301,50,",  # line 13: a ratio is computed, not imported
    )

    result = import_file(content=content, filename="loi.csv")

    assert not result.ok
    assert sorted({i.line for i in result.issues}) == [3, 4, 5, 6, 7, 8, 9, 10, 12, 13]
    assert DataValue.objects.count() == 1
    assert DataValue.objects.get().value == Decimal(1)
    assert result.batch.status == "failed"
    assert len(result.batch.errors) == 10
    assert not DataValueChange.objects.exists()


def test_the_error_list_says_line_and_column_in_vietnamese(catalogue: Tree) -> None:
    content = csv_bytes("indicator,org_unit,period,value", "REV,718,2023-01,1", "REV,718,202302,1.234")

    with translation.override("vi"):
        result = import_file(content=content, filename="loi.csv")
        lines = [issue_text(i) for i in result.issues]

    assert lines[0].startswith("Dòng 2, cột period:")
    assert "2023-01" in lines[0]
    assert lines[1].startswith("Dòng 3, cột value:")
    assert "không rõ nghĩa" in lines[1]


def test_the_error_report_is_a_csv_excel_can_open(catalogue: Tree) -> None:
    result = import_file(content=csv_bytes("indicator,org_unit,period,value", "NOPE,718,202301,1"), filename="x.csv")

    report = issues_as_csv(result.batch.errors)

    assert report.startswith("\ufeff".encode())
    text = report.decode("utf-8-sig")
    assert "NOPE" in text
    assert text.splitlines()[1].startswith("2,")


def test_a_unit_that_no_longer_existed_cannot_report(catalogue: Tree) -> None:
    catalogue.district_b.valid_to = dt.date(2025, 6, 30)
    catalogue.district_b.save()

    result = import_file(
        content=csv_bytes("indicator,org_unit,period,value", "REV,719,202506,1", "REV,719,202507,1"), filename="x.csv"
    )

    assert [(i.line, i.column) for i in result.issues] == [(3, "org_unit")]


def test_a_period_or_unit_given_on_many_lines_is_judged_for_each_indicator_and_line(catalogue: Tree) -> None:
    # Given a district gone after June, and one period code that suits one indicator and not another
    catalogue.district_b.valid_to = dt.date(2025, 6, 30)
    catalogue.district_b.save()
    content = csv_bytes(
        "indicator,org_unit,period,value",
        "REV,719,202507,1",  # line 2: the district no longer existed
        "REV,718,202507,1",  # line 3: good
        "RATE_IN,719,202507,2",  # line 4: as line 2
        "REV,718,2025Q1,1",  # line 5: a quarter for a monthly indicator
        "REV,719,2025Q1,1",  # line 6: as line 5
        "GRDP,718,2025Q1,1",  # line 7: good, the same code for a quarterly indicator
        "GRDP,718,202507,1",  # line 8: a month for a quarterly indicator
    )

    # When it is imported
    result = import_file(content=content, filename="x.csv")

    # Then every line with a mistake is named, and only those
    assert [(i.line, i.column) for i in result.issues] == [
        (2, "org_unit"),
        (4, "org_unit"),
        (5, "period"),
        (6, "period"),
        (8, "period"),
    ]


def test_a_unit_valid_for_part_of_a_year_may_report_that_year(catalogue: Tree) -> None:
    catalogue.district_b.valid_to = dt.date(2025, 6, 30)
    catalogue.district_b.save()

    result = import_file(content=csv_bytes("indicator,org_unit,period,value", "POOR,719,2025,1"), filename="x.csv")

    assert result.ok


def test_numbers_may_use_a_decimal_comma_and_semicolons_as_excel_writes_them(catalogue: Tree) -> None:
    content = b"indicator;org_unit;period;value\nREV;718;202301;1234,5\n"

    result = import_file(content=content, filename="excel.csv")

    assert result.ok
    assert values()[("REV", "718", "202301")] == Decimal("1234.5")


def test_a_csv_in_the_legacy_vietnamese_code_page_is_read(catalogue: Tree) -> None:
    # "Ước" in Windows-1258: Ư, ơ followed by a combining acute accent, c.
    content = b"indicator,org_unit,period,value,comment\nREV,718,202301,1,\xdd\xf5\xecc\n"

    assert import_file(content=content, filename="cu.csv").ok
    assert DataValue.objects.get().comment == "Ước"


def test_a_csv_with_a_wrong_header_says_what_the_header_must_be(catalogue: Tree) -> None:
    result = import_file(content=csv_bytes("chi_tieu,don_vi,ky,gia_tri", "REV,718,202301,1"), filename="x.csv")

    assert not result.ok
    assert result.issues[0].line == 1
    assert "indicator,org_unit,period,value" in result.issues[0].message


def test_an_empty_file_is_rejected_with_a_message(catalogue: Tree) -> None:
    result = import_file(content=b"indicator,org_unit,period,value\n", filename="x.csv")

    assert not result.ok
    assert DataValue.objects.count() == 0


def test_a_dry_run_counts_but_writes_nothing(catalogue: Tree) -> None:
    put(IndicatorFactory(code="REV"), catalogue.district_a, "202301", 1)

    result = import_file(
        content=csv_bytes("indicator,org_unit,period,value", "REV,718,202301,2", "REV,718,202302,3"),
        filename="x.csv",
        dry_run=True,
    )

    assert result.ok
    assert result.batch.status == "dry_run"
    assert (result.batch.rows_created, result.batch.rows_updated) == (1, 1)
    assert values() == {("REV", "718", "202301"): Decimal(1)}
    assert not DataValueChange.objects.exists()


def test_dhis2_json_is_matched_by_code_and_errors_point_at_the_json_line(catalogue: Tree) -> None:
    document = {
        "dataSet": "KTXH",
        "completeDate": "2023-02-05",
        "dataValues": [
            {"dataElement": "REV", "period": "202301", "orgUnit": "718", "value": "12.5", "comment": "ok"},
            {"dataElement": "GRDP", "period": "2023Q1", "orgUnit": "74", "value": 100},
        ],
    }

    assert import_file(content=json.dumps(document, indent=2).encode(), filename="dhis2.json").ok
    assert values() == {("REV", "718", "202301"): Decimal("12.5"), ("GRDP", "74", "2023Q1"): Decimal(100)}

    bad = json.dumps(
        {
            "dataValues": [
                {"dataElement": "REV", "period": "202301", "orgUnit": "718", "value": 1},
                {"dataElement": "REV", "period": "202301", "orgUnit": "X", "value": 1},
            ]
        },
        indent=2,
    )
    result = import_file(content=bad.encode(), filename="dhis2.json")
    assert [(i.line, i.column) for i in result.issues] == [(9, "orgUnit")]


def test_dhis2_json_takes_period_and_unit_from_the_set_when_values_omit_them(catalogue: Tree) -> None:
    document = {"period": "202303", "orgUnit": "719", "dataValues": [{"dataElement": "REV", "value": "4"}]}

    assert import_file(content=json.dumps(document).encode(), filename="set.json").ok
    assert values() == {("REV", "719", "202303"): Decimal(4)}


def test_dhis2_csv_with_the_header_dhis2_writes(catalogue: Tree) -> None:
    content = csv_bytes(
        "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup",
        "REV,202301,718,HllvX50cXC0,HllvX50cXC0,8,admin,2023-02-01,từ DHIS2,false",
        "REV,202302,718,,,9,,,,",
    )

    assert import_file(content=content, filename="dhis2.csv").ok
    assert values() == {("REV", "718", "202301"): Decimal(8), ("REV", "718", "202302"): Decimal(9)}
    assert DataValue.objects.get(period="202301").comment == "từ DHIS2"


def test_the_xlsx_template_round_trips_and_is_prefilled(catalogue: Tree) -> None:
    rev = IndicatorFactory(code="REV")
    put(rev, catalogue.district_a, "202301", 11)
    template = xlsx_template_build(
        org_unit=catalogue.district_a,
        year=2023,
        indicators=list(type(rev).objects.filter(code__in=["REV", "GRDP", "RATE"])),
    )
    workbook = load_workbook(io.BytesIO(template))
    monthly, quarterly = workbook.worksheets[0], workbook.worksheets[1]
    row = next(r for r in range(5, 10) if monthly.cell(row=r, column=1).value == "REV")
    assert monthly.cell(row=row, column=4).value == 11  # January prefilled
    assert [monthly.cell(row=r, column=1).value for r in range(5, 7)] == ["REV", None]  # the ratio is not entered
    monthly.cell(row=row, column=5).value = 12.5  # February
    monthly.cell(row=row, column=15).value = 20  # December
    quarterly.cell(row=5, column=5).value = 300  # GRDP, quarter II
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = import_file(content=buffer.getvalue(), filename="mau-nhap-718-2023.xlsx")

    assert result.ok, [i.message for i in result.issues]
    assert (result.batch.rows_created, result.batch.rows_unchanged) == (3, 1)
    assert values() == {
        ("REV", "718", "202301"): Decimal(11),
        ("REV", "718", "202302"): Decimal("12.5"),
        ("REV", "718", "202312"): Decimal(20),
        ("GRDP", "718", "2023Q2"): Decimal(300),
    }


def test_an_xlsx_error_names_the_sheet_row_and_column(catalogue: Tree) -> None:
    template = xlsx_template_build(org_unit=catalogue.district_a, year=2023, indicators=[IndicatorFactory(code="REV")])
    workbook = load_workbook(io.BytesIO(template))
    workbook.worksheets[0].cell(row=5, column=6).value = "nhiều"  # March
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = import_file(content=buffer.getvalue(), filename="mau.xlsx")

    (issue,) = result.issues
    assert (issue.sheet, issue.line, issue.column) == (workbook.worksheets[0].title, 5, "F")


def test_a_plain_sheet_with_the_csv_header_is_read_too(catalogue: Tree) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["indicator", "org_unit", "period", "value"])
    sheet.append(["REV", "718", 202301, 3])
    buffer = io.BytesIO()
    workbook.save(buffer)

    assert import_file(content=buffer.getvalue(), filename="bang.xlsx").ok
    assert values() == {("REV", "718", "202301"): Decimal(3)}


def test_an_old_xls_file_is_refused_with_advice(catalogue: Tree) -> None:
    result = import_file(content=b"\xd0\xcf\x11\xe0 old excel", filename="cu.xls")

    assert not result.ok
    assert ".xlsx" in result.issues[0].message


def test_a_failed_import_is_logged_without_touching_values(catalogue: Tree) -> None:
    import_file(content=csv_bytes("indicator,org_unit,period,value", "NOPE,718,202301,1"), filename="x.csv")

    assert ImportBatch.objects.get().status == "failed"
    assert not DataValue.objects.exists()

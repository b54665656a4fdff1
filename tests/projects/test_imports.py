"""Files of the register: the projects and the Treasury's monthly disbursement, as CSV and XLSX —
all or nothing, every error by line and column, a dry run, the history of each attempt, the
templates, and the same through the API."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from unittest import mock

import pytest
from django.test import override_settings
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from dieuhanh.figures.choices import ImportStatus
from dieuhanh.figures.models import DataValue
from dieuhanh.projects.choices import DecisionKind, ProjectImportKind
from dieuhanh.projects.commands_exchange import handle_import, parser_for_tests
from dieuhanh.projects.imports import project_import, template_csv, template_xlsx
from dieuhanh.projects.models import Disbursement, Project, ProjectImport
from dieuhanh.projects.services import projects_figures_refresh
from tests.factories import OrgUnitFactory
from tests.projects.conftest import Register, project

pytestmark = pytest.mark.django_db

REGISTER_HEADER = (
    "code,name,investor,group,sector,stage,sources,total_investment,communes,start,planned_completion,"
    "approval_decision,approval_decision_date,longitude,latitude"
)


@pytest.fixture(autouse=True)
def refresh() -> Iterator[mock.MagicMock]:
    """The register's figures refresh, watched: an import calls it once at its end."""
    with mock.patch("dieuhanh.projects.services.projects_figures_refresh") as refresh:
        yield refresh


def csv_file(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def where(result: object) -> list[tuple[int | None, str]]:
    return [(i.line, i.column) for i in result.issues]  # type: ignore[attr-defined]


def test_a_register_file_creates_its_projects_with_units_decisions_and_a_point(
    register: Register, refresh: mock.MagicMock
) -> None:
    content = csv_file(
        REGISTER_HEADER,
        '7701,Đường ĐT 741,SGTVT,B,transport,implementation,provincial;central,"125000,5",25741;25744,'
        "01/03/2023,31/12/2025,3679/QĐ-UBND,20/12/2022,106.652,10.98",
        "7702,Bệnh viện 1.500 giường,SYT,A,health,,provincial,2500000,25816,2023-06-01,,,,,",
    )
    result = project_import(kind=ProjectImportKind.REGISTER, content=content, filename="du-an.csv")
    assert result.ok, result.issues
    road = Project.objects.get(code="7701")
    assert road.investor == register.transport
    assert road.total_investment == Decimal("125000.5")
    assert road.sources == ["provincial", "central"]
    assert sorted(road.locations.values_list("code", flat=True)) == ["25741", "25744"]
    assert road.geometry == {"type": "Point", "coordinates": [106.652, 10.98]}
    assert list(road.decisions.values_list("kind", "number", "date")) == [
        (DecisionKind.APPROVAL, "3679/QĐ-UBND", dt.date(2022, 12, 20))
    ]
    assert Project.objects.get(code="7702").stage == "implementation"
    record = result.record
    assert (record.status, record.rows_total, record.rows_created, record.rows_updated) == (
        ImportStatus.COMMITTED,
        2,
        2,
        0,
    )
    assert (record.kind, record.file_format) == (ProjectImportKind.REGISTER, "csv")
    refresh.assert_called_once()


def test_importing_the_same_register_again_changes_nothing_and_counts_it_unchanged(register: Register) -> None:
    content = csv_file(REGISTER_HEADER, "7701,Đường ĐT 741,SGTVT,B,transport,,provincial,125000,25741,,,,,,")
    assert project_import(kind="register", content=content, filename="a.csv").ok
    again = project_import(kind="register", content=content, filename="a.csv")
    assert (again.record.rows_created, again.record.rows_updated, again.record.rows_unchanged) == (0, 0, 1)


def test_a_register_file_with_bad_rows_is_refused_whole_each_error_at_its_line_and_column(
    register: Register, refresh: mock.MagicMock
) -> None:
    content = csv_file(
        REGISTER_HEADER,
        "7701,Đường ĐT 741,SGTVT,B,transport,,provincial,125000,25741,,,,,,",
        "7702,Trường học,SXX,B,education,,provincial,2.500,25741,,,,,,",
        "7703,Kè sông,SGTVT,Z,irrigation,,budget,1000,99999,31/02/2024,,,,,",
        "7701,Lặp lại,SGTVT,B,transport,,provincial,1000,25741,,,,,,",
    )
    result = project_import(kind="register", content=content, filename="du-an.csv")
    assert not result.ok
    assert Project.objects.count() == 0
    refresh.assert_not_called()
    assert where(result) == [
        (3, "C (investor)"),
        (3, "H (total_investment)"),
        (4, "D (group)"),
        (4, "G (sources)"),
        (4, "I (communes)"),
        (4, "J (start)"),
        (5, "A (code)"),
    ]
    messages = [i.message for i in result.issues]
    assert "SXX" in messages[0]
    assert "2500" in messages[1]
    assert "2.5" in messages[1]
    assert "line 2" in messages[-1] or "dòng 2" in messages[-1]
    record = ProjectImport.objects.get()
    assert record.status == ImportStatus.FAILED
    assert [(e["line"], e["column"]) for e in record.errors] == where(result)


def test_a_dry_run_checks_and_counts_but_writes_nothing(register: Register, refresh: mock.MagicMock) -> None:
    content = csv_file(REGISTER_HEADER, "7701,Đường ĐT 741,SGTVT,B,transport,,provincial,125000,25741,,,,,,")
    result = project_import(kind="register", content=content, filename="du-an.csv", dry_run=True)
    assert result.ok
    assert Project.objects.count() == 0
    refresh.assert_not_called()
    assert (result.record.status, result.record.rows_created) == (ImportStatus.DRY_RUN, 1)
    assert ProjectImport.objects.filter(status=ImportStatus.DRY_RUN).count() == 1


def test_a_commune_code_names_the_unit_valid_at_the_rows_start(register: Register) -> None:
    tree = register.tree
    old = OrgUnitFactory(code="25800", name="Xã cũ", parent=tree.district_b, valid_to=dt.date(2025, 6, 30))
    line = "7701,Đường,SGTVT,B,transport,,provincial,1000,25800,{start},,,,,"
    assert project_import(
        kind="register", content=csv_file(REGISTER_HEADER, line.format(start="01/01/2024")), filename="a.csv"
    ).ok
    assert list(Project.objects.get(code="7701").locations.all()) == [old]
    late = project_import(
        kind="register", content=csv_file(REGISTER_HEADER, line.format(start="01/01/2026")), filename="b.csv"
    )
    assert where(late) == [(2, "I (communes)")]
    assert "25800" in late.issues[0].message


def test_the_templates_headers_in_vietnamese_with_their_keys_read_back(register: Register) -> None:
    header = template_csv(ProjectImportKind.REGISTER).decode("utf-8-sig").strip()
    assert header.startswith("Mã dự án (code),")
    rows = next(csv.reader([header]))
    # A choice by its code or its name ("Group B"), a number grouped the Vietnamese way.
    values = {"code": "7701", "name": "Đường", "investor": "SGTVT", "group": "Group B", "sector": "Transport"}
    values |= {"total_investment": "1.250.000", "sources": "provincial budget; central"}
    line = io.StringIO()
    csv.writer(line).writerow([values.get(cell[cell.rindex("(") + 1 : -1], "") for cell in rows])
    result = project_import(kind="register", content=csv_file(header, line.getvalue().strip()), filename="mau.csv")
    assert result.ok, result.issues
    made = Project.objects.get(code="7701")
    assert (made.group, made.sector, made.total_investment, made.sources) == (
        "B",
        "transport",
        Decimal(1_250_000),
        ["provincial", "central"],
    )


def test_an_unknown_or_missing_column_is_named_in_the_header() -> None:
    result = project_import(kind="register", content=csv_file("code,name,colour", "1,a,red"), filename="a.csv")
    messages = " ".join(i.message for i in result.issues)
    assert (result.issues[0].line, result.issues[0].column) == (1, "C")
    assert "colour" in messages
    assert "investor" in messages
    assert "total_investment" in messages


def test_an_xlsx_template_filled_in_imports_and_its_bad_cells_are_named_by_letter(register: Register) -> None:
    workbook = load_workbook(io.BytesIO(template_xlsx(ProjectImportKind.REGISTER)))
    sheet = workbook.worksheets[0]
    keys = [cell.value[cell.value.rindex("(") + 1 : -1] for cell in sheet[1]]
    assert workbook.sheetnames[1] == "Hướng dẫn"

    def row(**values: object) -> list[object]:
        return [values.get(key) for key in keys]

    sheet.append(
        row(
            code=7701,
            name="Đường",
            investor="SGTVT",
            group="B",
            sector="transport",
            total_investment=1250.5,
            start=dt.date(2024, 1, 1),
            communes="25741",
        )
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = project_import(kind="register", content=buffer.getvalue(), filename="du-an.xlsx")
    assert result.ok, result.issues
    assert Project.objects.get(code="7701").start_on == dt.date(2024, 1, 1)
    assert result.record.file_format == "xlsx"

    sheet.append(row(code=7702, name="Cầu", investor="SGTVT", group="B", sector="transport", total_investment="abc"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    refused = project_import(kind="register", content=buffer.getvalue(), filename="du-an.xlsx")
    letter = "ABCDEFGHIJKLMNOPQRSTU"[keys.index("total_investment")]
    assert where(refused) == [(3, f"{letter} (total_investment)")]
    assert refused.issues[0].sheet == "Dự án"
    assert not Project.objects.filter(code="7702").exists()


def test_a_file_over_the_size_limit_is_refused_unread() -> None:
    with override_settings(DIEUHANH_IMPORT_MAX_BYTES=100):
        result = project_import(kind="register", content=b"x" * 200, filename="a.csv")
    assert not result.ok
    assert "MB" in result.issues[0].message


def test_an_xlsx_that_unpacks_beyond_the_limit_is_refused_unopened() -> None:
    workbook = Workbook()
    workbook.active.append(["x" * 1000] * 50)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with override_settings(DIEUHANH_IMPORT_MAX_UNCOMPRESSED_BYTES=10_000):
        result = project_import(kind="register", content=buffer.getvalue(), filename="a.xlsx")
    assert not result.ok
    assert "MB" in result.issues[0].message


DISBURSEMENT_HEADER = "project,plan_year,source,period,amount"


def test_a_treasury_file_writes_the_months_then_counts_them_unchanged(
    register: Register, refresh: mock.MagicMock
) -> None:
    project("7701", register.transport, plan={"provincial": 10_000})
    content = csv_file(
        DISBURSEMENT_HEADER,
        "7701,2024,provincial,202403,1500",
        '7701,2024,provincial,202404,"2250,75"',
        "7701,2024,provincial,202501,300",
    )
    result = project_import(kind="disbursement", content=content, filename="kbnn.csv")
    assert result.ok, result.issues
    assert sorted(Disbursement.objects.values_list("period", "amount")) == [
        ("202403", Decimal(1500)),
        ("202404", Decimal("2250.75")),
        ("202501", Decimal(300)),
    ]
    refresh.assert_called_once_with(years=[2024], user=None)
    again = project_import(kind="disbursement", content=content, filename="kbnn.csv")
    assert (again.record.rows_created, again.record.rows_unchanged) == (0, 3)


def test_after_a_treasury_file_the_provinces_figures_count_its_months(
    register: Register, refresh: mock.MagicMock, today: dt.date
) -> None:
    refresh.side_effect = projects_figures_refresh  # the register's own refresh, not a stand-in
    project("7701", register.transport, plan={"provincial": 1_000}, locations=[register.tree.commune_a1])
    content = csv_file(DISBURSEMENT_HEADER, "7701,2024,provincial,202406,300")
    assert project_import(kind="disbursement", content=content, filename="kbnn.csv").ok
    disbursed = DataValue.objects.get(indicator__code="PI_DISB", org_unit=register.tree.province, period="202406")
    assert disbursed.value == Decimal("0.3")  # tỷ đồng


def test_a_treasury_file_with_a_bad_row_writes_no_month(register: Register) -> None:
    project("7701", register.transport, plan={"provincial": 10_000})
    content = csv_file(
        DISBURSEMENT_HEADER,
        "7701,2024,provincial,202403,1500",
        "7799,2024,provincial,202403,10",
        "7701,2024,provincial,202502,10",
        "7701,2024,vốn lạ,2024-04,1.250",
        "7701,2024,provincial,202403,-5",
        "7701,2024,provincial,202403,20",
    )
    result = project_import(kind="disbursement", content=content, filename="kbnn.csv")
    assert where(result) == [
        (3, "A (project)"),
        (4, "D (period)"),
        (5, "C (source)"),
        (5, "D (period)"),
        (5, "E (amount)"),
        (6, "E (amount)"),
        (7, "A (project)"),
    ]
    assert Disbursement.objects.count() == 0
    assert "31" in result.issues[1].message  # the plan is disbursed by 31 January of the next year


def test_the_command_imports_a_file_and_refuses_a_bad_one_with_its_errors(register: Register, tmp_path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "du-an.csv"
    good.write_bytes(csv_file(REGISTER_HEADER, "7701,Đường,SGTVT,B,transport,,provincial,1000,25741,,,,,,"))
    out, err = io.StringIO(), io.StringIO()
    options = vars(parser_for_tests().parse_args(["import", str(good), "--kind", "register", "--dry-run"]))
    assert handle_import(options, stdout=out, stderr=err) == 0
    assert not Project.objects.exists()
    assert "1" in out.getvalue()
    bad = tmp_path / "sai.csv"
    bad.write_bytes(csv_file(REGISTER_HEADER, "7701,Đường,SGTVT,B,transport,,provincial,2.500,25741,,,,,,"))
    report = tmp_path / "loi.csv"
    options = vars(parser_for_tests().parse_args(["import", str(bad), "--error-report", str(report)]))
    assert handle_import(options, stdout=out, stderr=err) == 1
    assert "H (total_investment)" in err.getvalue()
    assert "H (total_investment)" in report.read_text(encoding="utf-8-sig")


def test_the_api_imports_a_file_with_a_dry_run_and_keeps_the_history(register: Register, owner, colleague) -> None:  # type: ignore[no-untyped-def]
    client = APIClient()
    content = csv_file(REGISTER_HEADER, "7701,Đường,SGTVT,B,transport,,provincial,1000,25741,,,,,,")

    def post(**data: object):  # type: ignore[no-untyped-def]
        return client.post(
            "/api/v1/projects/imports/",
            {"file": io.BytesIO(content), **data},
            format="multipart",
        )

    assert post(kind="register").status_code in (401, 403)
    client.force_authenticate(colleague)
    assert post(kind="register").status_code == 403
    client.force_authenticate(owner)
    assert post().status_code == 400  # no kind
    checked = post(kind="register", dry_run="true")
    assert checked.status_code == 200
    assert checked.json()["status"] == "dry_run"
    assert not Project.objects.exists()
    made = post(kind="register")
    assert made.status_code == 201
    assert made.json()["rows_created"] == 1
    assert Project.objects.filter(code="7701").exists()
    refused = client.post(
        "/api/v1/projects/imports/",
        {"file": io.BytesIO(csv_file(REGISTER_HEADER, "7702,x,SGTVT,B,transport,,,2.500,,,,,,,")), "kind": "register"},
        format="multipart",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["column"] == "H (total_investment)"
    history = client.get("/api/v1/projects/imports/").json()
    assert [r["status"] for r in history["results"]] == ["failed", "committed", "dry_run"]
    errors = client.get(f"/api/v1/projects/imports/{refused.json()['id']}/errors/")
    assert "H (total_investment)" in errors.content.decode("utf-8-sig")
    template = client.get("/api/v1/projects/imports/template/?kind=disbursement&file_format=csv")
    assert template.content.decode("utf-8-sig").startswith("Mã dự án (project),Năm kế hoạch (plan_year)")


def test_a_treasury_file_from_excel_in_vietnamese_separated_by_semicolons_reads_its_grouped_amounts(
    register: Register,
) -> None:
    project("7701", register.transport, plan={"provincial": 10_000})
    header = [
        "Mã dự án (project)",
        "Năm kế hoạch (plan_year)",
        "Nguồn vốn (source)",
        "Tháng (YYYYMM) (period)",
        "Số vốn giải ngân (triệu đồng) (amount)",
    ]
    content = "\ufeff" + ";".join(header) + "\n"
    content += "7701;2024;provincial;202403;1.500,5\n7701;2024;Provincial budget;202404;12,25\n"
    result = project_import(kind="disbursement", content=content.encode("utf-8"), filename="kbnn.csv")
    assert result.ok, result.issues
    assert sorted(Disbursement.objects.values_list("period", "amount")) == [
        ("202403", Decimal("1500.5")),
        ("202404", Decimal("12.25")),
    ]

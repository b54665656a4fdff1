"""The data-entry pages: who may use them, uploading files, the error report, the Excel template."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from dieuhanh.figures.models import DataValue, ImportBatch
from dieuhanh.ingest.services import import_file
from tests.conftest import Tree
from tests.factories import IndicatorFactory, SectorFactory, UserFactory, put

pytestmark = pytest.mark.django_db

GOOD_CSV = (
    "indicator,org_unit,period,value,comment\n"
    "REV,718,202301,1234.5,ước tính\n"
    "REV,719,202301,10,\n"
    "GRDP,74,2023Q1,99999.25,\n"
)


@pytest.fixture
def catalogue(tree: Tree) -> Tree:
    finance = SectorFactory(code="FIN", name="Tài chính")
    IndicatorFactory(code="REV", period_type="monthly", min_value=0, sector=finance)
    IndicatorFactory(code="GRDP", period_type="quarterly")
    return tree


@pytest.fixture
def operator(client: Client, owner: Any) -> Client:
    client.force_login(owner)
    return client


def upload(client: Client, content: str | bytes, *, name: str = "so-lieu.csv", dry_run: bool = False) -> Any:
    data: dict[str, Any] = {"file": SimpleUploadedFile(name, content.encode() if isinstance(content, str) else content)}
    if dry_run:
        data["dry_run"] = "on"
    return client.post("/imports/", data)


def stored() -> dict[tuple[str, str, str], Decimal]:
    return {
        (v.indicator.code, v.org_unit.code, v.period): v.value
        for v in DataValue.objects.select_related("indicator", "org_unit")
    }


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    for url in ("/imports/", "/imports/template.xlsx?org_unit=74&year=2023", "/imports/1/", "/imports/1/errors.csv"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=/imports/")


def test_a_colleague_without_the_permission_is_refused_with_a_message(
    catalogue: Tree, client: Client, colleague: Any
) -> None:
    client.force_login(colleague)

    client.cookies["django_language"] = "en"
    page = client.get("/imports/")
    posted = upload(client, GOOD_CSV)

    assert page.status_code == 403
    alert = page.content.decode().split('role="alert"')[1]
    assert "“Can add import batch”" in alert  # says which permission to ask for
    assert posted.status_code == 403
    assert stored() == {}
    assert client.get("/imports/template.xlsx?org_unit=74&year=2023").status_code == 403


def test_an_operator_sees_the_upload_form_the_template_form_and_the_help(catalogue: Tree, operator: Client) -> None:
    html = operator.get("/imports/").content.decode()

    assert 'enctype="multipart/form-data"' in html
    assert 'name="dry_run"' in html
    assert 'action="/imports/template.xlsx"' in html
    assert "<code>indicator,org_unit,period,value,comment</code>" in html
    assert '<option value="718">\u00a0\u00a0\u00a0Thành phố Thủ Dầu Một (718)</option>' in html


def test_a_good_csv_is_stored_and_the_operator_is_sent_to_its_batch_page(catalogue: Tree, operator: Client) -> None:
    response = upload(operator, GOOD_CSV)

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/imports/{batch.pk}/"
    assert (batch.status, batch.channel, batch.created_by.username) == ("committed", "web", "owner")
    assert stored() == {
        ("REV", "718", "202301"): Decimal("1234.5"),
        ("REV", "719", "202301"): Decimal("10"),
        ("GRDP", "74", "2023Q1"): Decimal("99999.25"),
    }
    page = operator.get(response["Location"]).content.decode()
    assert re.search(r'data-count="created"><strong>3</strong>', page)
    assert re.search(r'data-count="updated"><strong>0</strong>', page)


def test_uploading_the_same_file_again_changes_nothing_and_says_so(catalogue: Tree, operator: Client) -> None:
    upload(operator, GOOD_CSV)

    response = upload(operator, GOOD_CSV.replace("1234.5", "1300"))

    page = operator.get(response["Location"]).content.decode()
    assert re.search(r'data-count="created"><strong>0</strong>', page)
    assert re.search(r'data-count="updated"><strong>1</strong>', page)
    assert re.search(r'data-count="unchanged"><strong>2</strong>', page)


def test_a_bad_csv_stores_nothing_and_lists_every_error_with_a_csv_report(catalogue: Tree, operator: Client) -> None:
    content = (
        "indicator,org_unit,period,value,comment\n"
        "REV,718,202301,1,\n"
        "NOPE,718,202301,1,\n"
        "REV,999,202301,1,\n"
        "REV,718,2023Q1,1,\n"
        "REV,719,202301,abc,\n"
        "REV,719,202302,-5,\n"
    )

    response = upload(operator, content)

    batch = ImportBatch.objects.get()
    assert batch.status == "failed"
    assert stored() == {}
    page = operator.get(response["Location"]).content.decode()
    assert re.findall(r'<tr data-line="(\d+)">', page) == ["3", "4", "5", "6", "7"]
    assert f'href="/imports/{batch.pk}/errors.csv"' in page

    report = operator.get(f"/imports/{batch.pk}/errors.csv")
    assert report.status_code == 200
    assert report["Content-Type"].startswith("text/csv")
    assert f'filename="loi-nhap-lieu-{batch.pk}.csv"' in report["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert [row[0] for row in lines[1:]] == ["3", "4", "5", "6", "7"]
    assert len(lines[0]) == 5  # line, sheet, column, value, problem
    assert (lines[1][3], lines[2][3], lines[4][3]) == ("NOPE", "999", "abc")
    assert all(row[4] for row in lines[1:])


def test_a_dry_run_checks_the_file_but_stores_nothing(catalogue: Tree, operator: Client) -> None:
    response = upload(operator, GOOD_CSV, dry_run=True)

    batch = ImportBatch.objects.get()
    assert batch.status == "dry_run"
    assert stored() == {}
    page = operator.get(response["Location"]).content.decode()
    assert re.search(r'data-count="created"><strong>3</strong>', page)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    catalogue: Tree, operator: Client, settings: Any
) -> None:
    settings.DIEUHANH_IMPORT_MAX_BYTES = 2 * 2**20
    big = GOOD_CSV + "REV,718,202302,1,\n" * 150_000  # about 2.6 MB

    response = upload(operator, big)

    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()
    assert stored() == {}
    assert not ImportBatch.objects.exists()


def test_submitting_without_a_file_shows_the_form_again_with_the_error(catalogue: Tree, operator: Client) -> None:
    response = operator.post("/imports/", {})

    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()


def test_a_reporter_sees_their_own_recent_imports_newest_first_and_an_operator_sees_all(
    catalogue: Tree, client: Client, owner: Any
) -> None:
    reporter = UserFactory(username="reporter")
    reporter.user_permissions.add(Permission.objects.get(codename="add_importbatch"))
    import_file(content=GOOD_CSV.encode(), filename="cua-nguoi-khac.csv", user=owner)
    client.force_login(reporter)
    upload(client, GOOD_CSV, name="lan-1.csv")
    upload(client, GOOD_CSV, name="lan-2.csv")

    html = client.get("/imports/").content.decode()

    assert html.index("lan-2.csv") < html.index("lan-1.csv")
    assert "cua-nguoi-khac.csv" not in html
    client.force_login(owner)  # has the permission to view all imports
    assert "lan-1.csv" in client.get("/imports/").content.decode()


def test_someone_elses_batch_and_error_report_are_refused_without_the_view_permission(
    catalogue: Tree, client: Client, owner: Any
) -> None:
    batch = import_file(
        content=b"indicator,org_unit,period,value\nNOPE,718,202301,1\n", filename="x.csv", user=owner
    ).batch
    other = UserFactory(username="other")
    other.user_permissions.add(Permission.objects.get(codename="add_importbatch"))
    client.force_login(other)

    assert client.get(f"/imports/{batch.pk}/").status_code == 403
    assert client.get(f"/imports/{batch.pk}/errors.csv").status_code == 403

    other.user_permissions.add(Permission.objects.get(codename="view_importbatch"))
    client.force_login(other)
    assert client.get(f"/imports/{batch.pk}/").status_code == 200
    assert client.get(f"/imports/{batch.pk}/errors.csv").status_code == 200


def test_an_unknown_batch_is_not_found(operator: Client) -> None:
    assert operator.get("/imports/999999/").status_code == 404


def test_the_template_is_a_valid_workbook_that_comes_back_through_the_import(
    catalogue: Tree, operator: Client, owner: Any
) -> None:
    put(IndicatorFactory(code="REV"), catalogue.district_a, "202301", "7")

    response = operator.get("/imports/template.xlsx?org_unit=718&year=2023")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="mau-nhap-718-2023.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    monthly = workbook.worksheets[0]
    codes = {monthly.cell(row=r, column=1).value: r for r in range(5, monthly.max_row + 1)}
    assert set(codes) == {"REV"}
    assert monthly.cell(row=codes["REV"], column=4).value == 7  # January, prefilled
    monthly.cell(row=codes["REV"], column=5).value = 8.5  # February, typed in by the reporter
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = import_file(content=buffer.getvalue(), filename="mau-nhap-718-2023.xlsx", user=owner)

    assert result.ok, result.issues
    assert stored() == {("REV", "718", "202301"): Decimal("7"), ("REV", "718", "202302"): Decimal("8.5")}


def test_the_template_can_be_limited_to_one_sector(catalogue: Tree, operator: Client) -> None:
    response = operator.get("/imports/template.xlsx?org_unit=74&year=2023&sector=FIN")

    workbook = load_workbook(io.BytesIO(response.content))
    codes = {c.value for sheet in workbook.worksheets if sheet.title != "_dieuhanh" for c in sheet["A"][4:]}
    assert codes == {"REV"}


def test_a_template_request_for_an_unknown_unit_or_year_shows_the_form_with_errors(
    catalogue: Tree, operator: Client
) -> None:
    response = operator.get("/imports/template.xlsx?org_unit=NOPE&year=abc")

    assert response.status_code == 400
    assert response.content.decode().count('class="errorlist"') == 2


def test_the_imports_page_costs_a_fixed_number_of_queries(
    catalogue: Tree, operator: Client, owner: Any, django_assert_num_queries: Any
) -> None:
    for n in range(3):
        import_file(content=GOOD_CSV.encode(), filename=f"{n}.csv", user=owner)

    # session, user, memberships (the scope) with permissions (the user's and their groups', one
    # query), sample-data check, units, sectors, recent imports.
    with django_assert_num_queries(7):
        operator.get("/imports/")
    for n in range(10):
        import_file(content=GOOD_CSV.encode(), filename=f"more-{n}.csv", user=owner)
    with django_assert_num_queries(7):
        operator.get("/imports/")


def test_a_batch_page_names_its_import_by_its_number_without_a_thousands_separator(
    catalogue: Tree, operator: Client, owner: Any
) -> None:
    # An import number is a name, not an amount: "#12345", as the links and the CSV file name say it.
    ImportBatch.objects.create(
        pk=12345, source_name="so-lieu.csv", file_format="csv", status="committed", created_by=owner
    )

    page = operator.get("/imports/12345/").content.decode()

    assert "<title>Lần nhập #12345 · dieuhanh</title>" in page
    assert "Lần nhập #12345: so-lieu.csv</h1>" in page
    assert "12.345" not in page

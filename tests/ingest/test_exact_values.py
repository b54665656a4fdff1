"""Figures keep every digit on every database, through every way in and out.

SQLite stored a figure as a float (15 significant digits): 1234567890123456 came back as
1234567890123460, so re-importing the very file that stored it recorded a change every time.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from dieuhanh.analytics.selectors import build_engine, spec_of
from dieuhanh.analytics.services import rollups_rebuild
from dieuhanh.figures.models import DataValue, DataValueChange
from dieuhanh.indicators.models import Target
from dieuhanh.indicators.periods import Period
from dieuhanh.ingest.services import import_file
from dieuhanh.ingest.xlsx import xlsx_template_build
from tests.conftest import Tree
from tests.factories import IndicatorFactory, TargetFactory, put

pytestmark = pytest.mark.django_db

SIXTEEN_DIGITS = Decimal("1234567890123456")
TWENTY_DIGITS = Decimal("12345678901234.567891")


@pytest.fixture
def big(tree: Tree) -> Any:
    return IndicatorFactory(code="BIG", period_type="monthly", is_public=True)


def test_a_16_and_a_20_digit_figure_round_trip_through_import_api_and_import_again(big: Any, api: APIClient) -> None:
    first = import_file(
        content=f"indicator,org_unit,period,value\nBIG,718,202301,{SIXTEEN_DIGITS}\nBIG,718,202302,{TWENTY_DIGITS}\n".encode(),
        filename="a.csv",
    )
    assert first.ok, [i.message for i in first.issues]

    response = api.get("/api/v1/data-values/", {"indicator": "BIG"})
    read = json.loads(response.content, parse_float=Decimal)["results"]
    assert [(v["period"], Decimal(v["value"])) for v in read] == [("202301", SIXTEEN_DIGITS), ("202302", TWENTY_DIGITS)]

    lines = ["indicator,org_unit,period,value"] + [f"BIG,718,{v['period']},{v['value']}" for v in read]
    again = import_file(content=("\n".join(lines) + "\n").encode(), filename="b.csv")

    assert again.ok, [i.message for i in again.issues]
    assert (again.batch.rows_created, again.batch.rows_updated, again.batch.rows_unchanged) == (0, 0, 2)
    assert not DataValueChange.objects.exists()
    assert sorted(DataValue.objects.values_list("value", flat=True)) == [TWENTY_DIGITS, SIXTEEN_DIGITS]


def test_the_change_log_keeps_every_digit_of_old_and_new(big: Any) -> None:
    import_file(
        content=f"indicator,org_unit,period,value\nBIG,718,202301,{SIXTEEN_DIGITS}\n".encode(), filename="a.csv"
    )
    import_file(
        content=f"indicator,org_unit,period,value\nBIG,718,202301,{SIXTEEN_DIGITS + 1}\n".encode(), filename="b.csv"
    )

    change = DataValueChange.objects.get()
    assert (change.old_value, change.new_value) == (SIXTEEN_DIGITS, SIXTEEN_DIGITS + 1)


def test_a_figure_too_large_to_keep_is_refused(big: Any) -> None:
    result = import_file(
        content=b"indicator,org_unit,period,value\nBIG,718,202301,1234567890123456789\n", filename="a.csv"
    )

    assert [(i.line, i.column) for i in result.issues] == [(2, "value")]
    assert not DataValue.objects.exists()


def test_a_json_number_written_through_the_api_keeps_every_digit(big: Any, owner_api: APIClient) -> None:
    body = '{"indicator": "BIG", "org_unit": "718", "period": "202301", "value": 12345678901234.567891}'

    response = owner_api.post("/api/v1/data-values/", body, content_type="application/json")

    assert response.status_code == 201, response.content
    assert DataValue.objects.get().value == TWENTY_DIGITS
    assert json.loads(response.content, parse_float=Decimal)["value"] == TWENTY_DIGITS


def test_the_admin_shows_and_saves_every_digit(big: Any, tree: Tree) -> None:
    value = put(big, tree.district_a, "202301", SIXTEEN_DIGITS)
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "x"))

    page = client.get(f"/admin/figures/datavalue/{value.pk}/change/").content.decode()
    client.post(f"/admin/figures/datavalue/{value.pk}/change/", {"value": "1234567890123457", "status": "submitted"})

    assert 'value="1234567890123456' in page
    value.refresh_from_db()
    assert value.value == SIXTEEN_DIGITS + 1
    change = DataValueChange.objects.get()
    assert (change.old_value, change.new_value) == (SIXTEEN_DIGITS, SIXTEEN_DIGITS + 1)


def test_a_target_keeps_every_digit(big: Any, tree: Tree) -> None:
    TargetFactory(indicator=big, org_unit=tree.province, value=TWENTY_DIGITS)

    assert Target.objects.get().value == TWENTY_DIGITS


def test_rollups_add_up_every_digit(big: Any, tree: Tree) -> None:
    put(big, tree.commune_a1, "202301", SIXTEEN_DIGITS)
    put(big, tree.commune_a2, "202301", "0.000001")
    rollups_rebuild()

    engine = build_engine(
        specs=[spec_of(big)], units=[tree.district_a], periods=[Period.parse("202301")], use_rollups=True
    )

    assert engine.measures(spec_of(big), tree.district_a.pk, Period.parse("202301")).value == Decimal(
        "1234567890123456.000001"
    )


def test_the_excel_template_gives_back_every_digit_unchanged(big: Any, tree: Tree) -> None:
    put(big, tree.district_a, "202301", SIXTEEN_DIGITS)
    put(big, tree.district_a, "202302", TWENTY_DIGITS)
    put(big, tree.district_a, "202303", "1234.5")

    template = xlsx_template_build(org_unit=tree.district_a, year=2023, indicators=[big])
    workbook = load_workbook(io.BytesIO(template))
    buffer = io.BytesIO()
    workbook.save(buffer)  # as if opened and saved again
    result = import_file(content=buffer.getvalue(), filename="mau.xlsx")

    assert result.ok, [i.message for i in result.issues]
    assert (result.batch.rows_updated, result.batch.rows_unchanged) == (0, 3)
    assert not DataValueChange.objects.exists()


def test_figures_still_compare_and_sort_as_numbers_in_sql(big: Any, tree: Tree) -> None:
    for period, value in (("202301", 10), ("202302", 9), ("202303", "9.5"), ("202304", -1), ("202305", TWENTY_DIGITS)):
        put(big, tree.district_a, period, value)

    above_nine = DataValue.objects.filter(value__gt=9, value__lt=1000).order_by("value")

    assert list(above_nine.values_list("value", flat=True)) == [Decimal("9.5"), Decimal(10)]
    assert DataValue.objects.get(value=Decimal("9.5")).period == "202303"
    assert DataValue.objects.get(value=TWENTY_DIGITS).period == "202305"

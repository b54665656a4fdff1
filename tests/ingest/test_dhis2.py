"""DHIS2 files: read as DHIS2 writes them, and refused where dieuhanh cannot keep their meaning.

dieuhanh stores one total per indicator, unit and period and has no deletions by import: a
value of a category option combo other than the default, a value marked deleted, or a
deletion scope would otherwise be stored as a total, overwrite another combo, or be ignored.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from dieuhanh.figures.models import DataValue, DataValueChange
from dieuhanh.ingest.services import import_file
from tests.conftest import Tree
from tests.factories import IndicatorFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup"
)


@pytest.fixture
def cases(tree: Tree) -> Any:
    return IndicatorFactory(code="CASES", period_type="monthly")


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def stored() -> dict[tuple[str, str], Decimal]:
    return {(v.org_unit.code, v.period): v.value for v in DataValue.objects.select_related("org_unit")}


def test_dhis2_csv_is_read_by_its_column_names_in_any_order_and_case(cases: Any) -> None:
    content = csv_bytes(
        "Period,Value,OrgUnit,DataElement,Comment,CatOptCombo,AttrOptCombo",
        "202301,8,718,CASES,từ DHIS2,HllvX50cXC0,default",
        "202302,9,718,CASES,,,",
    )

    result = import_file(content=content, filename="dhis2.csv")

    assert result.ok, [i.message for i in result.issues]
    assert stored() == {("718", "202301"): Decimal(8), ("718", "202302"): Decimal(9)}
    assert DataValue.objects.get(period="202301").comment == "từ DHIS2"


def test_a_dhis2_csv_without_a_header_is_refused_naming_the_columns_it_needs(cases: Any) -> None:
    result = import_file(content=csv_bytes("CASES,202302,718,,,9,,,,"), filename="dhis2.csv", file_format="dhis2_csv")

    (issue,) = result.issues
    assert issue.line == 1
    assert "dataelement" in issue.message
    assert not DataValue.objects.exists()


def test_a_dhis2_csv_with_an_unknown_column_is_refused(cases: Any) -> None:
    content = csv_bytes("dataelement,period,orgunit,value,sex", "CASES,202301,718,8,female")

    result = import_file(content=content, filename="dhis2.csv")

    assert [(i.line, i.column) for i in result.issues] == [(1, "sex")]


def test_dhis2_values_are_machine_numbers_with_a_dot_decimal(cases: Any) -> None:
    content = csv_bytes(HEADER, "CASES,202301,718,,,1.234,,,,", 'CASES,202302,718,,,"1,5",,,,')

    result = import_file(content=content, filename="dhis2.csv")

    assert [(i.line, i.column) for i in result.issues] == [(3, "value")]
    fixed = csv_bytes(HEADER, "CASES,202301,718,,,1.234,,,,", "CASES,202302,718,,,1.5,,,,")
    assert import_file(content=fixed, filename="dhis2.csv").ok
    assert stored() == {("718", "202301"): Decimal("1.234"), ("718", "202302"): Decimal("1.5")}


def test_dhis2_csv_values_of_a_disaggregation_are_refused_every_line_named(cases: Any) -> None:
    content = csv_bytes(
        HEADER,
        "CASES,202301,718,HllvX50cXC0,HllvX50cXC0,3,,,,",
        "CASES,202301,719,Prlt0C1RF0s,HllvX50cXC0,7,,,,",  # a category option combo (e.g. female)
        "CASES,202302,719,default,,4,,,,",
        "CASES,202301,25741,,FbLZS3ueWbQ,10,,,,",  # an attribute option combo (e.g. a funding partner)
    )

    result = import_file(content=content, filename="dhis2.csv")

    assert [(i.line, i.column, i.value) for i in result.issues] == [
        (3, "categoryoptioncombo", "Prlt0C1RF0s"),
        (5, "attributeoptioncombo", "FbLZS3ueWbQ"),
    ]
    assert not DataValue.objects.exists()


def test_two_dhis2_files_of_two_combos_never_overwrite_each_other(cases: Any) -> None:
    male = csv_bytes(HEADER, "CASES,202301,718,rQLFnNXXIL0,,7,,,,")
    female = csv_bytes(HEADER, "CASES,202301,718,Prlt0C1RF0s,,10,,,,")

    assert not import_file(content=male, filename="nam.csv").ok
    assert not import_file(content=female, filename="nu.csv").ok
    assert not DataValue.objects.exists()
    assert not DataValueChange.objects.exists()


def test_every_dhis2_csv_value_marked_deleted_is_named(cases: Any) -> None:
    content = csv_bytes(
        HEADER + ",deleted",
        *[f"CASES,20230{m},718,,,{m},,,,,true" for m in range(1, 5)],
        "CASES,202305,718,,,5,,,,,false",
    )

    result = import_file(content=content, filename="dhis2.csv")

    assert [(i.line, i.column) for i in result.issues] == [(n, "deleted") for n in (2, 3, 4, 5)]
    assert not DataValue.objects.exists()


def dhis2_json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, indent=2).encode()


def test_every_dhis2_json_value_marked_deleted_is_named_by_its_line(cases: Any) -> None:
    document = {
        "dataValues": [
            {"dataElement": "CASES", "period": f"20230{m}", "orgUnit": "718", "value": str(m), "deleted": True}
            for m in range(1, 5)
        ]
    }

    result = import_file(content=dhis2_json(document), filename="dhis2.json")

    assert [(i.line, i.column) for i in result.issues] == [
        (3, "deleted"),
        (10, "deleted"),
        (17, "deleted"),
        (24, "deleted"),
    ]
    assert not DataValue.objects.exists()


def test_a_dhis2_json_deletion_scope_is_refused_not_ignored(cases: Any) -> None:
    document = {
        "deletion": {"orgUnits": ["718"], "periods": ["202301"], "elements": [{"dataElement": "CASES"}]},
        "dataValues": [{"dataElement": "CASES", "period": "202301", "orgUnit": "718", "value": "1"}],
    }

    result = import_file(content=dhis2_json(document), filename="dhis2.json")

    assert [(i.line, i.column) for i in result.issues] == [(2, "deletion")]
    assert not DataValue.objects.exists()


def test_dhis2_json_combos_are_refused_on_each_value_and_on_the_set(cases: Any) -> None:
    document = {
        "attributeOptionCombo": "FbLZS3ueWbQ",
        "dataValues": [
            {"dataElement": "CASES", "period": "202301", "orgUnit": "718", "value": "1"},
            {
                "dataElement": "CASES",
                "period": "202301",
                "orgUnit": "719",
                "categoryOptionCombo": {"Sex": "Female"},
                "value": "2",
            },
            {
                "dataElement": "CASES",
                "period": "202301",
                "orgUnit": "25741",
                "categoryOptionCombo": "HllvX50cXC0",
                "value": "3",
            },
        ],
    }

    result = import_file(content=dhis2_json(document), filename="dhis2.json")

    assert [(i.line, i.column) for i in result.issues] == [(2, "attributeOptionCombo"), (10, "categoryOptionCombo")]
    assert not DataValue.objects.exists()


def test_dhis2_json_numbers_keep_every_digit(cases: Any) -> None:
    document = {"dataValues": [{"dataElement": "CASES", "period": "202301", "orgUnit": "718", "value": 1.234}]}
    text = json.dumps(document).replace("1.234", "12345678901234.567891")

    assert import_file(content=text.encode(), filename="dhis2.json").ok
    assert stored() == {("718", "202301"): Decimal("12345678901234.567891")}

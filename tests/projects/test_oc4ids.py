"""The register as an OC4IDS 0.9.5 project package: valid against the published schema (checked
offline, here with the schema as published, independently of the exporter's own check), its
fields where the standard puts them, and read back into the same register."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.db.models import Sum
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from rest_framework.test import APIClient

from dieuhanh.projects.choices import AllocationKind, DecisionKind, ProjectStage
from dieuhanh.projects.commands_exchange import handle_export, parser_for_tests
from dieuhanh.projects.imports import project_import
from dieuhanh.projects.models import CapitalAllocation, Disbursement, Project, ProjectDecision
from dieuhanh.projects.oc4ids import oc4ids_json, oc4ids_package, oc4ids_problems
from dieuhanh.projects.services import allocation_add, decision_save, project_save
from tests.projects.conftest import Register, disburse, project

pytestmark = pytest.mark.django_db

PUBLISHED = Path(__file__).resolve().parents[2] / "src/dieuhanh/projects/oc4ids"
PACKAGE_URL = "https://standard.open-contracting.org/infrastructure/schema/0__9__5/project-package-schema.json"
PROJECT_URL = "https://standard.open-contracting.org/infrastructure/schema/0__9__5/project-schema.json"


@pytest.fixture(autouse=True)
def refresh() -> Iterator[mock.MagicMock]:
    with mock.patch("dieuhanh.projects.services.projects_figures_refresh") as refresh:
        yield refresh


def published_validator() -> Draft4Validator:
    """The published schema files (as shipped, byte for byte the standard's), the package's reference
    to the project schema resolved to the file: no network."""
    package = json.loads((PUBLISHED / "project-package-schema.json").read_text(encoding="utf-8"))
    project_schema = json.loads((PUBLISHED / "project-schema.json").read_text(encoding="utf-8"))
    registry = Registry().with_resources(
        [
            (PACKAGE_URL, Resource.from_contents(package, default_specification=DRAFT4)),
            (PROJECT_URL, Resource.from_contents(project_schema, default_specification=DRAFT4)),
        ]
    )
    return Draft4Validator(package, registry=registry)


def test_the_shipped_schema_is_the_standards_0_9_5_with_its_notice() -> None:
    package = json.loads((PUBLISHED / "project-package-schema.json").read_text(encoding="utf-8"))
    assert package["id"] == PACKAGE_URL
    assert package["properties"]["projects"]["items"]["$ref"] == PROJECT_URL
    notice = (PUBLISHED / "PROVENANCE.md").read_text(encoding="utf-8")
    assert "Apache" in notice
    assert "Open Contracting Partnership" in notice
    assert "Apache License" in (PUBLISHED / "LICENSE-Apache-2.0.txt").read_text(encoding="utf-8")


def road(register: Register) -> Project:
    tree = register.tree
    item = project(
        "7701",
        register.transport,
        locations=[tree.commune_a1, tree.commune_a2],
        plan={"provincial": 10_000, "central": 5_000},
        sources=("provincial", "central"),
        total=125_000,
        geometry={"type": "LineString", "coordinates": [[106.65, 10.98], [106.70, 11.01]]},
    )
    project_save(
        code="7701",
        name="Đường ĐT 741",
        investor=register.transport,
        managing_agency=register.construction,
        group="B",
        sector="transport",
        stage=ProjectStage.IMPLEMENTATION,
        total_investment=Decimal("125000.5"),
        sources=["provincial", "central"],
        locations=[tree.commune_a1, tree.commune_a2],
        geometry=item.geometry,
        start_on=dt.date(2023, 3, 1),
        planned_completion_on=dt.date(2025, 12, 31),
        description="Nâng cấp, mở rộng",
    )
    decision_save(project=item, kind=DecisionKind.APPROVAL, number="3679/QĐ-UBND", date=dt.date(2022, 12, 20))
    allocation_add(
        project=item,
        year=2024,
        source="provincial",
        kind=AllocationKind.ADJUSTMENT,
        amount=Decimal(-1_000),
        effective_on=dt.date(2024, 7, 1),
    )
    disburse(item, "202403", 1_500)
    disburse(item, "202406", "2250.5")
    disburse(item, "202406", 800, source="central")
    return item


def test_the_export_is_valid_against_the_published_schema(register: Register) -> None:
    road(register)
    project("7702", register.health, plan={"provincial": 2_000})
    package = oc4ids_package(on=dt.date(2024, 12, 15))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in published_validator().iter_errors(package)]
    assert errors == []
    assert oc4ids_problems(package) == []
    assert [p["identifiers"] for p in package["projects"]] == [
        [{"id": "7701", "scheme": "VN-DTC"}],
        [{"id": "7702", "scheme": "VN-DTC"}],
    ]
    assert package["version"] == "0.9"
    assert package["publisher"] == {"name": "Tỉnh Bình Dương"}  # the catalogue's province
    json.loads(oc4ids_json(package))  # it is JSON


def test_a_project_lies_where_the_standard_puts_each_field(register: Register) -> None:
    road(register)
    item = oc4ids_package(on=dt.date(2024, 12, 15))["projects"][0]
    assert item["title"] == "Đường ĐT 741"
    assert item["status"] == "implementation"
    assert item["sector"] == ["transport"]
    assert item["publicAuthority"]["name"] == "Sở Giao thông vận tải"
    roles = {p["identifier"]["id"]: p["roles"] for p in item["parties"]}
    assert roles == {"SGTVT": ["publicAuthority", "buyer"], "BQLDA": ["administrativeEntity"]}
    assert item["budget"]["amount"] == {"amount": 125_000_500_000, "currency": "VND"}
    breakdown = {b["id"]: b["amount"]["amount"] for b in item["budget"]["budgetBreakdowns"][0]["budgetBreakdown"]}
    assert breakdown == {"2024/central/plan": 5_000_000_000, "2024/provincial/plan": 9_000_000_000}
    assert [(t["id"], t["value"]["amount"]) for t in item["transactions"]] == [
        ("2024/provincial/202403", 1_500_000_000),
        ("2024/central/202406", 800_000_000),
        ("2024/provincial/202406", 2_250_500_000),
    ]
    assert item["period"] == {"startDate": "2023-03-01T00:00:00+07:00", "endDate": "2025-12-31T00:00:00+07:00"}
    communes = [loc for loc in item["locations"] if "gazetteer" in loc]
    assert [loc["gazetteer"]["identifiers"] for loc in communes] == [["25741"], ["25744"]]
    assert communes[0]["address"] == {
        "locality": "Phường Hiệp Thành",
        "region": "Tỉnh Bình Dương",
        "countryName": "Việt Nam",
    }
    assert item["locations"][0]["geometry"]["type"] == "LineString"
    assert item["documents"][0]["id"] == "approval:3679/QĐ-UBND"
    # The milestones of 2024: 30 % of the plan as at 30/6 (14,000) is 4,200; 4,550.5 were disbursed.
    financing = {m["id"]: (m["status"], m["value"]["amount"]) for m in item["milestones"] if m["type"] == "financing"}
    assert financing["disbursement-2024-0630"] == ("met", 4_200_000_000)
    assert financing["disbursement-2024-0930"][0] == "partiallyMet"  # 8,400 required, 4,550.5 disbursed
    assert financing["disbursement-2024-0131"][0] == "scheduled"


def test_an_export_of_a_year_holds_only_that_years_projects_and_figures(register: Register) -> None:
    road(register)
    project("7702", register.health, plan={"provincial": 2_000}, year=2025)
    package = oc4ids_package(year=2025, on=dt.date(2025, 3, 1))
    assert [p["identifiers"][0]["id"] for p in package["projects"]] == ["7702"]
    assert oc4ids_problems(package) == []


def test_an_invalid_package_is_refused_with_where_and_what(register: Register) -> None:
    road(register)
    package = oc4ids_package(on=dt.date(2024, 12, 15))
    broken = copy.deepcopy(package)
    broken["projects"][0]["status"] = "finished"
    broken["projects"][0]["budget"]["amount"]["amount"] = "nhiều"
    del broken["publisher"]
    problems = oc4ids_problems(broken)
    assert [p.column for p in problems] == ["/", "projects[0].budget.amount.amount", "projects[0].status"]
    assert "publisher" in problems[0].message
    result = project_import(kind="register", content=oc4ids_json(broken), filename="goi.json")
    assert not result.ok
    assert result.record.file_format == "oc4ids"
    assert [i.column for i in result.issues] == [p.column for p in problems]


def test_a_package_with_unknown_units_or_foreign_money_is_refused_whole(register: Register) -> None:
    road(register)
    package = oc4ids_package(on=dt.date(2024, 12, 15))
    package["projects"][0]["identifiers"][0]["id"] = "7799"
    package["projects"][0]["locations"][1]["gazetteer"]["identifiers"] = ["99999"]
    package["projects"][0]["transactions"][0]["value"]["currency"] = "USD"
    result = project_import(kind="register", content=oc4ids_json(package), filename="goi.json")
    assert [i.column for i in result.issues] == ["projects[0].transactions[0]"]
    del package["projects"][0]["transactions"]
    result = project_import(kind="register", content=oc4ids_json(package), filename="goi.json")
    assert [i.column for i in result.issues] == ["projects[0].locations"]
    assert "99999" in result.issues[0].message
    assert not Project.objects.filter(code="7799").exists()


def snapshot() -> dict[str, Any]:
    return {
        "projects": sorted(
            Project.objects.values_list(
                "code",
                "name",
                "investor",
                "managing_agency",
                "group",
                "sector",
                "stage",
                "total_investment",
                "start_on",
                "planned_completion_on",
                "description",
                "geometry",
                "sources",
            )
        ),
        "locations": sorted(Project.locations.through.objects.values_list("project__code", "org_unit")),
        "decisions": sorted(ProjectDecision.objects.values_list("project__code", "kind", "number", "date")),
        "plans": sorted(
            CapitalAllocation.objects.values_list("project__code", "year", "source")
            .annotate(total=Sum("amount"))
            .values_list("project__code", "year", "source", "total")
        ),
        "disbursements": sorted(
            Disbursement.objects.values_list("project__code", "plan_year", "source", "period", "amount")
        ),
    }


def test_a_package_read_back_gives_the_same_register_and_twice_changes_nothing(
    register: Register, refresh: mock.MagicMock
) -> None:
    road(register)
    project("7702", register.health, plan={"provincial": 2_000}, locations=[register.tree.commune_b1])
    exported = oc4ids_json(oc4ids_package(on=dt.date(2024, 12, 15)))
    before = snapshot()
    Project.objects.all().delete()
    result = project_import(kind="register", content=exported, filename="goi.json")
    assert result.ok, result.issues
    assert (result.record.rows_created, result.record.file_format) == (2, "oc4ids")
    assert snapshot() == before
    refresh.assert_called_once()
    again = project_import(kind="register", content=exported, filename="goi.json")
    assert again.ok
    assert again.record.rows_unchanged == 2
    assert snapshot() == before
    assert CapitalAllocation.objects.filter(project__code="7701").count() == 2  # one a source, no adjustment added


def test_a_package_changing_a_plan_adds_the_difference_as_an_adjustment(register: Register) -> None:
    road(register)
    package = oc4ids_package(on=dt.date(2024, 12, 15))
    entries = package["projects"][0]["budget"]["budgetBreakdowns"][0]["budgetBreakdown"]
    provincial = next(e for e in entries if e["id"] == "2024/provincial/plan")
    provincial["amount"]["amount"] = 9_500_000_000
    assert project_import(kind="register", content=oc4ids_json(package), filename="goi.json").ok
    last = CapitalAllocation.objects.filter(project__code="7701", source="provincial").order_by("pk").last()
    assert last is not None
    assert (last.kind, last.amount) == (AllocationKind.ADJUSTMENT, Decimal(500))


def test_the_command_writes_a_valid_package(register: Register, tmp_path: Path) -> None:
    road(register)
    output = tmp_path / "goi.json"
    out = io.StringIO()
    handle_export(vars(parser_for_tests().parse_args(["export", "--output", str(output)])), stdout=out)
    package = json.loads(output.read_text(encoding="utf-8"))
    assert list(published_validator().iter_errors(package)) == []
    assert "OC4IDS" in out.getvalue()


def test_the_api_serves_the_package_to_anyone(register: Register) -> None:
    road(register)
    answer = APIClient().get("/api/v1/projects/oc4ids/?year=2024")
    assert answer.status_code == 200
    package = answer.json()
    assert list(published_validator().iter_errors(package)) == []
    assert package["uri"].startswith("http://testserver/api/v1/projects/oc4ids/")
    assert APIClient().get("/api/v1/projects/oc4ids/?year=abc").status_code == 400


def test_the_projects_command_exports_and_imports_the_package(register: Register, tmp_path: Path) -> None:
    road(register)
    output = tmp_path / "goi.json"
    out = io.StringIO()
    call_command("projects", "export", "--format", "oc4ids", "--output", str(output), "--year", "2024", stdout=out)
    assert "1" in out.getvalue()
    Project.objects.all().delete()
    call_command("projects", "import", "--format", "oc4ids", str(output), "--dry-run", stdout=out)
    assert not Project.objects.exists()
    call_command("projects", "import", str(output), stdout=out)
    assert Project.objects.filter(code="7701").exists()
    output.write_text("{}", encoding="utf-8")
    with pytest.raises(SystemExit):
        call_command("projects", "import", str(output), stdout=out, stderr=io.StringIO())

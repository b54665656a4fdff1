"""The public-investment API: anyone reads the projects and their figures; the operator writes
through the services; the obstacles are read by signed-in users only, and an obstacle's follow-up
directive is shown only to whoever may read it."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from dieuhanh.accounts.choices import Role
from dieuhanh.accounts.services import api_token_create, membership_add
from dieuhanh.projects.choices import ObstacleCategory
from dieuhanh.projects.models import CapitalAllocation, Disbursement, Project
from dieuhanh.projects.services import obstacle_create
from tests.factories import UserFactory
from tests.projects.conftest import Register, disburse, project

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_api(db: None) -> APIClient:
    """An IOC operator: keeps the register (the role's permissions on the projects' models)."""
    user = UserFactory(username="operator")
    membership_add(user=user, role=Role.OPERATOR)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user).key}")
    return client


@pytest.fixture
def three(register: Register) -> Register:
    slow = project("P1", register.transport, plan={"provincial": 1000})
    fast = project("P2", register.health, plan={"provincial": 500})
    disburse(slow, "202406", 100)
    disburse(fast, "202406", 400)
    return register


def test_anyone_reads_the_projects_with_their_progress_as_at_a_date(three: Register, api: APIClient) -> None:
    listed = api.get("/api/v1/projects/", {"year": 2024, "on": "2024-07-31"})
    one = api.get("/api/v1/projects/P2/", {"year": 2024, "on": "2024-07-31"})

    assert listed.status_code == 200
    assert [(p["code"], p["progress"]["percent"], p["progress"]["status"]) for p in listed.json()["results"]] == [
        ("P1", 10, "behind"),
        ("P2", 80, "on_track"),
    ]
    assert one.json()["investor"] == "SYT"
    assert one.json()["progress"]["plan"] == 500


def test_the_public_cannot_write_and_the_operator_creates_a_project_with_its_communes_and_decisions(
    register: Register, api: APIClient, operator_api: APIClient
) -> None:
    body = {
        "code": "7799",
        "name": "Bệnh viện 1.500 giường",
        "investor": "BQLDA",
        "group": "A",
        "sector": "health",
        "total_investment": "4500.000",
        "sources": ["provincial"],
        "locations": ["25741", "25744"],
        "geometry": {"type": "Point", "coordinates": [106.66, 10.99]},
        "decisions": [{"kind": "approval", "number": "12/QĐ-UBND", "date": "2021-03-01"}],
    }

    refused = api.post("/api/v1/projects/", body, format="json")
    made = operator_api.post("/api/v1/projects/", body, format="json")
    again = operator_api.post("/api/v1/projects/", body, format="json")
    changed = operator_api.patch("/api/v1/projects/7799/", {"stage": "completed"}, format="json")

    assert refused.status_code in (401, 403)
    assert made.status_code == 201, made.content
    assert sorted(made.json()["locations"]) == ["25741", "25744"]
    assert again.status_code == 400
    assert changed.status_code == 200
    stored = Project.objects.get(code="7799")
    assert (stored.stage, stored.investor, stored.decisions.get().number) == (
        "completed",
        register.construction,
        "12/QĐ-UBND",
    )
    assert set(stored.locations.values_list("code", flat=True)) == {"25741", "25744"}


def test_a_project_the_rules_refuse_is_answered_by_field(register: Register, operator_api: APIClient) -> None:
    response = operator_api.post(
        "/api/v1/projects/",
        {
            "code": "X",
            "name": "X",
            "investor": "SYT",
            "group": "C",
            "sector": "health",
            "total_investment": "10",
            "geometry": {"type": "Point", "coordinates": [500, 10]},
        },
        format="json",
    )

    assert response.status_code == 400
    assert "geometry" in response.json()
    assert not Project.objects.exists()


def test_a_transfer_over_the_undisbursed_plan_is_refused_and_one_within_it_writes_its_two_sides(
    three: Register, operator_api: APIClient
) -> None:
    body: dict[str, Any] = {
        "year": 2024,
        "source": "provincial",
        "from_project": "P1",
        "to_project": "P2",
        "amount": "901",
        "effective_on": "2024-08-01",
        "decision_number": "9/QĐ-UBND",
        "decision_date": "2024-07-30",
    }

    over = operator_api.post("/api/v1/projects/transfers/", body, format="json")
    within = operator_api.post("/api/v1/projects/transfers/", {**body, "amount": "900"}, format="json")

    assert over.status_code == 400
    assert "900" in json.dumps(over.json(), ensure_ascii=False)
    assert within.status_code == 201, within.content
    assert sorted(CapitalAllocation.objects.filter(kind="transfer").values_list("amount", flat=True)) == [
        Decimal(-900),
        Decimal(900),
    ]


def test_disbursement_rows_are_written_all_or_none(three: Register, operator_api: APIClient, api: APIClient) -> None:
    good = {"project": "P1", "plan_year": 2024, "source": "provincial", "period": "202407", "amount": "50"}

    bad = operator_api.post(
        "/api/v1/projects/disbursements/", {"rows": [good, {**good, "period": "202413"}]}, format="json"
    )
    written = operator_api.post("/api/v1/projects/disbursements/", {"rows": [good]}, format="json")
    public = api.post("/api/v1/projects/disbursements/", {"rows": [good]}, format="json")

    assert bad.status_code == 400
    assert "202413" in json.dumps(bad.json(), ensure_ascii=False)
    assert written.json() == {"created": 1, "updated": 0, "unchanged": 0}
    assert public.status_code in (401, 403)
    assert Disbursement.objects.filter(period="202407").count() == 1


def test_the_investors_ranking_and_the_list_below_a_share(three: Register, api: APIClient) -> None:
    ranked = api.get("/api/v1/projects/investors/", {"year": 2024, "on": "2024-07-31"}).json()
    below = api.get("/api/v1/projects/investors/", {"year": 2024, "on": "2024-07-31", "below": "30"}).json()
    wrong = api.get("/api/v1/projects/investors/", {"below": "x"})

    assert [(r["rank"], r["investor"], r["percent"]) for r in ranked] == [(1, "SYT", 80), (2, "SGTVT", 10)]
    assert [r["investor"] for r in below] == ["SGTVT"]
    assert wrong.status_code == 400


def test_an_obstacles_directive_is_shown_only_to_who_may_read_it(
    three: Register, today: dt.date, api: APIClient, owner_api: APIClient
) -> None:
    obstacle_create(
        project=Project.objects.get(code="P1"),
        category=ObstacleCategory.SITE_CLEARANCE,
        description="Chưa bàn giao mặt bằng",
        reported_on=dt.date(2024, 5, 2),
        resolving_agency=three.natural,
        deadline=dt.date(2024, 6, 30),
    )
    stranger = APIClient()
    stranger.force_authenticate(UserFactory(username="stranger"))

    anonymous = api.get("/api/v1/projects/obstacles/")
    (theirs,) = stranger.get("/api/v1/projects/obstacles/").json()["results"]
    (office,) = owner_api.get("/api/v1/projects/obstacles/").json()["results"]

    # The obstacles are internal, as on the register's pages: not for anonymous readers.
    assert anonymous.status_code in (401, 403)
    assert (theirs["resolving_agency"], theirs["deadline"]) == ("STNMT", "2024-06-30")
    assert (theirs["directive"], theirs["status"]) == (None, None)
    assert office["directive"] is not None
    assert office["status"] == "overdue"


def test_the_map_and_the_progress_curve(three: Register, api: APIClient) -> None:
    Project.objects.filter(code="P1").update(geometry={"type": "Point", "coordinates": [106.6, 11.0]})

    collection = api.get("/api/v1/projects/map/", {"year": 2024, "on": "2024-07-31"}).json()
    progress = api.get("/api/v1/projects/P1/progress/", {"year": 2024, "on": "2024-07-31"}).json()

    assert [f["properties"]["code"] for f in collection["features"]] == ["P1"]
    assert progress["progress"]["status"] == "behind"
    assert [p["period"] for p in progress["curve"]][-1] == "202501"


def test_the_schema_describes_the_projects_api(api: APIClient) -> None:
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    paths = json.loads(schema.content)["paths"]
    assert {"/api/v1/projects/", "/api/v1/projects/{code}/", "/api/v1/projects/investors/"} <= set(paths)


def test_the_project_list_costs_as_many_queries_for_many_projects_as_for_few(
    register: Register, api: APIClient
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/projects/", {"year": 2024, "on": "2024-07-31"}).status_code == 200
        return len(captured)

    project("Q0", register.transport, plan={"provincial": 100}, locations=[register.tree.commune_a1])
    few = queries()
    for n in range(1, 6):
        item = project(f"Q{n}", register.health, plan={"provincial": 100}, locations=[register.tree.commune_a2])
        disburse(item, "202406", 10)

    assert queries() == few


def test_a_project_code_holding_a_nul_in_a_multipart_body_is_refused_not_a_server_error(
    client: Any, django_user_model: Any
) -> None:
    admin = django_user_model.objects.create_superuser("quantri", "quantri@example.gov.vn", "mat-khau-dai-1")
    client.force_login(admin)

    response = client.post(
        "/api/v1/projects/allocations/",
        {"project": "DA\x00-1", "year": "2024", "source": "provincial", "amount": "1", "effective_on": "2024-01-01"},
    )

    assert response.status_code == 400
    assert "project" in response.json()

"""The reporting calendar's API and the file of data sets."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from dieuhanh.accounts.choices import Role
from dieuhanh.accounts.services import membership_add
from dieuhanh.reporting.models import DataSet
from tests.factories import IndicatorFactory, UserFactory
from tests.reporting.conftest import World, report

pytestmark = pytest.mark.django_db

NEW = {
    "code": "XA_QUY",
    "name": "Báo cáo quý cấp xã",
    "period_type": "quarterly",
    "org_unit_kind": "commune",
    "indicators": ["IND_A", "IND_B"],
    "due_day": 20,
    "reminder_days": 5,
}


@pytest.fixture
def operator_api(db: None) -> APIClient:
    user = UserFactory(username="operator")
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="reporting"))
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def reader_api(world: World) -> APIClient:
    """A viewer of the province: a leader, who sees every unit's obligations."""
    reader = UserFactory(username="reader")
    membership_add(user=reader, role=Role.VIEWER, org_unit=world.province)
    client = APIClient()
    client.force_authenticate(reader)
    return client


def test_an_operator_creates_a_data_set_naming_its_indicators_by_code(world: World, operator_api: APIClient) -> None:
    answer = operator_api.post("/api/v1/data-sets/", NEW, format="json")

    assert answer.status_code == 201, answer.json()
    created = DataSet.objects.get(code="XA_QUY")
    assert sorted(i.code for i in created.indicators.all()) == ["IND_A", "IND_B"]
    assert operator_api.get("/api/v1/data-sets/XA_QUY/").json()["indicators"] == ["IND_A", "IND_B"]


def test_a_data_set_is_refused_with_every_problem_named(world: World, operator_api: APIClient) -> None:
    IndicatorFactory(code="POP", period_type="yearly")
    bad = {**NEW, "indicators": ["POP", "NOPE"], "org_unit_kind": "", "due_day": 40}

    answer = operator_api.post("/api/v1/data-sets/", bad, format="json", HTTP_ACCEPT_LANGUAGE="vi")

    assert answer.status_code == 400
    errors = answer.json()
    assert "NOPE" in str(errors["indicators"])
    assert "due_day" in errors
    assert not DataSet.objects.filter(code="XA_QUY").exists()

    coarser = operator_api.post("/api/v1/data-sets/", {**NEW, "indicators": ["POP"]}, format="json")
    assert coarser.status_code == 400
    assert "POP" in str(coarser.json()["indicators"])
    nobody = operator_api.post("/api/v1/data-sets/", {**NEW, "org_unit_kind": ""}, format="json")
    assert "org_unit_kind" in nobody.json()


def test_reading_needs_a_signed_in_user_and_writing_the_permission(
    world: World, api: APIClient, reader_api: APIClient
) -> None:
    assert api.get("/api/v1/data-sets/").status_code in (401, 403)
    assert reader_api.get("/api/v1/data-sets/").json()["results"][0]["code"] == "XA_THANG"
    assert reader_api.post("/api/v1/data-sets/", NEW, format="json").status_code == 403
    assert reader_api.delete("/api/v1/data-sets/XA_THANG/").status_code == 403


def test_an_operator_deletes_a_data_set(world: World, operator_api: APIClient) -> None:
    assert operator_api.delete("/api/v1/data-sets/XA_THANG/").status_code == 204
    assert not DataSet.objects.exists()


def test_the_obligations_of_a_period_are_listed_with_their_states(world: World, reader_api: APIClient) -> None:
    report(world, world.commune_a, "202506", on=dt.date(2025, 7, 10))

    answer = reader_api.get("/api/v1/reporting/obligations/", {"period": "202506", "on": "2025-08-01"})

    assert answer.status_code == 200
    assert [(o["org_unit"], o["due_date"], o["state"]) for o in answer.json()] == [
        ("25741", "2025-07-18", "on_time"),
        ("25744", "2025-07-18", "missing"),
    ]
    one = reader_api.get(
        "/api/v1/reporting/obligations/", {"period": "2025Q3", "org_unit": "26000", "on": "2025-09-01"}
    )
    assert [(o["period"], o["state"]) for o in one.json()] == [
        ("202507", "missing"),
        ("202508", "not_due"),
        ("202509", "not_due"),
    ]


def test_the_obligations_endpoint_says_what_to_fix(world: World, reader_api: APIClient) -> None:
    assert "period" in reader_api.get("/api/v1/reporting/obligations/", {"period": "x"}).json()
    bad_day = reader_api.get("/api/v1/reporting/obligations/", {"period": "202506", "on": "hôm qua"})
    assert bad_day.status_code == 400
    assert reader_api.get("/api/v1/reporting/obligations/", {"period": "202506", "data_set": "NOPE"}).status_code == 404
    unknown = reader_api.get("/api/v1/reporting/obligations/", {"period": "202506", "org_unit": "999"})
    assert unknown.status_code == 400
    assert reader_api.post("/api/v1/reporting/obligations/", {}).status_code == 405


def test_the_load_command_writes_data_sets_from_a_file_all_or_nothing(world: World, tmp_path: Path) -> None:
    good = tmp_path / "sets.yaml"
    good.write_text(
        "data_sets:\n"
        "  - {code: XA_QUY, name: Báo cáo quý, period_type: quarterly, org_unit_kind: commune,"
        " indicators: [IND_A], due_day: 20}\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("reporting", "load", str(good), stdout=out)
    call_command("reporting", "load", str(good), stdout=out)
    assert "1 tạo mới" in out.getvalue()
    assert "1 không đổi" in out.getvalue()

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "data_sets:\n"
        "  - {code: A1, name: A, period_type: monthly, org_unit_kind: commune, indicators: [IND_A]}\n"
        "  - {code: B1, name: B, period_type: weekly, org_unit_kind: commune, indicators: [NOPE]}\n",
        encoding="utf-8",
    )
    errors = StringIO()
    with pytest.raises(CommandError):
        call_command("reporting", "load", str(bad), stderr=errors)
    assert "B1" in errors.getvalue()
    assert "NOPE" in errors.getvalue()
    assert not DataSet.objects.filter(code="A1").exists()

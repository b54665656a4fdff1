"""The register's admin opens for every model and saves through the services."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from dieuhanh.projects.models import CapitalAllocation, CapitalTransfer, Project
from tests.projects.conftest import Register, disburse, project

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(db: None) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "x"))
    return client


@pytest.mark.parametrize(
    "model",
    [
        "project",
        "projectdecision",
        "capitalallocation",
        "capitaltransfer",
        "disbursement",
        "siteclearance",
        "obstacle",
        "disbursementmilestone",
    ],
)
def test_every_list_and_add_page_opens(register: Register, office: Client, model: str) -> None:
    project("P1", register.transport, plan={"provincial": 100})

    assert office.get(f"/admin/projects/{model}/").status_code == 200
    assert office.get(f"/admin/projects/{model}/add/").status_code == 200


def test_a_project_is_added_with_its_communes(register: Register, office: Client) -> None:
    tree = register.tree
    response = office.post(
        "/admin/projects/project/add/",
        {
            "code": "7701",
            "name": "Đường ĐT 741",
            "investor": register.transport.pk,
            "group": "B",
            "sector": "transport",
            "stage": "implementation",
            "sources": '["provincial"]',
            "total_investment": "1200",
            "geometry": "null",
            "communes": [tree.commune_a1.pk, tree.commune_b1.pk],
            "decisions-TOTAL_FORMS": "0",
            "decisions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert set(Project.objects.get(code="7701").locations.all()) == {tree.commune_a1, tree.commune_b1}


def test_a_transfer_over_the_undisbursed_plan_is_refused_on_the_form_and_one_within_it_writes_both_sides(
    register: Register, office: Client
) -> None:
    giver = project("P1", register.transport, plan={"provincial": 1000})
    taker = project("P2", register.health, plan={"provincial": 100})
    disburse(giver, "202403", 400)
    body = {
        "year": "2024",
        "source": "provincial",
        "from_project": giver.pk,
        "to_project": taker.pk,
        "amount": "601",
        "effective_on": "2024-08-01",
        "decision_number": "9/QĐ-UBND",
        "decision_date": "2024-07-30",
        "note": "",
    }

    refused = office.post("/admin/projects/capitaltransfer/add/", body)
    made = office.post("/admin/projects/capitaltransfer/add/", {**body, "amount": "600"})

    assert refused.status_code == 200
    assert "600" in refused.content.decode()
    assert made.status_code == 302
    assert CapitalTransfer.objects.count() == 1
    assert CapitalAllocation.objects.filter(transfer__isnull=False).count() == 2


def test_a_cut_over_the_undisbursed_plan_is_refused_on_the_form_and_one_within_it_is_written_as_filled_in(
    register: Register, office: Client
) -> None:
    road = project("P1", register.transport, plan={"provincial": 1000})
    disburse(road, "202403", 400)
    body = {
        "project": road.pk,
        "year": "2024",
        "source": "provincial",
        "kind": "adjustment",
        "amount": "-601",
        "effective_on": "2024-08-01",
        "decision_number": "12/QĐ-UBND",
        "decision_date": "2024-07-30",
        "note": "Điều chỉnh giảm",
    }

    refused = office.post("/admin/projects/capitalallocation/add/", body)
    made = office.post("/admin/projects/capitalallocation/add/", {**body, "amount": "-600"})

    assert refused.status_code == 200
    assert "600" in refused.content.decode()
    assert made.status_code == 302
    cut = CapitalAllocation.objects.get(kind="adjustment")
    assert (cut.amount, cut.effective_on.isoformat(), cut.decision_number, cut.decision_date.isoformat(), cut.note) == (
        -600,
        "2024-08-01",
        "12/QĐ-UBND",
        "2024-07-30",
        "Điều chỉnh giảm",
    )


@pytest.mark.parametrize("path", ["capitalallocation", "capitaltransfer"])
def test_a_capital_form_without_a_valid_source_is_refused_on_the_form_not_with_a_server_error(
    register: Register, office: Client, path: str
) -> None:
    giver = project("P1", register.transport, plan={"provincial": 1000})
    taker = project("P2", register.health, plan={"provincial": 100})
    body = {
        "project": giver.pk,
        "from_project": giver.pk,
        "to_project": taker.pk,
        "year": "2024",
        "source": "no-such-source",
        "kind": "adjustment",
        "amount": "-100" if path == "capitalallocation" else "100",
        "effective_on": "2024-08-01",
        "decision_number": "12/QĐ-UBND",
        "decision_date": "2024-07-30",
        "note": "",
    }

    refused = office.post(f"/admin/projects/{path}/add/", body)

    assert refused.status_code == 200
    assert "no-such-source" in refused.content.decode()
    assert not CapitalTransfer.objects.exists()
    assert not CapitalAllocation.objects.filter(kind="adjustment").exists()

"""Requests anyone can send that used to answer 500: each now gets a 4xx with a message, on SQLite and on
PostgreSQL alike (the suite runs on both)."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from dieuhanh.accounts.services import api_token_create, membership_add
from dieuhanh.directives.choices import SourceKind
from dieuhanh.directives.models import Directive, SourceDocument
from dieuhanh.figures.models import DataValue
from dieuhanh.indicators.models import Target
from dieuhanh.orgunits.models import OrgUnit
from tests.conftest import Tree
from tests.databases import in_a_thread, shared_database
from tests.factories import IndicatorFactory, TargetFactory, UserFactory, put

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(tree: Tree) -> Tree:
    revenue = IndicatorFactory(code="REV", min_value=0)
    put(revenue, tree.district_a, "202301", 5)
    TargetFactory(indicator=revenue, org_unit=tree.province, year_from=2023, value=Decimal(100))
    return tree


@pytest.fixture
def writer_api(db: None) -> APIClient:
    """An operator allowed to change everything the API changes (figures, catalogue, directives)."""
    user = UserFactory(username="writer")
    membership_add(user=user, role="administrator")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user).key}")
    return client


@pytest.fixture
def directive(tree: Tree) -> Directive:
    source = SourceDocument.objects.create(
        kind=SourceKind.CONCLUSION_NOTICE, number="1/TB-UBND", date=dt.date(2024, 1, 5), org_unit=tree.province
    )
    return Directive.objects.create(
        source=source, content="Báo cáo thu ngân sách.", lead_agency=tree.district_a, starts_on=dt.date(2024, 1, 5)
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/indicators/RE%00V/",
        "/api/v1/org-units/7%0018/",
        "/api/v1/data-values/?indicator=RE%00V",
        "/api/v1/data-values/?org_unit=7%0018",
        "/api/v1/targets/?indicator=REV&org_unit=%00",
        "/api/v1/analytics?indicator=REV%00&org_unit=74&period=2023",
        "/api/v1/analytics/ranking?indicator=REV&org_unit=7%004&period=2023",
        "/indicators/RE%00V/",
        "/?indicator=RE%00V",
    ],
)
def test_a_nul_byte_in_a_path_or_a_code_is_refused_not_a_server_error(
    catalogue: Tree, api: APIClient, url: str
) -> None:
    response = api.get(url)

    assert response.status_code == 400
    assert "NUL" in response.content.decode()


@pytest.mark.parametrize("url", ["/api/v1/analytics", "/api/v1/analytics/ranking", "/api/v1/directives/scorecards/"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_method_a_view_without_a_model_does_not_answer_is_405(writer_api: APIClient, url: str, method: str) -> None:
    response = getattr(writer_api, method)(url, {}, format="json")

    assert response.status_code == 405


def test_trace_on_a_read_only_view_is_405_not_a_server_error(writer_api: APIClient) -> None:
    response = writer_api.generic("TRACE", "/api/v1/analytics")

    assert response.status_code == 405


@pytest.mark.parametrize("body", ["[]", "[null, null]", '"text"', "12", "null"])
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/directives/",
        "/api/v1/directives/sources/",
        "/api/v1/directives/extract/",
        "/api/v1/directives/{id}/progress/",
        "/api/v1/indicators/",
        "/api/v1/sectors/",
        "/api/v1/targets/",
        "/api/v1/org-units/",
        "/api/v1/org-unit-groups/",
        "/api/v1/successions/",
        "/api/v1/data-values/",
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(
    catalogue: Tree, directive: Directive, writer_api: APIClient, url: str, body: str
) -> None:
    response = writer_api.post(url.format(id=directive.pk), body, content_type="application/json")

    assert response.status_code == 400


@pytest.mark.parametrize("url", ["/api/v1/directives/{id}/", "/api/v1/targets/{target}/", "/api/v1/org-units/718/"])
def test_an_update_with_an_array_body_is_refused(
    catalogue: Tree, directive: Directive, writer_api: APIClient, url: str
) -> None:
    target = Target.objects.get()

    response = writer_api.patch(url.format(id=directive.pk, target=target.pk), "[1]", content_type="application/json")

    assert response.status_code == 400


def test_a_json_body_nested_100000_deep_is_refused(writer_api: APIClient, catalogue: Tree) -> None:
    body = "[" * 100_000 + "]" * 100_000

    response = writer_api.post("/api/v1/indicators/", body, content_type="application/json")

    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"] or "lồng" in response.json()["detail"]


def test_a_target_ending_before_it_starts_is_refused_with_a_message(catalogue: Tree, writer_api: APIClient) -> None:
    created = writer_api.post(
        "/api/v1/targets/",
        {"indicator": "REV", "org_unit": "74", "year_from": 2025, "year_to": 2021, "value": 1},
        format="json",
    )
    changed = writer_api.patch(f"/api/v1/targets/{Target.objects.get().pk}/", {"year_to": 2020}, format="json")

    assert (created.status_code, changed.status_code) == (400, 400)
    assert "year_to" in created.json()
    assert "year_to" in changed.json()
    assert Target.objects.get().year_to == 2023


def test_a_unit_whose_validity_ends_before_it_starts_is_refused_with_a_message(
    catalogue: Tree, writer_api: APIClient
) -> None:
    created = writer_api.post(
        "/api/v1/org-units/",
        {"code": "99", "name": "Xã mới", "kind": "commune", "valid_from": "2025-07-01", "valid_to": "2020-01-01"},
        format="json",
    )
    changed = writer_api.patch(
        "/api/v1/org-units/718/", {"valid_from": "2030-01-01", "valid_to": "2029-01-01"}, format="json"
    )
    only_end = writer_api.patch("/api/v1/org-units/719/", {"valid_to": "2019-01-01"}, format="json")

    assert (created.status_code, changed.status_code) == (400, 400)
    assert "valid_to" in created.json()
    assert "valid_to" in changed.json()
    assert only_end.status_code in (200, 400)
    assert not OrgUnit.objects.filter(code="99").exists()


def test_a_code_with_a_nul_in_a_json_body_is_refused(catalogue: Tree, writer_api: APIClient) -> None:
    response = writer_api.post(
        "/api/v1/data-values/",
        {"indicator": "RE\x00V", "org_unit": "718", "period": "202302", "value": 1},
        format="json",
    )

    assert response.status_code == 400
    assert not DataValue.objects.filter(period="202302").exists()


@pytest.mark.parametrize("value", ["１２３", "1e999999", "NaN", "Infinity", "9" * 5001])
def test_a_figure_that_is_no_plain_number_is_refused_through_the_api(
    catalogue: Tree, writer_api: APIClient, value: str
) -> None:
    response = writer_api.post(
        "/api/v1/data-values/",
        {"indicator": "REV", "org_unit": "718", "period": "202302", "value": value},
        format="json",
    )

    assert response.status_code == 400
    assert "value" in response.json()
    assert not DataValue.objects.filter(period="202302").exists()


def concurrent_creates(token: str, n: int) -> list[int]:
    """POST the same figure from n threads at once; the status of each answer."""
    statuses: list[int] = []
    start = threading.Barrier(n)

    def create(value: int) -> None:
        client = APIClient()
        # A server error is an answer here (500), as a client would get it, not an exception.
        client.raise_request_exception = False
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        start.wait()
        try:
            response = client.post(
                "/api/v1/data-values/",
                {"indicator": "REV", "org_unit": "718", "period": "202303", "value": value},
                format="json",
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_creates_of_one_figure_answer_201_or_409(tree: Tree, tmp_path: Path) -> None:
    IndicatorFactory(code="REV", min_value=0)
    user: Any = UserFactory(username="writer")
    membership_add(user=user, role="reporter", org_unit=tree.province)
    token = api_token_create(user=user).key

    with shared_database(tmp_path):
        statuses = concurrent_creates(token, 20)
        stored = in_a_thread(lambda: DataValue.objects.filter(period="202303").count())

    assert len(statuses) == 20
    assert set(statuses) <= {201, 409}, statuses
    assert 201 in statuses
    assert stored == 1

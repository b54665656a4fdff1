"""Figures are written only within the writer's scope: imports (page and API) and the data-values API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from dieuhanh.accounts.choices import Role
from dieuhanh.accounts.services import api_token_create, membership_add
from dieuhanh.figures.models import DataValue, ImportBatch
from dieuhanh.ingest.services import import_file
from tests.conftest import Tree
from tests.factories import IndicatorFactory, UserFactory, put

pytestmark = pytest.mark.django_db

# The probe's file: the province, two districts and a non-public indicator in one upload.
MIXED_CSV = (
    "indicator,org_unit,period,value\n"
    "REV,718,202301,10\n"
    "REV,74,202301,99\n"
    "REV,719,202301,5\n"
    "SECRET,719,202301,1\n"
    "SECRET,25741,202301,2\n"
)


@pytest.fixture
def catalogue(tree: Tree) -> Tree:
    IndicatorFactory(code="REV", is_public=True)
    IndicatorFactory(code="SECRET", is_public=False)
    return tree


@pytest.fixture
def reporter(catalogue: Tree) -> Any:
    """A reporter of district 718 (and its communes)."""
    user = UserFactory(username="reporter718")
    membership_add(user=user, role=Role.REPORTER, org_unit=catalogue.district_a)
    return user


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user).key}")
    return client


def test_an_import_with_units_outside_the_reporters_scope_is_refused_whole_naming_them(reporter: Any) -> None:
    result = import_file(content=MIXED_CSV.encode(), filename="mixed.csv", user=reporter)

    messages = [issue.message for issue in result.issues]
    assert not result.ok
    assert not DataValue.objects.exists()
    assert len(messages) == 2
    assert "(74)" in messages[0]
    assert "3" in messages[0]
    assert "(719)" in messages[1]
    assert "REV, SECRET" in messages[1]
    assert ImportBatch.objects.get().status == "failed"


def test_a_reporter_imports_the_figures_of_its_own_subtree(reporter: Any) -> None:
    content = "indicator,org_unit,period,value\nREV,718,202301,10\nSECRET,25741,202301,2\n"

    result = import_file(content=content.encode(), filename="mine.csv", user=reporter)

    assert result.ok
    assert DataValue.objects.count() == 2


def test_an_import_by_a_command_is_the_servers_and_writes_every_unit(catalogue: Tree) -> None:
    result = import_file(content=MIXED_CSV.encode(), filename="mixed.csv", user=None)

    assert result.ok
    assert DataValue.objects.count() == 5


def test_the_api_refuses_an_upload_outside_the_scope_with_the_units_named(reporter: Any) -> None:
    upload = SimpleUploadedFile("mixed.csv", MIXED_CSV.encode(), content_type="text/csv")

    response = _api(reporter).post("/api/v1/imports/", {"file": upload}, format="multipart")

    assert response.status_code == 400
    assert any("(74)" in message for message in response.json()["messages"])
    assert not DataValue.objects.exists()


def test_the_upload_page_refuses_a_file_outside_the_scope(reporter: Any) -> None:
    client = Client()
    client.force_login(reporter)

    response = client.post("/imports/", {"file": SimpleUploadedFile("mixed.csv", MIXED_CSV.encode())}, follow=True)

    assert "(74)" in response.content.decode()
    assert not DataValue.objects.exists()


def test_patching_a_province_figure_is_forbidden_to_a_district_reporter(reporter: Any, catalogue: Tree) -> None:
    province = put(IndicatorFactory(code="REV"), catalogue.province, "202301", 100)

    response = _api(reporter).patch(f"/api/v1/data-values/{province.pk}/", {"value": 1}, format="json")
    deleted = _api(reporter).delete(f"/api/v1/data-values/{province.pk}/")

    assert response.status_code == 403
    assert deleted.status_code == 403
    assert DataValue.objects.get(pk=province.pk).value == Decimal(100)


def test_a_reporter_writes_changes_and_deletes_its_communes_figure_through_the_api(reporter: Any) -> None:
    client = _api(reporter)
    body = {"indicator": "SECRET", "org_unit": "25741", "period": "202301", "value": 7}

    created = client.post("/api/v1/data-values/", body, format="json")
    changed = client.patch(f"/api/v1/data-values/{created.json()['id']}/", {"value": 8}, format="json")
    deleted = client.delete(f"/api/v1/data-values/{created.json()['id']}/")

    assert (created.status_code, changed.status_code, deleted.status_code) == (201, 200, 204)


def test_creating_a_figure_of_another_district_is_forbidden(reporter: Any) -> None:
    body = {"indicator": "REV", "org_unit": "719", "period": "202301", "value": 7}

    response = _api(reporter).post("/api/v1/data-values/", body, format="json")

    assert response.status_code == 403
    assert "(719)" in response.json()["detail"]
    assert not DataValue.objects.exists()


def test_a_viewer_may_not_write_figures_even_of_its_own_unit(catalogue: Tree) -> None:
    viewer = UserFactory(username="viewer")
    membership_add(user=viewer, role=Role.VIEWER, org_unit=catalogue.district_a)
    body = {"indicator": "REV", "org_unit": "718", "period": "202301", "value": 7}

    response = _api(viewer).post("/api/v1/data-values/", body, format="json")

    assert response.status_code == 403
    assert not DataValue.objects.exists()


def test_a_reporter_reads_its_subtree_and_the_public_figures_of_the_others(reporter: Any, catalogue: Tree) -> None:
    put(IndicatorFactory(code="SECRET"), catalogue.district_b, "202301", 1)
    put(IndicatorFactory(code="SECRET"), catalogue.commune_a1, "202301", 2)
    put(IndicatorFactory(code="REV"), catalogue.district_b, "202301", 3)

    values = _api(reporter).get("/api/v1/data-values/").json()["results"]

    assert {(v["indicator"], v["org_unit"]) for v in values} == {("SECRET", "25741"), ("REV", "719")}

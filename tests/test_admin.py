"""The admin, in Vietnamese, for every model of the catalogue and of collected figures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from dieuhanh.ingest.models import DataValue, DataValueChange
from tests.conftest import Tree
from tests.factories import IndicatorFactory, put

pytestmark = pytest.mark.django_db

PAGES = [
    "orgunits/orgunit",
    "orgunits/orgunitgroup",
    "orgunits/succession",
    "indicators/sector",
    "indicators/indicator",
    "indicators/target",
    "ingest/datavalue",
    "ingest/datavaluechange",
    "ingest/importbatch",
]


@pytest.fixture
def admin_client(tree: Tree) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "x"))
    return client


@pytest.mark.parametrize("page", PAGES)
def test_every_list_page_opens_in_vietnamese(admin_client: Client, tree: Tree, page: str) -> None:
    put(IndicatorFactory(code="REV"), tree.district_a, "202301", 1)

    response = admin_client.get(f"/admin/{page}/")

    assert response.status_code == 200
    assert '<html lang="vi"' in response.content.decode()


def test_an_edit_in_the_admin_is_checked_and_audited(admin_client: Client, tree: Tree) -> None:
    value = put(IndicatorFactory(code="REV", max_value=100), tree.district_a, "202301", 1)

    admin_client.post(
        f"/admin/ingest/datavalue/{value.pk}/change/", {"value": "7", "comment": "sửa", "status": "approved"}
    )
    refused = admin_client.post(
        f"/admin/ingest/datavalue/{value.pk}/change/", {"value": "700", "comment": "", "status": "approved"}
    )

    value.refresh_from_db()
    assert (value.value, value.comment, value.status) == (Decimal(7), "sửa", "approved")
    change = DataValueChange.objects.get()
    assert (change.old_value, change.new_value, change.changed_by.username) == (Decimal(1), Decimal(7), "root")
    assert DataValue.objects.count() == 1
    assert refused.status_code == 200  # the form again, with the reason
    assert "100" in refused.content.decode().split("errornote")[1]

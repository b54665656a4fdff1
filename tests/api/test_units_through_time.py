"""The API names a unit by its code and a date: `?on=` for the org units, the period for a figure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from dieuhanh.figures.models import DataValue
from dieuhanh.indicators.models import Target
from dieuhanh.orgunits.models import OrgUnit, Succession
from tests.conftest import Tree
from tests.factories import IndicatorFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db

REFORM = dt.date(2025, 7, 1)


@pytest.fixture
def reform(tree: Tree) -> dict[str, OrgUnit]:
    hcmc = OrgUnitFactory(code="79", name="Thành phố Hồ Chí Minh", kind="province", valid_from=REFORM)
    old = OrgUnitFactory(code="25747", name="Phường Phú Cường", parent=tree.district_a, valid_to=dt.date(2025, 6, 30))
    new = OrgUnitFactory(code="25747", name="Phường Thủ Dầu Một", parent=hcmc, valid_from=REFORM)
    Succession.objects.create(predecessor=old, successor=new, effective_date=REFORM)
    return {"old": old, "new": new}


def test_a_code_is_looked_up_on_the_day_asked_and_the_answer_says_which_unit(
    api: APIClient, reform: dict[str, OrgUnit]
) -> None:
    before = api.get("/api/v1/org-units/25747/", {"on": "2025-06-30"}).json()
    after = api.get("/api/v1/org-units/25747/", {"on": "2025-07-01"}).json()
    assert (before["name"], before["id"], before["valid_to"]) == ("Phường Phú Cường", reform["old"].pk, "2025-06-30")
    assert (after["name"], after["id"], after["valid_from"]) == ("Phường Thủ Dầu Một", reform["new"].pk, "2025-07-01")
    assert after["parent"] == "79"
    listed = api.get("/api/v1/org-units/", {"on": "2025-06-30"}).json()["results"]
    assert [u["name"] for u in listed if u["code"] == "25747"] == ["Phường Phú Cường"]
    everything = api.get("/api/v1/org-units/", {"all": "true"}).json()["results"]
    assert sorted(u["name"] for u in everything if u["code"] == "25747") == ["Phường Phú Cường", "Phường Thủ Dầu Một"]
    assert api.get("/api/v1/org-units/", {"on": "30/6/2025"}).status_code == 400


def test_a_code_not_valid_on_the_day_asked_is_not_found_with_its_history(
    api: APIClient, reform: dict[str, OrgUnit]
) -> None:
    with translation.override("vi"):
        response = api.get("/api/v1/org-units/79/", {"on": "2025-06-30"}, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 404
    assert "hiệu lực từ 1/7/2025" in response.json()["detail"]


def test_a_figure_written_through_the_api_goes_to_the_unit_its_code_names_in_its_period(
    owner_api: APIClient, reform: dict[str, OrgUnit]
) -> None:
    IndicatorFactory(code="REV")
    for period in ("202506", "202507"):
        response = owner_api.post(
            "/api/v1/data-values/", {"indicator": "REV", "org_unit": "25747", "period": period, "value": "1"}
        )
        assert response.status_code == 201, response.json()
    assert DataValue.objects.get(period="202506").org_unit == reform["old"]
    assert DataValue.objects.get(period="202507").org_unit == reform["new"]
    # Asked about a period, a code names the unit valid on its last day.
    july = owner_api.get("/api/v1/data-values/", {"org_unit": "25747", "period": "202507"}).json()["results"]
    june = owner_api.get("/api/v1/data-values/", {"org_unit": "25747", "period": "202506"}).json()["results"]
    assert [v["period"] for v in july] == ["202507"]
    assert [v["period"] for v in june] == ["202506"]


def test_a_target_written_through_the_api_goes_to_the_unit_its_code_names_at_its_years_end(
    owner_api: APIClient, reform: dict[str, OrgUnit]
) -> None:
    IndicatorFactory(code="REV")
    for year in (2024, 2025):
        response = owner_api.post(
            "/api/v1/targets/",
            {"indicator": "REV", "org_unit": "25747", "year_from": year, "year_to": year, "value": "1"},
        )
        assert response.status_code == 201, response.json()
    assert Target.objects.get(year_from=2024).org_unit == reform["old"]
    assert Target.objects.get(year_from=2025).org_unit == reform["new"]
    # Asked about the same code and year, the target is found.
    found = owner_api.get("/api/v1/targets/", {"org_unit": "25747", "year": "2025"}).json()["results"]
    assert [t["year_from"] for t in found] == [2025]

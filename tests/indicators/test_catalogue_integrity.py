"""The catalogue's integrity: a public indicator is never computed from a non-public one, and a change
that contradicts stored figures is refused — the same way by the API, the admin and the loader."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from dieuhanh.indicators.metadata import MetadataError, metadata_load
from dieuhanh.indicators.models import Indicator
from dieuhanh.orgunits.models import OrgUnit
from tests.factories import IndicatorFactory, OrgUnitFactory, UserFactory, put

pytestmark = pytest.mark.django_db


@pytest.fixture
def ratio() -> Indicator:
    """A public ratio of two public parts."""
    IndicatorFactory(code="REVENUE", name="Thu ngân sách")
    IndicatorFactory(code="POP", name="Dân số")
    return IndicatorFactory(
        code="PER_HEAD",
        aggregation="ratio",
        numerator=Indicator.objects.get(code="REVENUE"),
        denominator=Indicator.objects.get(code="POP"),
    )


# ---- public over non-public --------------------------------------------------------------------


def test_the_api_refuses_a_public_ratio_over_a_non_public_part_naming_it(owner_api) -> None:  # type: ignore[no-untyped-def]
    IndicatorFactory(code="REVENUE")
    IndicatorFactory(code="SECRET", is_public=False)
    with translation.override("vi"):
        response = owner_api.post(
            "/api/v1/indicators/",
            {
                "code": "PER_SECRET",
                "name": "Tỷ lệ",
                "aggregation": "ratio",
                "numerator": "REVENUE",
                "denominator": "SECRET",
            },
            format="json",
            HTTP_ACCEPT_LANGUAGE="vi",
        )
    assert response.status_code == 400, response.content
    message = response.json()["denominator"][0]
    assert "'SECRET' không công khai" in message
    assert not Indicator.objects.filter(code="PER_SECRET").exists()


def test_a_non_public_ratio_over_a_non_public_part_is_accepted(owner_api) -> None:  # type: ignore[no-untyped-def]
    IndicatorFactory(code="REVENUE")
    IndicatorFactory(code="SECRET", is_public=False)
    response = owner_api.post(
        "/api/v1/indicators/",
        {
            "code": "PER_SECRET",
            "name": "Tỷ lệ",
            "aggregation": "ratio",
            "numerator": "REVENUE",
            "denominator": "SECRET",
            "is_public": False,
        },
        format="json",
    )
    assert response.status_code == 201, response.content


def test_the_api_refuses_making_a_part_of_a_public_ratio_non_public(owner_api, ratio) -> None:  # type: ignore[no-untyped-def]
    response = owner_api.patch("/api/v1/indicators/POP/", {"is_public": False}, format="json")
    assert response.status_code == 400
    assert "PER_HEAD" in response.json()["is_public"][0]
    assert Indicator.objects.get(code="POP").is_public


def test_the_loader_refuses_a_public_ratio_over_a_non_public_part() -> None:
    document = {
        "indicators": [
            {"code": "REVENUE", "name": "Thu", "public": False},
            {"code": "POP", "name": "Dân số"},
            {
                "code": "PER_HEAD",
                "name": "Bình quân",
                "aggregation": "ratio",
                "numerator": "REVENUE",
                "denominator": "POP",
            },
        ]
    }
    with translation.override("en"), pytest.raises(MetadataError) as caught:
        metadata_load(document=document)
    assert any("indicators[2].numerator" in e and "'REVENUE' is not public" in e for e in caught.value.errors)
    assert not Indicator.objects.exists()


def test_the_loader_refuses_hiding_a_part_a_public_ratio_in_the_database_uses(ratio) -> None:
    with translation.override("en"), pytest.raises(MetadataError) as caught:
        metadata_load(document={"indicators": [{"code": "POP", "public": False}]})
    assert caught.value.errors == [
        "indicators[0].public: the public indicator 'PER_HEAD' is computed from this one and would reveal it: "
        "make 'PER_HEAD' non-public first, or keep this indicator public."
    ]
    assert Indicator.objects.get(code="POP").is_public


def test_the_loader_takes_a_part_and_its_ratio_made_non_public_in_one_file(ratio) -> None:
    metadata_load(document={"indicators": [{"code": "POP", "public": False}, {"code": "PER_HEAD", "public": False}]})
    assert set(Indicator.objects.filter(is_public=False).values_list("code", flat=True)) == {"POP", "PER_HEAD"}


def test_the_admin_refuses_making_a_part_of_a_public_ratio_non_public(client, ratio) -> None:  # type: ignore[no-untyped-def]
    admin = UserFactory(username="boss", is_staff=True, is_superuser=True)
    client.force_login(admin)
    pop = Indicator.objects.get(code="POP")
    form = {
        "code": "POP",
        "name": pop.name,
        "unit": pop.unit,
        "period_type": "monthly",
        "aggregation": "sum",
        "factor": "1",
        "direction": "up",
        "decimals": "1",
        "sort_order": "0",
        # is_public left unticked
    }
    response = client.post(f"/admin/indicators/indicator/{pop.pk}/change/", form, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200  # the form again, with the problem
    assert "PER_HEAD" in response.content.decode()
    assert Indicator.objects.get(code="POP").is_public


# ---- changes that contradict stored figures ----------------------------------------------------


def test_changing_the_period_type_of_an_indicator_with_figures_is_refused_with_a_count_and_an_example(
    owner_api,  # type: ignore[no-untyped-def]
) -> None:
    indicator = IndicatorFactory(code="REVENUE")
    unit = OrgUnitFactory(code="718", name="Thành phố Thủ Dầu Một")
    put(indicator, unit, "202301", "1234.5")
    put(indicator, unit, "202302", 7)
    response = owner_api.patch("/api/v1/indicators/REVENUE/", {"period_type": "yearly"}, format="json")
    assert response.status_code == 400
    message = response.json()["period_type"][0]
    # In the user's language (Vietnamese first), the figure written the Vietnamese way.
    assert message.startswith("Chỉ tiêu này có 2 số liệu đã lưu theo kỳ báo cáo hiện tại (Tháng)")
    assert "Thành phố Thủ Dầu Một (718), 202301: 1.234,5" in message
    assert "tạo một chỉ tiêu mới" in message
    assert Indicator.objects.get(code="REVENUE").period_type == "monthly"


def test_changing_the_period_type_of_an_indicator_without_figures_is_accepted(owner_api) -> None:  # type: ignore[no-untyped-def]
    IndicatorFactory(code="REVENUE")
    response = owner_api.patch("/api/v1/indicators/REVENUE/", {"period_type": "yearly"}, format="json")
    assert response.status_code == 200, response.content


def test_a_minimum_that_stored_figures_break_is_refused_by_the_loader_in_vietnamese() -> None:
    indicator = IndicatorFactory(code="RATE", unit="%")
    unit = OrgUnitFactory(code="718", name="Thủ Dầu Một")
    put(indicator, unit, "202301", "-3.25")
    put(indicator, unit, "202302", 40)
    with translation.override("vi"), pytest.raises(MetadataError) as caught:
        metadata_load(document={"indicators": [{"code": "RATE", "min": 0, "max": 100}]})
    (error,) = caught.value.errors
    assert error.startswith("indicators[0].min: ")
    assert "Thủ Dầu Một (718), 202301: -3,25" in error
    assert Indicator.objects.get(code="RATE").min_value is None


def test_a_maximum_below_a_stored_figure_is_refused_and_one_that_holds_them_all_is_accepted(owner_api) -> None:  # type: ignore[no-untyped-def]
    indicator = IndicatorFactory(code="RATE")
    put(indicator, OrgUnitFactory(code="718"), "202301", 120)
    refused = owner_api.patch("/api/v1/indicators/RATE/", {"max_value": 100}, format="json")
    assert refused.status_code == 400
    assert "max_value" in refused.json()
    accepted = owner_api.patch("/api/v1/indicators/RATE/", {"max_value": 120}, format="json")
    assert accepted.status_code == 200, accepted.content


def test_turning_an_indicator_with_stored_figures_into_a_ratio_is_refused(owner_api) -> None:  # type: ignore[no-untyped-def]
    indicator = IndicatorFactory(code="RATE")
    IndicatorFactory(code="A")
    IndicatorFactory(code="B")
    put(indicator, OrgUnitFactory(code="718"), "202301", 1)
    response = owner_api.patch(
        "/api/v1/indicators/RATE/", {"aggregation": "ratio", "numerator": "A", "denominator": "B"}, format="json"
    )
    assert response.status_code == 400
    assert "aggregation" in response.json()


def test_ending_a_unit_before_periods_it_has_figures_for_is_refused(owner_api) -> None:  # type: ignore[no-untyped-def]
    unit = OrgUnitFactory(code="718", name="Thủ Dầu Một")
    indicator = IndicatorFactory(code="REVENUE")
    put(indicator, unit, "202506", 5)
    put(indicator, unit, "202507", 6)
    put(indicator, unit, "202508", 7)
    with translation.override("en"):
        response = owner_api.patch(
            "/api/v1/org-units/718/?on=2025-01-01", {"valid_to": "2025-06-30"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 400
    message = response.json()["valid_to"][0]
    assert message.startswith(
        "2 số liệu đã lưu của đơn vị này sẽ nằm ngoài thời gian hiệu lực (hiệu lực đến 30/6/2025)"
    )
    assert "REVENUE, 202507: 6" in message
    assert OrgUnit.objects.get(code="718").valid_to is None


def test_a_unit_may_start_within_the_first_period_it_has_a_figure_for() -> None:
    unit = OrgUnitFactory(code="718")
    yearly = IndicatorFactory(code="GRDP", period_type="yearly")
    put(yearly, unit, "2025", 5)
    # The year 2025 still shares days with a unit valid from 1 July 2025.
    metadata_load(document={"org_units": [{"code": "718", "name": unit.name, "valid_from": "2025-07-01"}]})
    assert OrgUnit.objects.get(code="718").valid_from == dt.date(2025, 7, 1)
    with translation.override("en"), pytest.raises(MetadataError) as caught:
        metadata_load(document={"org_units": [{"code": "718", "name": unit.name, "valid_from": "2026-01-01"}]})
    (error,) = caught.value.errors
    assert error.startswith("org_units[0].valid_from: 1 stored figure(s) of this unit would fall outside")

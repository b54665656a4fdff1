"""``dieuhanh demo`` does not undo catalogue edits made since it loaded the catalogue, unless --force."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import translation

from dieuhanh.demo.services import DemoCatalogueEditedError, DemoLoadResult, demo_load
from dieuhanh.indicators.models import Indicator
from dieuhanh.orgunits.choices import ChangeWay
from dieuhanh.orgunits.models import CatalogueChange

pytestmark = pytest.mark.django_db


def test_the_demo_records_its_catalogue_as_the_demos_in_the_history(demo: DemoLoadResult) -> None:
    indicators = CatalogueChange.objects.filter(model="indicators.indicator")
    assert indicators.count() >= demo.indicators
    assert set(indicators.values_list("way", flat=True)) == {ChangeWay.DEMO}


def test_loading_the_demo_again_without_edits_needs_no_force(demo: DemoLoadResult) -> None:
    again = demo_load(until=demo.until)
    assert again.catalogue.updated == {}


def test_an_edit_made_through_the_api_stops_the_demo_from_loading_over_it(demo: DemoLoadResult, owner_api) -> None:  # type: ignore[no-untyped-def]
    code = Indicator.objects.filter(is_public=True).order_by("code").values_list("code", flat=True)[0]
    original = Indicator.objects.get(code=code).name
    assert owner_api.patch(f"/api/v1/indicators/{code}/", {"name": "Tên sửa tại chỗ"}, format="json").status_code == 200

    with translation.override("en"), pytest.raises(DemoCatalogueEditedError) as caught:
        demo_load(until=demo.until)
    message = str(caught.value)
    assert f"indicator {code}: changed name" in message
    assert "by owner (API)" in message
    assert "--force" in message
    assert Indicator.objects.get(code=code).name == "Tên sửa tại chỗ"  # nothing written

    forced = demo_load(until=demo.until, force=True)
    assert forced.catalogue.updated == {"indicators": 1}
    assert Indicator.objects.get(code=code).name == original
    # Set back by the demo, the edit no longer stands in its way.
    demo_load(until=demo.until)


def test_an_edit_to_a_field_the_demo_does_not_set_is_not_in_its_way(demo: DemoLoadResult, owner_api) -> None:  # type: ignore[no-untyped-def]
    code = Indicator.objects.filter(description="").order_by("code").values_list("code", flat=True)[0]
    # The demo's file gives this indicator no description: adding one is undone by nothing.
    owner_api.patch(f"/api/v1/indicators/{code}/", {"description": "Theo Nghị quyết 01/NQ-HĐND"}, format="json")
    demo_load(until=demo.until)
    assert Indicator.objects.get(code=code).description == "Theo Nghị quyết 01/NQ-HĐND"


def test_the_command_refuses_in_vietnamese_and_loads_with_force(demo: DemoLoadResult, owner_api) -> None:  # type: ignore[no-untyped-def]
    code = Indicator.objects.order_by("code").values_list("code", flat=True)[0]
    owner_api.patch(f"/api/v1/indicators/{code}/", {"name": "Tên sửa tại chỗ"}, format="json")
    err = io.StringIO()
    with translation.override("vi"), pytest.raises(SystemExit):
        call_command("demo", load_only=True, until=demo.until, stdout=io.StringIO(), stderr=err)
    assert "Chưa nạp dữ liệu mẫu:" in err.getvalue()
    assert "dieuhanh demo --force" in err.getvalue()
    assert f"{code}: đã sửa name" in err.getvalue()

    call_command("demo", load_only=True, force=True, until=demo.until, stdout=io.StringIO())
    assert Indicator.objects.get(code=code).name != "Tên sửa tại chỗ"

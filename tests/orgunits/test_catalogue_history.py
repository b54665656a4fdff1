"""The catalogue's history: every write of the catalogue, by the API, the admin, the loader or a command,
is kept with who, when, through which way and each field's old and new value; readable by signed-in
users through the API and read-only in the admin."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from dieuhanh.indicators.metadata import MetadataError, metadata_load
from dieuhanh.indicators.models import Indicator
from dieuhanh.orgunits.choices import ChangeAction, ChangeWay
from dieuhanh.orgunits.models import CatalogueChange, OrgUnit, OrgUnitGroup
from tests.factories import IndicatorFactory, OrgUnitFactory, SectorFactory, UserFactory

pytestmark = pytest.mark.django_db

DOCUMENT = {
    "sectors": [{"code": "TC", "name": "Tài chính"}, {"code": "CN", "name": "Công nghiệp"}],
    "org_units": [{"code": "74", "name": "Tỉnh Bình Dương", "kind": "province"}],
    "org_unit_groups": [{"code": "NORTH", "name": "Phía Bắc", "members": ["74"]}],
    "indicators": [{"code": "REVENUE", "name": "Thu ngân sách", "sector": "TC", "min": 0}],
    "targets": [{"indicator": "REVENUE", "org_unit": "74", "year": 2023, "value": 100}],
}


def test_the_api_records_a_create_a_change_and_a_deletion_with_who_and_old_and_new(owner_api, owner) -> None:  # type: ignore[no-untyped-def]
    SectorFactory(code="TC")
    assert owner_api.post("/api/v1/indicators/", {"code": "X", "name": "Cũ"}, format="json").status_code == 201
    assert owner_api.patch("/api/v1/indicators/X/", {"name": "Mới", "sector": "TC"}, format="json").status_code == 200
    assert owner_api.delete("/api/v1/indicators/X/").status_code == 204

    created, changed, deleted = CatalogueChange.objects.filter(code="X").order_by("id")
    assert [c.action for c in (created, changed, deleted)] == [
        ChangeAction.CREATE,
        ChangeAction.UPDATE,
        ChangeAction.DELETE,
    ]
    assert {c.way for c in (created, changed, deleted)} == {ChangeWay.API}
    assert {c.user for c in (created, changed, deleted)} == {owner}
    assert created.changes["name"] == [None, "Cũ"]
    assert changed.changes == {"name": ["Cũ", "Mới"], "sector": [None, "TC"]}  # a related record by its code
    assert deleted.changes["name"] == ["Mới", None]
    assert deleted.model == "indicators.indicator"


def test_a_refused_request_leaves_no_history(owner_api) -> None:  # type: ignore[no-untyped-def]
    IndicatorFactory(code="X")
    owner_api.patch("/api/v1/indicators/X/", {"min_value": 5, "max_value": 1}, format="json")
    assert not CatalogueChange.objects.exists()


def test_the_loader_records_each_record_once_and_a_reload_nothing() -> None:
    metadata_load(document=DOCUMENT, source="tinh.yaml")
    assert CatalogueChange.objects.count() == 6
    assert set(CatalogueChange.objects.values_list("way", "source", "action")) == {
        (ChangeWay.LOADER, "tinh.yaml", ChangeAction.CREATE)
    }
    group = CatalogueChange.objects.get(model="orgunits.orgunitgroup")
    assert group.changes["members"] == [None, ["74"]]
    target = CatalogueChange.objects.get(model="indicators.target")
    assert (target.code, target.key) == ("REVENUE", "REVENUE @ 74 2023")

    metadata_load(document=DOCUMENT, source="tinh.yaml")
    assert CatalogueChange.objects.count() == 6

    changed = {**DOCUMENT, "indicators": [{"code": "REVENUE", "name": "Thu ngân sách", "sector": "CN", "min": 0}]}
    metadata_load(document=changed, source="tinh.yaml")
    update = CatalogueChange.objects.get(action=ChangeAction.UPDATE)
    assert update.changes == {"sector": ["TC", "CN"]}


def test_a_refused_file_leaves_no_history() -> None:
    bad = {**DOCUMENT, "targets": [{"indicator": "NOPE", "org_unit": "74", "year": 2023, "value": 1}]}
    with pytest.raises(MetadataError):
        metadata_load(document=bad)
    assert not CatalogueChange.objects.exists()


def test_the_load_metadata_command_records_the_files_name(tmp_path: Path) -> None:
    path = tmp_path / "danh-muc.yaml"
    path.write_text(yaml.safe_dump(DOCUMENT, allow_unicode=True), encoding="utf-8")
    call_command("load_metadata", str(path), stdout=io.StringIO())
    assert set(CatalogueChange.objects.values_list("source", flat=True)) == {"danh-muc.yaml"}


def test_the_admin_records_a_units_change_with_its_groups(client) -> None:  # type: ignore[no-untyped-def]
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    client.force_login(boss)
    unit = OrgUnitFactory(code="718", name="Thủ Dầu Một", kind="district")
    group = OrgUnitGroup.objects.create(code="NORTH", name="Phía Bắc")
    form = {"code": "718", "name": "Thành phố Thủ Dầu Một", "kind": "district", "sort_order": "0", "groups": [group.pk]}
    response = client.post(f"/admin/orgunits/orgunit/{unit.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]

    (change,) = CatalogueChange.objects.all()
    assert (change.way, change.user, change.action) == (ChangeWay.ADMIN, boss, ChangeAction.UPDATE)
    assert change.changes == {"name": ["Thủ Dầu Một", "Thành phố Thủ Dầu Một"], "groups": [[], ["NORTH"]]}


def test_the_admin_records_a_deletion_and_shows_the_history_read_only(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    indicator = IndicatorFactory(code="X")
    response = client.post(f"/admin/indicators/indicator/{indicator.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert CatalogueChange.objects.get().action == ChangeAction.DELETE

    listing = client.get("/admin/orgunits/cataloguechange/")
    assert listing.status_code == 200
    assert "X" in listing.content.decode()
    assert client.get("/admin/orgunits/cataloguechange/add/").status_code == 403


def test_the_history_is_read_by_operators_and_administrators_and_filtered(api, colleague_api, owner_api) -> None:  # type: ignore[no-untyped-def]
    metadata_load(document=DOCUMENT)
    assert api.get("/api/v1/catalogue-changes/").status_code in (401, 403)
    # Signed in without a role: the history of the whole catalogue is not theirs to read.
    assert colleague_api.get("/api/v1/catalogue-changes/").status_code == 403

    everything = owner_api.get("/api/v1/catalogue-changes/").json()
    assert everything["count"] == 6
    indicators = owner_api.get("/api/v1/catalogue-changes/?model=indicator").json()["results"]
    assert [(r["code"], r["action"], r["way"]) for r in indicators] == [("REVENUE", "create", "loader")]
    assert indicators[0]["changes"]["min_value"] == [None, "0"]
    by_code = owner_api.get("/api/v1/catalogue-changes/?code=REVENUE").json()["results"]
    assert {r["model"] for r in by_code} == {"indicators.indicator", "indicators.target"}
    assert owner_api.get("/api/v1/catalogue-changes/?since=2999-01-01").json()["count"] == 0
    assert owner_api.get("/api/v1/catalogue-changes/?until=2999-01-01").json()["count"] == 6
    refused = owner_api.post("/api/v1/catalogue-changes/", {}, format="json")
    assert refused.status_code == 405


def test_the_history_list_asks_a_fixed_number_of_queries(owner_api, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    metadata_load(document=DOCUMENT)
    with django_assert_max_num_queries(6):
        owner_api.get("/api/v1/catalogue-changes/")


def test_the_history_outlives_the_record_and_names_units_by_code() -> None:
    metadata_load(document=DOCUMENT)
    Indicator.objects.all().delete()
    OrgUnit.objects.filter(code="74").update(name="Đổi tên ngoài lịch sử")
    target = CatalogueChange.objects.get(model="indicators.target")
    assert target.changes["org_unit"] == [None, "74"]
    assert target.changes["indicator"] == [None, "REVENUE"]

"""Shares of a split unit proposed by area or by population, stored, and set only when the operator
accepts them (docs/catalogue.md, "Share proposals")."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import translation

from dieuhanh.analytics.selectors import analytics_measures
from dieuhanh.dashboard import boundaries
from dieuhanh.indicators.metadata import MetadataError, metadata_load
from dieuhanh.indicators.periods import Period
from dieuhanh.ingest.services import data_value_set
from dieuhanh.orgunits.choices import MergeType, ShareMethod
from dieuhanh.orgunits.models import OrgUnit, ShareProposal, Succession
from dieuhanh.orgunits.shares import (
    Proposed,
    ShareError,
    area_share,
    population_shares,
    share_proposals_accept,
    share_proposals_store,
)
from tests.factories import IndicatorFactory, OrgUnitFactory

D = Decimal
OLD_END = dt.date(2025, 6, 30)
REFORM = dt.date(2025, 7, 1)


def square(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


# ---- area ---------------------------------------------------------------------------------------


def test_the_area_share_is_the_part_of_the_old_square_the_new_one_covers() -> None:
    old = square(106.0, 11.0, 107.0, 12.0)
    # A quarter strip on the west: a quarter of the old unit, whatever the latitude's scale.
    assert area_share(old, square(106.0, 11.0, 106.25, 12.0)) == D("0.25")
    # The rest of the southern half: 3/4 × 1/2.
    assert area_share(old, square(106.25, 11.0, 107.0, 11.5)) == D("0.375")
    # A new unit reaching beyond the old one counts only what it took of it.
    assert area_share(old, square(106.5, 10.0, 108.0, 13.0)) == D("0.5")
    assert area_share(old, square(108.0, 11.0, 109.0, 12.0)) == D("0")
    assert area_share(old, old) == D("1")


def test_a_thin_sliver_is_rounded_down_so_the_parts_never_add_up_to_more_than_one() -> None:
    old = square(0.0, 0.0, 3.0, 1.0)
    thirds = [area_share(old, square(float(i), 0.0, float(i + 1), 1.0)) for i in range(3)]
    assert thirds == [D("0.333333")] * 3
    assert sum(thirds) <= 1


def test_a_boundary_that_is_not_a_polygon_is_refused_in_vietnamese() -> None:
    with pytest.raises(ShareError, match="không phải là một vùng"):
        area_share(square(0, 0, 1, 1), {"type": "Point", "coordinates": [0.5, 0.5]})


# ---- population ---------------------------------------------------------------------------------


def test_the_population_share_is_each_successors_part_of_their_total() -> None:
    shares = population_shares({1: D(300), 2: D(100)}, names={1: "A", 2: "B"})
    assert shares == {1: D("0.75"), 2: D("0.25")}


def test_a_successor_without_a_figure_is_named_in_the_refusal() -> None:
    with pytest.raises(ShareError, match="Không có số liệu của Phường B"):
        population_shares({1: D(300), 2: None}, names={1: "Phường A", 2: "Phường B"})


# ---- stored figures, proposals, acceptance ------------------------------------------------------


@pytest.fixture
def split(db: None) -> dict[str, Any]:
    """Old commune P (until 30/6/2025) split between S1 and S2 (from 1/7/2025), shares not known;
    P's revenue in January 2025 is 100; the successors' population in July 2025 is 300 and 100."""
    province = OrgUnitFactory(code="T", kind="province")
    p = OrgUnitFactory(code="P", name="Xã Cũ", parent=province, valid_to=OLD_END)
    s1 = OrgUnitFactory(code="S1", name="Phường Một", parent=province, valid_from=REFORM)
    s2 = OrgUnitFactory(code="S2", name="Phường Hai", parent=province, valid_from=REFORM)
    parts = [
        Succession.objects.create(predecessor=p, successor=s, effective_date=REFORM, merge_type=MergeType.PART)
        for s in (s1, s2)
    ]
    revenue = IndicatorFactory(code="REV", aggregation="sum")
    population = IndicatorFactory(code="POP", aggregation="last", unit="người")
    data_value_set(indicator=revenue, org_unit=p, period="202501", value=D(100))
    data_value_set(indicator=population, org_unit=s1, period="202507", value=D(300))
    data_value_set(indicator=population, org_unit=s2, period="202507", value=D(100))
    return {"p": p, "s1": s1, "s2": s2, "parts": parts, "revenue": revenue, "population": population}


def rebased_january(split: dict[str, Any], unit: OrgUnit) -> Any:
    [measure] = analytics_measures(indicators=[split["revenue"]], org_units=[unit], periods=[Period.parse("202501")])
    return measure


@pytest.mark.django_db
def test_a_population_proposal_is_stored_not_applied_until_accepted_and_then_rebases(split: dict[str, Any]) -> None:
    assert rebased_january(split, split["s1"]).value is None  # a part of unknown share: missing

    out = StringIO()
    call_command("shares", "propose", "--by", "population", "--indicator", "POP", "--period", "2025S2", stdout=out)

    assert "0,75" in out.getvalue()
    assert "chưa áp dụng" in out.getvalue()
    assert sorted(ShareProposal.objects.values_list("share", flat=True)) == [D("0.25"), D("0.75")]
    assert all(s.share is None for s in Succession.objects.all())
    assert rebased_january(split, split["s1"]).value is None

    share_proposals_accept(proposals=list(ShareProposal.objects.all()))

    assert {s.successor.code: s.share for s in Succession.objects.select_related("successor")} == {
        "S1": D("0.75"),
        "S2": D("0.25"),
    }
    measure = rebased_january(split, split["s1"])
    assert measure.value == D(75)
    assert measure.rebased
    assert all(p.accepted_at is not None and p.replaced_share is None for p in ShareProposal.objects.all())


@pytest.mark.django_db
def test_the_command_accepts_at_once_when_asked(split: dict[str, Any]) -> None:
    call_command(
        "shares",
        "propose",
        "--by",
        "population",
        "--indicator",
        "POP",
        "--period",
        "2025S2",
        "--accept",
        stdout=StringIO(),
    )
    assert rebased_january(split, split["s2"]).value == D(25)


@pytest.mark.django_db
def test_a_population_proposal_is_refused_when_a_successor_has_no_figure(split: dict[str, Any]) -> None:
    other = IndicatorFactory(code="POP2", aggregation="last")
    data_value_set(indicator=other, org_unit=split["s1"], period="202507", value=D(10))
    err = StringIO()
    with pytest.raises(CommandError, match="Không đề xuất được tỷ lệ nào"):
        call_command(
            "shares",
            "propose",
            "--by",
            "population",
            "--indicator",
            "POP2",
            "--period",
            "2025S2",
            stdout=StringIO(),
            stderr=err,
        )
    assert "Không có số liệu của Phường Hai (S2)" in err.getvalue()
    assert not ShareProposal.objects.exists()


@pytest.mark.django_db
def test_a_population_of_a_period_before_the_successors_existed_is_refused(split: dict[str, Any]) -> None:
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "shares",
            "propose",
            "--by",
            "population",
            "--indicator",
            "POP",
            "--period",
            "2025",
            stdout=StringIO(),
            stderr=err,
        )
    assert "kỳ 2025 bắt đầu trước khi Phường Một (S1) được thành lập" in err.getvalue()


@pytest.mark.django_db
def test_accepting_shares_that_add_up_to_more_than_one_is_refused_and_changes_nothing(split: dict[str, Any]) -> None:
    s1_part, s2_part = split["parts"]
    s2_part.share = D("0.5")
    s2_part.save()
    [proposal] = share_proposals_store(proposals=[Proposed(s1_part, D("0.75"))], method=ShareMethod.POPULATION)

    with pytest.raises(ShareError, match="cộng lại thành 1,25"):
        share_proposals_accept(proposals=[proposal])

    s1_part.refresh_from_db()
    proposal.refresh_from_db()
    assert s1_part.share is None
    assert proposal.accepted_at is None


@pytest.mark.django_db
def test_the_model_refuses_a_part_whose_share_makes_the_parts_exceed_one(split: dict[str, Any]) -> None:
    s1_part, s2_part = split["parts"]
    s2_part.share = D("0.5")
    s2_part.save()
    s1_part.share = D("0.6")
    with pytest.raises(ValidationError, match="cộng lại thành 1,1"):
        s1_part.full_clean()
    s1_part.share = D("0.5")
    s1_part.full_clean()


@pytest.mark.django_db
def test_an_area_proposal_needs_both_boundaries_and_says_which_are_missing(split: dict[str, Any]) -> None:
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("shares", "propose", "--by", "area", stdout=StringIO(), stderr=err)
    assert "không có ranh giới của Xã Cũ (P)" in err.getvalue()


@pytest.mark.django_db
def test_the_operator_accepts_proposals_in_the_admin_and_the_history_records_it(
    split: dict[str, Any], admin_client: Client
) -> None:
    s1_part, s2_part = split["parts"]
    share_proposals_store(
        proposals=[Proposed(s1_part, D("0.6"), "ranh giới"), Proposed(s2_part, D("0.4"), "ranh giới")],
        method=ShareMethod.AREA,
    )
    response = admin_client.post(
        "/admin/orgunits/succession/",
        {"action": "accept_proposals", "_selected_action": [s1_part.pk, s2_part.pk]},
        follow=True,
    )
    assert response.status_code == 200
    s1_part.refresh_from_db()
    assert s1_part.share == D("0.6")
    entry = LogEntry.objects.get(object_id=str(s1_part.pk))
    assert "0,6" in entry.change_message
    assert "chưa biết" in entry.change_message
    assert rebased_january(split, split["s1"]).value == D(60)


SPLIT_FILE = """
org_units:
  - {code: "P", name: "Xã Cũ", kind: commune, valid_to: 2025-06-30}
  - {code: "S1", name: "Phường Một", kind: commune, valid_from: 2025-07-01}
  - {code: "S2", name: "Phường Hai", kind: commune, valid_from: 2025-07-01}
successions:
  - {predecessor: "P", successor: "S1", effective_date: 2025-07-01, merge_type: part, share: %s}
  - {predecessor: "P", successor: "S2", effective_date: 2025-07-01, merge_type: part, share: %s}
"""


@pytest.mark.django_db
def test_the_catalogue_moves_shares_between_parts_and_refuses_parts_above_one() -> None:
    metadata_load(document=yaml.safe_load(SPLIT_FILE % ("0.6", "0.4")))
    # Raising the first part before lowering the second would pass through 1.1: the loader lowers first.
    metadata_load(document=yaml.safe_load(SPLIT_FILE % ("0.7", "0.3")))
    assert sorted(Succession.objects.values_list("share", flat=True)) == [D("0.3"), D("0.7")]

    with translation.override("vi"), pytest.raises(MetadataError) as raised:
        metadata_load(document=yaml.safe_load(SPLIT_FILE % ("0.7", "0.5")))
    assert any("cộng lại thành 1,2" in error for error in raised.value.errors)


@pytest.mark.django_db
def test_parts_rounded_to_six_places_may_pass_one_by_their_rounding_only(split: dict[str, Any]) -> None:
    s1_part, s2_part = split["parts"]
    s2_part.share = D("0.500001")
    s2_part.save()
    s1_part.share = D("0.5")
    s1_part.full_clean()  # 1,000001: two shares rounded to six places can do that
    s1_part.share = D("0.500002")
    with pytest.raises(ValidationError, match="cộng lại thành 1,000003"):
        s1_part.full_clean()


@pytest.mark.django_db
def test_the_proposals_page_lists_them_in_vietnamese_and_offers_no_way_to_type_one_in(
    split: dict[str, Any], admin_client: Client
) -> None:
    s1_part, _s2_part = split["parts"]
    share_proposals_store(proposals=[Proposed(s1_part, D("0.6"), "POP 2025S2")], method=ShareMethod.POPULATION)

    page = admin_client.get("/admin/orgunits/shareproposal/").content.decode()

    assert "Theo dân số" in page
    assert "POP 2025S2" in page
    assert admin_client.get("/admin/orgunits/shareproposal/add/").status_code == 403


@pytest.mark.django_db
def test_the_command_lists_the_proposals_waiting(split: dict[str, Any]) -> None:
    s1_part, _s2_part = split["parts"]
    share_proposals_store(proposals=[Proposed(s1_part, D("0.6"), "ranh giới")], method=ShareMethod.AREA)
    out = StringIO()

    call_command("shares", "list", stdout=out)

    assert (
        "Theo diện tích (ranh giới): Xã Cũ (P) → Phường Một (S1): đề xuất 0,6 (đang ghi: chưa biết)" in out.getvalue()
    )


@pytest.fixture
def reused_code(db: None, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Phường Phú Cường (25747, until 30/6/2025) split: three quarters of it into the new Phường Thủ
    Dầu Một, which carries the same code from 1/7/2025, a quarter into Phường Chánh Nghĩa (25741);
    the two maps' polygons in two files, which ``boundaries.json`` dates."""
    province = OrgUnitFactory(code="74", kind="province")
    old = OrgUnitFactory(code="25747", name="Phường Phú Cường", parent=province, valid_to=OLD_END)
    new = OrgUnitFactory(code="25747", name="Phường Thủ Dầu Một", parent=province, valid_from=REFORM)
    other = OrgUnitFactory(code="25741", name="Phường Chánh Nghĩa", parent=province, valid_from=REFORM)
    parts = [
        Succession.objects.create(predecessor=old, successor=s, effective_date=REFORM, merge_type=MergeType.PART)
        for s in (new, other)
    ]
    folder = tmp_path / "vn"
    folder.mkdir()

    def collection(*shapes: tuple[str, dict[str, Any]]) -> str:
        features = [{"type": "Feature", "properties": {"ward_code": c}, "geometry": g} for c, g in shapes]
        return json.dumps({"type": "FeatureCollection", "features": features})

    # Near the equator, where the local plane's scale changes nothing that matters at six places.
    (folder / "old.geojson").write_text(collection(("25747", square(0.0, 0.0, 0.04, 0.01))), encoding="utf-8")
    (folder / "new.geojson").write_text(
        collection(("25747", square(0.0, 0.0, 0.03, 0.01)), ("25741", square(0.03, 0.0, 0.08, 0.01))),
        encoding="utf-8",
    )
    with override_settings(DIEUHANH_DATA_DIR=str(tmp_path)):
        boundaries.boundary_index.cache_clear()
        yield {"folder": folder, "parts": parts}
    boundaries.boundary_index.cache_clear()


def test_a_code_two_units_carry_gets_an_area_proposal_from_the_polygons_of_their_dates(
    reused_code: dict[str, Any],
) -> None:
    manifest = {"old.geojson": {"valid_to": "2025-06-30"}, "new.geojson": {"valid_from": "2025-07-01"}}
    (reused_code["folder"] / "boundaries.json").write_text(json.dumps(manifest), encoding="utf-8")

    call_command("shares", "propose", "--by", "area", stdout=StringIO(), stderr=StringIO())

    shares = {
        p.succession.successor.name: p.share for p in ShareProposal.objects.select_related("succession__successor")
    }
    assert shares == {"Phường Thủ Dầu Một": D("0.75"), "Phường Chánh Nghĩa": D("0.25")}


def test_without_dated_boundaries_a_code_two_units_carry_gets_no_area_proposal_and_the_command_says_why(
    reused_code: dict[str, Any],
) -> None:
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("shares", "propose", "--by", "area", stdout=StringIO(), stderr=err)

    assert "mã 25747" in err.getvalue()
    assert not ShareProposal.objects.exists()

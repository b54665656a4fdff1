"""A code names a unit only together with a date: since 1 July 2025 a merged unit may carry a
predecessor's code (25747 was Phường Phú Cường, is Phường Thủ Dầu Một), never at the same time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from dieuhanh.orgunits.choices import MergeType
from dieuhanh.orgunits.models import OrgUnit, Succession
from dieuhanh.orgunits.selectors import UnitLookupError, unit_at, units_at
from tests.conftest import Tree
from tests.factories import OrgUnitFactory

pytestmark = pytest.mark.django_db

REFORM = dt.date(2025, 7, 1)
BEFORE = dt.date(2025, 6, 30)


@pytest.fixture
def reform(tree: Tree) -> dict[str, OrgUnit]:
    """Phú Cường (25747) and Hiệp Thành (25741, in part) went into the new Thủ Dầu Một, code 25747."""
    hcmc = OrgUnitFactory(code="79", name="Thành phố Hồ Chí Minh", kind="province", valid_from=REFORM)
    old = OrgUnitFactory(code="25747", name="Phường Phú Cường", parent=tree.district_a, valid_to=BEFORE)
    new = OrgUnitFactory(code="25747", name="Phường Thủ Dầu Một", parent=hcmc, valid_from=REFORM)
    tree.commune_a1.valid_to = BEFORE
    tree.commune_a1.save()
    Succession.objects.create(predecessor=old, successor=new, effective_date=REFORM)
    Succession.objects.create(
        predecessor=tree.commune_a1, successor=new, effective_date=REFORM, merge_type=MergeType.PART, share="0.6"
    )
    return {"old": old, "new": new, "hcmc": hcmc}


def test_two_units_share_a_code_with_disjoint_validity_and_each_is_found_on_its_dates(
    reform: dict[str, OrgUnit],
) -> None:
    assert unit_at("25747", on=BEFORE) == reform["old"]
    assert unit_at("25747", on=REFORM) == reform["new"]
    assert OrgUnit.objects.filter(code="25747").valid_on(BEFORE).get() == reform["old"]
    assert set(OrgUnit.objects.filter(code="25747").valid_between(BEFORE, REFORM)) == {reform["old"], reform["new"]}
    found = units_at(["25747", "79", "718"], on=REFORM)
    assert found == {"25747": reform["new"], "79": reform["hcmc"], "718": found["718"]}
    # Whoever shows the unit can say which one it is.
    assert found["25747"].code_shared
    assert not found["79"].code_shared
    with translation.override("vi"):
        assert found["25747"].label() == "Phường Thủ Dầu Một (25747, hiệu lực từ 1/7/2025)"


def test_batch_resolution_is_one_query(reform: dict[str, OrgUnit], django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_max_num_queries(1):
        units_at(["25747", "79", "718", "719", "74"], on=REFORM)


def test_a_code_whose_units_are_not_valid_then_names_them_their_validity_and_successor(
    tree: Tree, reform: dict[str, OrgUnit]
) -> None:
    with translation.override("vi"), pytest.raises(UnitLookupError) as caught:
        unit_at("25741", on=REFORM)
    assert caught.value.known
    message = str(caught.value)
    assert "Phường Hiệp Thành" in message
    assert "hiệu lực đến 30/6/2025" in message
    assert "từ 1/7/2025 thuộc Phường Thủ Dầu Một (25747)" in message
    with translation.override("vi"), pytest.raises(UnitLookupError) as before:
        unit_at("79", on=BEFORE)
    assert "hiệu lực từ 1/7/2025" in str(before.value)


def test_an_unknown_code_says_so(tree: Tree) -> None:
    with pytest.raises(UnitLookupError) as caught:
        unit_at("99999", on=REFORM)
    assert not caught.value.known
    assert "99999" in str(caught.value)
    assert units_at(["99999", "718"], on=REFORM, strict=False) == {"718": tree.district_a}


def test_overlapping_intervals_are_refused_naming_the_other_unit_and_its_interval(
    reform: dict[str, OrgUnit],
) -> None:
    overlapping = OrgUnit(code="25747", name="Phường Mới", kind="commune", valid_from=dt.date(2025, 6, 1))
    with translation.override("vi"), pytest.raises(ValidationError) as caught:
        overlapping.clean()
    message = " ".join(caught.value.message_dict["valid_from"])
    assert "Phường Phú Cường" in message
    assert "hiệu lực đến 30/6/2025" in message
    # A unit is not in its own way.
    reform["old"].clean()
    reform["new"].clean()


def test_the_database_holds_one_unit_per_code_and_start(reform: dict[str, OrgUnit]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        OrgUnit.objects.create(code="25747", name="Trùng", valid_from=REFORM)
    with pytest.raises(IntegrityError), transaction.atomic():
        OrgUnit.objects.create(code="25747", name="Trùng, không ngày bắt đầu", valid_to=dt.date(2000, 1, 1))

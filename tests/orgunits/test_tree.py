"""The one module that walks the unit tree by its materialised paths."""

from __future__ import annotations

import pytest

from dieuhanh.directives.models import Directive
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.tree import in_subtrees, parents_among, path_ids
from tests.conftest import Tree

pytestmark = pytest.mark.django_db


def test_a_path_names_the_ancestors_root_first_and_the_unit_last(tree: Tree) -> None:
    assert path_ids(tree.commune_a2.path) == [tree.province.pk, tree.district_a.pk, tree.commune_a2.pk]
    assert path_ids("") == []


def test_subtrees_are_selected_for_units_and_through_a_relation(tree: Tree) -> None:
    codes = set(OrgUnit.objects.filter(in_subtrees([tree.district_a, tree.commune_b1])).values_list("code", flat=True))
    assert codes == {"718", "25741", "25744", "25816"}
    assert not OrgUnit.objects.filter(in_subtrees([])).exists()
    assert str(Directive.objects.filter(in_subtrees([tree.district_a], through="lead_agency")).query).count("LIKE") == 1


def test_the_units_with_children_are_those_whose_figures_add_up_from_below(tree: Tree) -> None:
    assert parents_among() == {tree.province.pk, tree.district_a.pk, tree.district_b.pk}
    assert parents_among([tree.district_b.pk, tree.commune_a1.pk]) == {tree.district_b.pk}

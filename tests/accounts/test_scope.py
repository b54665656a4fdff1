"""Roles scoped to units: who reads and writes what, and where (accounts.scope)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dieuhanh.accounts.choices import Role
from dieuhanh.accounts.models import Membership
from dieuhanh.accounts.scope import scope_of
from dieuhanh.accounts.services import membership_add, membership_remove
from dieuhanh.directives.models import Directive, SourceDocument
from dieuhanh.figures.models import DataValue
from tests.conftest import Tree
from tests.factories import IndicatorFactory, OrgUnitFactory, UserFactory, put

pytestmark = pytest.mark.django_db


def _member(name: str, role: str, unit: Any = None) -> Any:
    user = UserFactory(username=name)
    membership_add(user=user, role=role, org_unit=unit)
    return user


def test_a_district_reporter_writes_its_subtree_and_nothing_above_or_beside_it(tree: Tree) -> None:
    scope = scope_of(_member("reporter", Role.REPORTER, tree.district_a))

    assert scope.may_write_unit(tree.district_a)
    assert scope.may_write_unit(tree.commune_a1)
    assert not scope.may_write_unit(tree.province)
    assert not scope.may_write_unit(tree.district_b)
    assert not scope.may_write_unit(tree.commune_b1)
    assert scope.may_read_unit(tree.commune_a2)
    assert not scope.may_read_unit(tree.district_b)
    assert scope.may_see_internal
    assert not scope.is_leader


def test_a_viewer_of_the_province_is_a_leader_who_reads_everything_and_writes_nothing(tree: Tree) -> None:
    agency = OrgUnitFactory(code="SYT", kind="agency")
    scope = scope_of(_member("leader", Role.VIEWER, tree.province))

    assert scope.is_leader
    assert scope.may_read_unit(agency)
    assert not scope.may_write_unit(tree.commune_a1)
    assert not scope.may_write_figures


def test_a_viewer_of_a_district_is_no_leader(tree: Tree) -> None:
    scope = scope_of(_member("viewer", Role.VIEWER, tree.district_a))

    assert not scope.is_leader
    assert scope.may_read_unit(tree.commune_a1)
    assert not scope.may_read_unit(tree.commune_b1)


def test_signed_in_without_a_role_is_the_public(tree: Tree) -> None:
    nobody = scope_of(UserFactory(username="nobody"))
    anonymous = scope_of(AnonymousUser())

    assert not nobody.may_see_internal
    assert not anonymous.may_see_internal
    assert not nobody.may_read_unit(tree.commune_a1)
    assert not nobody.may_write_unit(tree.commune_a1)


def test_an_administrator_and_a_superuser_may_do_everything(tree: Tree) -> None:
    administrator = scope_of(_member("admin", Role.ADMINISTRATOR))
    root = scope_of(get_user_model().objects.create_superuser("root", "root@example.org", "x"))

    for scope in (administrator, root):
        assert scope.may_write_unit(tree.province)
        assert scope.may_keep_catalogue
        assert scope.may_see_internal


def test_an_operator_keeps_the_catalogue_reads_everything_and_writes_no_figure(tree: Tree) -> None:
    user = _member("operator", Role.OPERATOR)
    scope = scope_of(user)

    assert scope.may_keep_catalogue
    assert scope.may_read_unit(tree.commune_b1)
    assert not scope.may_write_unit(tree.commune_b1)
    assert user.has_perm("indicators.change_indicator")
    assert user.is_staff


def test_a_reporter_of_an_agency_writes_the_indicators_it_answers_for_at_every_unit(tree: Tree) -> None:
    agency = OrgUnitFactory(code="SYT", kind="agency")
    beds = IndicatorFactory(code="BEDS", responsible_agency=agency, is_public=False)
    revenue = IndicatorFactory(code="REV")
    scope = scope_of(_member("health", Role.REPORTER, agency))

    assert scope.may_write(unit=tree.commune_b1, indicator=beds)
    assert not scope.may_write(unit=tree.commune_b1, indicator=revenue)


def test_a_scope_is_of_the_unit_as_assigned_and_does_not_follow_a_reorganisation(tree: Tree) -> None:
    # After 1/7/2025 the district is gone; the commune 25741 became part of a new ward of a new city.
    new_city = OrgUnitFactory(code="79", kind="province", valid_from=dt.date(2025, 7, 1))
    new_ward = OrgUnitFactory(code="25747", parent=new_city, valid_from=dt.date(2025, 7, 1))
    scope = scope_of(_member("reporter", Role.REPORTER, tree.district_a))

    assert scope.may_write_unit(tree.commune_a1)  # its history stays the reporter's
    assert not scope.may_write_unit(new_ward)  # the new unit is assigned anew by an operator


def test_figures_are_narrowed_to_public_ones_and_the_members_subtree(tree: Tree) -> None:
    public = IndicatorFactory(code="REV", is_public=True)
    internal = IndicatorFactory(code="SECRET", is_public=False)
    for unit in (tree.province, tree.district_a, tree.district_b):
        put(public, unit, "202301", 1)
        put(internal, unit, "202301", 1)
    reporter = scope_of(_member("reporter", Role.REPORTER, tree.district_a))
    nobody = scope_of(UserFactory(username="nobody"))

    seen = {(v.indicator.code, v.org_unit.code) for v in reporter.figures(DataValue.objects.all())}
    public_only = {(v.indicator.code, v.org_unit.code) for v in nobody.figures(DataValue.objects.all())}
    writable = {(v.indicator.code, v.org_unit.code) for v in reporter.writable_figures(DataValue.objects.all())}

    assert seen == {("REV", "74"), ("REV", "718"), ("REV", "719"), ("SECRET", "718")}
    assert public_only == {("REV", "74"), ("REV", "718"), ("REV", "719")}
    assert writable == {("REV", "718"), ("SECRET", "718")}


def test_directives_are_those_led_coordinated_or_issued_in_the_members_subtree(tree: Tree) -> None:
    source = SourceDocument.objects.create(kind="plan", date=dt.date(2025, 1, 2), org_unit=tree.province)
    own = Directive.objects.create(source=source, content="a", lead_agency=tree.district_a, starts_on=source.date)
    helping = Directive.objects.create(source=source, content="b", lead_agency=tree.district_b, starts_on=source.date)
    helping.coordinating_agencies.add(tree.commune_a1, tree.district_a)
    other = Directive.objects.create(source=source, content="c", lead_agency=tree.district_b, starts_on=source.date)

    reporter = scope_of(_member("reporter", Role.REPORTER, tree.district_a))
    leader = scope_of(_member("leader", Role.APPROVER, tree.province))
    nobody = scope_of(UserFactory(username="nobody"))

    assert list(reporter.directives(Directive.objects.order_by("pk"))) == [own, helping]
    assert set(leader.directives(Directive.objects.all())) == {own, helping, other}
    assert not nobody.directives(Directive.objects.all()).exists()


def test_the_scope_is_read_once_per_user_object(tree: Tree, django_assert_num_queries: Any) -> None:
    user = _member("reporter", Role.REPORTER, tree.district_a)
    user = get_user_model().objects.get(pk=user.pk)

    with django_assert_num_queries(1):
        scope_of(user)
        scope_of(user)


def test_a_membership_gives_the_roles_django_permissions_and_removing_it_takes_them(tree: Tree) -> None:
    user = _member("reporter", Role.REPORTER, tree.district_a)

    assert get_user_model().objects.get(pk=user.pk).has_perm("figures.add_importbatch")
    membership_remove(membership=Membership.objects.get(user=user))
    assert not get_user_model().objects.get(pk=user.pk).has_perm("figures.add_importbatch")


def test_a_unit_role_needs_a_unit(tree: Tree) -> None:
    user = UserFactory(username="someone")

    with pytest.raises(ValidationError):
        membership_add(user=user, role=Role.REPORTER)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.VIEWER)

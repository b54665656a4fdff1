"""A user's permissions read in one query (``accounts.backends``): the same as Django's two."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dieuhanh.accounts.backends import ModelBackendOneQuery
from dieuhanh.accounts.choices import Role
from dieuhanh.accounts.scope import scope_of
from dieuhanh.accounts.services import membership_add
from tests.conftest import Tree
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def fresh(user: Any) -> Any:
    """The user as a new request loads it: no permission kept from an earlier question."""
    return type(user).objects.get(pk=user.pk)


def test_own_and_group_permissions_are_the_same_as_djangos(tree: Tree) -> None:
    user = UserFactory(username="reporter-718")
    membership_add(user=user, role=Role.REPORTER, org_unit=tree.district_a)
    user.user_permissions.add(Permission.objects.get(codename="view_group"))
    extra = Group.objects.create(name="Nhóm thêm")
    extra.permissions.add(
        Permission.objects.get(codename="view_permission"), Permission.objects.get(codename="view_group")
    )
    user.groups.add(extra)

    ours = ModelBackendOneQuery().get_all_permissions(fresh(user))
    djangos = ModelBackend().get_all_permissions(fresh(user))

    assert ours == djangos
    assert {"auth.view_group", "auth.view_permission", "figures.add_importbatch"} <= ours


@pytest.mark.parametrize("kind", ["no role", "inactive", "superuser"])
def test_users_without_permissions_and_superusers_are_answered_as_django_answers(kind: str, tree: Tree) -> None:
    user = UserFactory(username=kind.replace(" ", "-"))
    membership_add(user=user, role=Role.APPROVER, org_unit=tree.province)
    if kind == "no role":
        user.memberships.all().delete()
        user.groups.clear()
    elif kind == "inactive":
        user.is_active = False
    else:
        user.is_superuser = True
    user.save()

    ours = ModelBackendOneQuery().get_all_permissions(fresh(user))

    assert ours == ModelBackend().get_all_permissions(fresh(user))
    assert bool(ours) == (kind == "superuser")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REPORTER])
def test_a_signed_in_page_reads_memberships_and_permissions_in_one_statement(
    role: str, tree: Tree, client: Client
) -> None:
    user = UserFactory(username=f"{role}-page")
    membership_add(user=user, role=role, org_unit=tree.province if role == Role.VIEWER else tree.district_a)
    client.force_login(user)
    client.get("/")

    with CaptureQueriesContext(connection) as queries:
        client.get("/")

    asked = [q["sql"] for q in queries.captured_queries if "auth_permission" in q["sql"]]
    assert len(asked) == 1
    about_access = [
        q["sql"] for q in queries.captured_queries if "accounts_membership" in q["sql"] or "auth_permission" in q["sql"]
    ]
    assert len(about_access) == 1
    assert "accounts_membership" in about_access[0]
    assert "auth_permission" in about_access[0]


def test_a_signed_in_page_costs_three_statements_more_than_an_anonymous_one(tree: Tree, client: Client) -> None:
    """The session, the user, and what they may do: nothing else is read per request for them."""
    user = UserFactory(username="viewer-718-page")
    membership_add(user=user, role=Role.VIEWER, org_unit=tree.district_a)
    anonymous = Client()
    anonymous.get("/")
    client.force_login(user)
    client.get("/")

    with CaptureQueriesContext(connection) as public:
        assert anonymous.get("/").status_code == 200
    with CaptureQueriesContext(connection) as signed:
        assert client.get("/").status_code == 200

    assert len(signed.captured_queries) == len(public.captured_queries) + 3


@pytest.mark.parametrize("kind", ["reporter", "leader", "operator", "administrator", "no role", "superuser"])
def test_the_scope_read_with_the_permissions_is_the_scope_of_the_memberships(kind: str, tree: Tree) -> None:
    user = UserFactory(username=f"scope-{kind.replace(' ', '-')}")
    if kind == "reporter":
        membership_add(user=user, role=Role.REPORTER, org_unit=tree.district_a)
        membership_add(user=user, role=Role.VIEWER, org_unit=tree.district_b)
    elif kind == "leader":
        membership_add(user=user, role=Role.APPROVER, org_unit=tree.province)
    elif kind in ("operator", "administrator"):
        membership_add(user=user, role=Role.OPERATOR if kind == "operator" else Role.ADMINISTRATOR, org_unit=None)
    elif kind == "superuser":
        user.is_superuser = True
        user.save()

    scope = scope_of(fresh(user))

    memberships = list(user.memberships.select_related("org_unit"))
    assert scope.roles == {m.role for m in memberships}
    assert {u.pk for u in scope.read_units} == {
        m.org_unit_id for m in memberships if m.role in (Role.VIEWER, Role.REPORTER, Role.APPROVER)
    }
    assert {u.path for u in scope.write_units} == {m.org_unit.path for m in memberships if m.role == Role.REPORTER}
    assert scope.is_leader == (kind == "leader")
    assert scope.everything == (kind in ("administrator", "superuser"))
    assert scope.reads_everything == (kind in ("leader", "operator", "administrator", "superuser"))


def test_the_user_of_a_session_is_read_as_django_reads_it(tree: Tree) -> None:
    user = UserFactory(username="someone", first_name="Lan", email="lan@example.vn")

    ours = ModelBackendOneQuery().get_user(str(user.pk))
    djangos = ModelBackend().get_user(user.pk)

    assert ours == djangos
    assert {f.attname: getattr(ours, f.attname) for f in type(user)._meta.concrete_fields} == {
        f.attname: getattr(djangos, f.attname) for f in type(user)._meta.concrete_fields
    }
    assert ours._state.adding is False


@pytest.mark.parametrize("key", ["unknown", "not a number", "inactive"])
def test_no_user_for_an_unknown_key_or_an_inactive_user(key: str, tree: Tree) -> None:
    user = UserFactory(username="gone", is_active=key != "inactive")
    asked = {"unknown": str(user.pk + 1000), "not a number": "abc", "inactive": str(user.pk)}[key]

    assert ModelBackendOneQuery().get_user(asked) is None

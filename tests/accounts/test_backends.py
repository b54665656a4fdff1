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


def test_a_signed_in_page_reads_the_permissions_in_one_query(tree: Tree, client: Client) -> None:
    user = UserFactory(username="leader-74")
    membership_add(user=user, role=Role.VIEWER, org_unit=tree.province)
    client.force_login(user)
    client.get("/")

    with CaptureQueriesContext(connection) as queries:
        client.get("/")

    asked = [q["sql"] for q in queries.captured_queries if "auth_permission" in q["sql"]]
    assert len(asked) == 1

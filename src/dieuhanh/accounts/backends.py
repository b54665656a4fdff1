"""Password sign-in and permissions: Django's ``ModelBackend``, with a user's permissions read in one
query.

Every page a signed-in user opens asks what they may do (the menu by permission, the page's own
checks). Django reads a user's own permissions and their groups' in two queries, each built by
the ORM for every request; here both are one statement, so the answer is the same set of
``app_label.codename`` strings (``tests/accounts/test_backends.py`` compares them), kept on the
user for the request as Django keeps it. A superuser, an inactive user and object permissions
take Django's own path.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection


def _permissions_sql() -> str:
    user_model = get_user_model()
    user_permissions = user_model._meta.get_field("user_permissions").remote_field.through._meta  # type: ignore[union-attr]
    user_groups = user_model._meta.get_field("groups").remote_field.through._meta  # type: ignore[union-attr]
    group_permissions = Group.permissions.through._meta
    return (
        f"SELECT ct.app_label, p.codename FROM {Permission._meta.db_table} p"  # noqa: S608 - the models' own tables
        f" JOIN {ContentType._meta.db_table} ct ON ct.id = p.content_type_id"
        " WHERE p.id IN ("
        f"SELECT up.permission_id FROM {user_permissions.db_table} up WHERE up.user_id = %s"
        f" UNION SELECT gp.permission_id FROM {group_permissions.db_table} gp"
        f" JOIN {user_groups.db_table} ug ON ug.group_id = gp.group_id WHERE ug.user_id = %s)"
    )


class ModelBackendOneQuery(ModelBackend):
    """``ModelBackend`` whose ``get_all_permissions`` reads a user's own and group permissions at once."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            with connection.cursor() as cursor:
                cursor.execute(_permissions_sql(), [user_obj.pk, user_obj.pk])
                user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in cursor.fetchall()}
        cached: set[str] = user_obj._perm_cache
        return cached

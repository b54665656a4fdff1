"""Password sign-in and permissions: Django's ``ModelBackend``, with a signed-in user read without the
ORM and their permissions read together with their memberships.

Every page a signed-in user opens asks who they are (the session names them), what they may do (the
menu by permission, the page's own checks) and what they may see (their scope). Django reads the
user, their own permissions and their groups' in three queries, each built by the ORM for every
request, and the scope is a fourth; here the user is one prepared statement and the rest one more
(``accounts.scope.access_load``), so the answers are the same (``tests/accounts/test_backends.py``
compares them), kept on the user for the request as Django keeps them. A superuser, an inactive
user and object permissions take Django's own path.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connection

from dieuhanh.accounts.scope import PERMISSIONS_ATTRIBUTE, access_load


@dataclass(frozen=True)
class _UserStatement:
    """How to read one user by key as the ORM would: the statement, the attribute names of its
    columns, and the database's converters of each column (a date and time from SQLite, say)."""

    sql: str
    names: list[str]
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]

    def user(self, row: Sequence[Any]) -> Any:
        values = list(row)
        for index, converters, column in self.converters:
            for converter in converters:
                values[index] = converter(values[index], column, connection)
        return get_user_model().from_db(connection.alias, self.names, values)


@functools.cache
def _user_statement() -> _UserStatement:
    user_model = get_user_model()
    meta = user_model._meta
    fields = meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    key = connection.ops.quote_name(meta.pk.column)
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(meta.db_table)
        found = tuple(connection.ops.get_db_converters(column)) + tuple(field.get_db_converters(connection))  # type: ignore[attr-defined]
        if found:
            converters.append((index, found, column))
    return _UserStatement(
        sql=f"SELECT {columns} FROM {meta.db_table} WHERE {key} = %s",  # noqa: S608 - the model's own table
        names=[field.attname for field in fields],
        converters=tuple(converters),
    )


class ModelBackendOneQuery(ModelBackend):
    """``ModelBackend`` reading the user of a session in one prepared statement, and their own and
    group permissions with their memberships."""

    def get_user(self, user_id: Any) -> Any:
        user_model = get_user_model()
        try:
            key = user_model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        statement = _user_statement()
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, [key])
            row = cursor.fetchone()
        if row is None:
            return None
        user = statement.user(row)
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, PERMISSIONS_ATTRIBUTE):
            access_load(user_obj)
        cached: set[str] = getattr(user_obj, PERMISSIONS_ATTRIBUTE)
        return cached

"""Sessions in the database, as Django keeps them, read by one prepared statement.

Every request of a signed-in user reads their session first. Django's database store builds that
query with the ORM each time (about a quarter of a millisecond of Python, as much as the round trip
to PostgreSQL itself); this store reads the same row, with the same rule (a session past its
expiry date is no session), by a statement written once per process. Writing, ending and cleaning
sessions are Django's own. ``SESSION_ENGINE = "dieuhanh.accounts.sessions"``.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.utils import timezone


@functools.cache
def _session_sql() -> str:
    """The statement reading one unexpired session's data."""
    meta = Session._meta
    return (
        f"SELECT {meta.get_field('session_data').column} FROM {meta.db_table}"  # noqa: S608 - the model's own table
        f" WHERE {meta.get_field('session_key').column} = %s AND {meta.get_field('expire_date').column} > %s"
    )


class SessionStore(db.SessionStore):
    """Django's database session store, its read by one prepared statement."""

    def _get_session_from_db(self) -> Any:
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_session_sql(), [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            # As Django's store: an unknown or expired key is forgotten, a new one is made on saving.
            self._session_key = None
            return None
        return self.model.from_db(alias, ["session_key", "session_data"], [self.session_key, row[0]])

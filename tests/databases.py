"""The test database as other threads and processes reach it: as served processes do.

On PostgreSQL the test database is an ordinary one (a transactional test commits what it makes, so
others see it). On SQLite it is kept in memory with a shared cache, which other processes cannot
open and which refuses a second writer at once where the served file makes it wait its turn (the
settings' busy timeout): ``shared_database`` copies it to a file for the time of a block.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, connections, transaction

T = TypeVar("T")


@contextmanager
def shared_database(tmp_path: Path) -> Iterator[str]:
    """Within the block, new connections (other threads) open the test database as a server would;
    yields its URL for another process. On SQLite, what the main thread writes inside is not seen."""
    settings_dict = connections.settings["default"]
    if connection.vendor != "sqlite":
        user, password = quote(settings_dict["USER"]), quote(settings_dict["PASSWORD"] or "")
        credentials = f"{user}:{password}" if password else user
        host, port, name = settings_dict["HOST"], settings_dict["PORT"], connection.settings_dict["NAME"]
        yield f"postgres://{credentials}@{host}:{port}/{name}"
        return
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    connection.connection.backup(copy)
    copy.close()
    name = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        settings_dict["NAME"] = name


def in_a_thread(work: Callable[[], T]) -> T:
    """What ``work`` returns when run in a thread of its own (on its own connection)."""
    answers: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            answers.append(work())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return answers[0]


class Snapshot:
    """What every table of the test database holds, taken once and put back in its place: faster
    than making it again (the demo's load takes half a minute, its restoring about a second).

    On SQLite the database, in memory, is copied whole into another in memory (SQLite's backup). On
    PostgreSQL each table's rows are copied out in binary (``COPY``) and kept in this process: nothing
    is added to the database, which the backup tests dump whole. Restoring empties every table and
    copies the rows back, in one transaction (Django's foreign keys are checked at its end), then
    brings the tables' sequences to their highest keys and the statistics up to date."""

    def __init__(self) -> None:
        self.tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        self.copy: sqlite3.Connection | None = None
        self.rows: dict[str, bytes] = {}
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            self.copy = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(self.copy)
            return
        with connection.cursor() as cursor:
            for table in self.tables:
                with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} TO STDOUT (FORMAT BINARY)") as out:
                    self.rows[table] = b"".join(bytes(block) for block in out)

    def restore(self) -> None:
        # Rows cached by id would name the rows the flush took: the content types are made again after it.
        ContentType.objects.clear_cache()
        connection.ensure_connection()
        if self.copy is not None:
            self.copy.backup(connection.connection)
            return
        quoted = [connection.ops.quote_name(table) for table in self.tables]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(quoted)}")
            for table, name in zip(self.tables, quoted, strict=True):
                with cursor.cursor.copy(f"COPY {name} FROM STDIN (FORMAT BINARY)") as into:
                    into.write(self.rows[table])
            models = [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in self.tables]
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(quoted)}")

    def discard(self) -> None:
        if self.copy is not None:
            self.copy.close()
        self.copy, self.rows = None, {}

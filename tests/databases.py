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

from django.db import connection, connections

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

"""The suite's own rule of which tests the PostgreSQL run leaves to the SQLite run
(``tests.conftest.same_on_every_database``): only those that would run the same code there."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from tests.conftest import same_on_every_database


class Item:
    """What the rule reads of a collected test: its markers and the fixtures it asks for."""

    def __init__(self, *, markers: Iterable[str] = (), fixtures: Iterable[str] = ()) -> None:
        self.markers = set(markers)
        self.fixturenames = list(fixtures)

    def get_closest_marker(self, name: str) -> Any:
        return getattr(pytest.mark, name).mark if name in self.markers else None


@pytest.mark.parametrize(
    "item",
    [
        Item(markers=["django_db"]),
        Item(fixtures=["db"]),
        Item(fixtures=["tree", "db"]),  # a fixture that asks for the database: in the closure
        Item(fixtures=["transactional_db"]),
        Item(fixtures=["live_server"]),
        Item(markers=["django_db", "fuzz"]),
        Item(markers=["django_db", "migrations"]),
    ],
)
def test_a_test_that_opens_the_database_runs_on_both(item: Item) -> None:
    assert same_on_every_database(item) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        (Item(), "uses no database"),
        (Item(fixtures=["tmp_path", "monkeypatch"]), "uses no database"),
        (Item(markers=["own_sqlite", "django_db"]), "runs on an SQLite file of its own"),
        (Item(markers=["browser", "django_db"], fixtures=["db"]), "drives the front end in a browser"),
    ],
)
def test_only_what_would_repeat_the_sqlite_run_is_left_to_it(item: Item, reason: str) -> None:
    assert same_on_every_database(item) == reason  # type: ignore[arg-type]

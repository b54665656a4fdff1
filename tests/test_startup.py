"""A command starts without loading what it does not use.

Every `dieuhanh` command starts Django, which imports every app's models, and the import command
its services; whatever those import, every import pays for before reading a line. The directives'
text analysis (underthesea, with numpy and joblib) took half of a one-month import's start, the
PostgreSQL driver on SQLite another tenth of a second.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("underthesea", "numpy", "psycopg")


@pytest.mark.own_sqlite
def test_an_import_on_sqlite_starts_without_text_analysis_or_the_postgresql_driver(tmp_path: Path) -> None:
    # Given a fresh process set up as `dieuhanh import` is, on SQLite
    env = {key: value for key, value in os.environ.items() if not key.startswith("DIEUHANH_")}
    env.update(
        DIEUHANH_HOME=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_SETTINGS_MODULE="dieuhanh.settings",
    )
    script = (
        "import importlib, sys, django; django.setup(); "
        "importlib.import_module('dieuhanh.ingest.management.commands.import'); "
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    )

    # When Django and the import command are loaded
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120, check=False
    )

    # Then none of the heavy libraries is
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []

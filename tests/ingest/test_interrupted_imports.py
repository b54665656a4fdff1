"""An import cut short leaves nothing behind: killed (kill -9) in the middle of its write, no figure of it
is stored and the next import of the file stores it whole; on SQLite, a second import while one is
being written waits its turn, and past the wait is refused with a message (never a server error).
Both run on the database of the run (SQLite or PostgreSQL), in another process or thread."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection, connections

from dieuhanh.figures.models import DataValue
from dieuhanh.ingest.services import ImportBusyError, import_file
from tests.conftest import Tree
from tests.databases import in_a_thread, shared_database
from tests.factories import IndicatorFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 2000

# A process importing a file that stops, holding its transaction, once its figures are written and
# announced (the figures_written signal fires inside the import's transaction, before it commits).
HOLDING_IMPORT = """
import sys, time
import django
django.setup()
from dieuhanh.figures.signals import figures_written
from dieuhanh.ingest.services import import_file

def hold(**kwargs):
    print("written", flush=True)
    time.sleep(600)

figures_written.connect(hold)
import_file(content=open(sys.argv[1], "rb").read(), filename="so-lieu.csv")
"""


def a_file(tmp_path: Path, tree: Tree) -> Path:
    IndicatorFactory(code="REV", min_value=0)
    units = ["718", "719", "25741", "25744", "25816"]
    lines = ["indicator,org_unit,period,value"]
    lines += [f"REV,{units[i % 5]},{1900 + i // 5 // 12:04d}{i // 5 % 12 + 1:02d},{i}" for i in range(ROWS)]
    path = tmp_path / "so-lieu.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def start_holding_import(url: str, path: Path, tmp_path: Path) -> subprocess.Popen[bytes]:
    """The import in another process, once it holds its written figures uncommitted."""
    env = {**os.environ, "DATABASE_URL": url, "DIEUHANH_HOME": str(tmp_path / "home")}
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", HOLDING_IMPORT, str(path)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if line.strip() != b"written":
        process.kill()
        raise AssertionError(process.communicate()[1].decode())
    return process


def stored() -> int:
    return DataValue.objects.count()


def test_an_import_killed_while_writing_leaves_no_figure_and_the_next_one_stores_the_file_whole(
    tree: Tree, tmp_path: Path
) -> None:
    path = a_file(tmp_path, tree)

    with shared_database(tmp_path) as url:
        process = start_holding_import(url, path, tmp_path)
        process.send_signal(signal.SIGKILL)
        process.wait()
        left = in_a_thread(stored)
        again = in_a_thread(lambda: import_file(content=path.read_bytes(), filename="so-lieu.csv"))
        after = in_a_thread(stored)

    assert process.returncode == -signal.SIGKILL
    assert left == 0
    assert again.ok, [i.message for i in again.issues]
    assert after == ROWS


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL queues imports on an advisory lock")
def test_a_second_import_while_one_is_written_on_sqlite_is_refused_with_a_message_past_its_wait(
    tree: Tree, tmp_path: Path
) -> None:
    path = a_file(tmp_path, tree)
    second = tmp_path / "other.csv"
    second.write_text("indicator,org_unit,period,value\nREV,74,202301,5\n")

    with shared_database(tmp_path) as url:
        process = start_holding_import(url, path, tmp_path)
        options = connections.settings["default"]["OPTIONS"]
        wait = options["timeout"]
        # The settings' wait is 20 seconds; a short one says the same, sooner.
        options["timeout"] = 0.5
        try:
            with pytest.raises(ImportBusyError) as refused:
                in_a_thread(lambda: import_file(content=second.read_bytes(), filename="other.csv"))
        finally:
            options["timeout"] = wait
            process.kill()
            process.wait()
        after = in_a_thread(lambda: import_file(content=second.read_bytes(), filename="other.csv"))
        stored_after = in_a_thread(stored)

    assert "Another import" in str(refused.value) or "nhập khác" in str(refused.value)
    assert after.ok
    assert stored_after == 1

"""Where ``dieuhanh demo`` serves: ``make demo ADDRPORT=…`` passes the address on, and an address the
demo cannot serve on stops it before it loads anything or prints a password.

A module of its own: test_demo.py keeps the demo loaded for its whole module, and these tests must
see an empty database.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from dieuhanh.figures.models import DataValue
from dieuhanh.orgunits.models import OrgUnit

ROOT = Path(__file__).resolve().parents[2]


def demo_command_stopped(addrport: str) -> tuple[str, str, mock.MagicMock]:
    """Run ``dieuhanh demo`` expecting it to stop: what it wrote, what it complained, what it called."""
    out, err = StringIO(), StringIO()
    # Mocked so that a check that let the command through could neither migrate nor take the port.
    with (
        mock.patch("dieuhanh.demo.management.commands.demo.call_command") as called,
        pytest.raises(SystemExit) as stopped,
    ):
        call_command("demo", addrport=addrport, stdout=out, stderr=err)
    assert stopped.value.code == 1
    return out.getvalue(), err.getvalue(), called


@pytest.mark.django_db
def test_the_command_stops_before_loading_anything_when_its_address_is_in_use() -> None:
    # Given another program serving on a port (perhaps another demo)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]

        # When the demo is asked to serve there
        out, err, called = demo_command_stopped(f"127.0.0.1:{port}")

    # Then it says so, in Vietnamese, with how to choose another address, and has done nothing
    assert f"Địa chỉ 127.0.0.1:{port} đang được dùng" in err
    suggested = re.search(r"make demo ADDRPORT=127\.0\.0\.1:(\d+)", err)
    assert suggested is not None
    assert int(suggested[1]) != port
    assert out == ""  # no "database ready", no figures, no password
    called.assert_not_called()  # neither migrate nor runserver
    assert not OrgUnit.objects.exists()
    assert not DataValue.objects.exists()
    assert not get_user_model().objects.filter(username="demo").exists()


@pytest.mark.django_db
def test_the_command_stops_on_an_address_runserver_would_refuse() -> None:
    out, err, called = demo_command_stopped("127.0.0.1:")

    assert "“127.0.0.1:” không phải là một địa chỉ và cổng" in err
    assert "make demo ADDRPORT=127.0.0.1:8001" in err
    assert out == ""
    called.assert_not_called()


@pytest.mark.parametrize(
    ("asked", "served"),
    [([], "dieuhanh demo"), (["ADDRPORT=0.0.0.0:8080"], "dieuhanh demo --addrport 0.0.0.0:8080")],
)
def test_make_demo_passes_another_address_to_the_command(asked: list[str], served: str) -> None:
    make = shutil.which("make")
    assert make is not None  # `make test` ran us

    planned = subprocess.run(  # noqa: S603 - make, printing (-n) the project's own recipe
        [make, "-n", "--no-print-directory", "demo", *asked],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    # Under `make test` this make is a sub-make: only the recipe's lines count, the last one serves.
    recipe = [line.strip() for line in planned.stdout.splitlines() if not line.startswith("make")]
    assert recipe[-1].endswith(served)

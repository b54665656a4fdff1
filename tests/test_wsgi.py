"""The serving process: what dieuhanh.wsgi (gunicorn's entry point, and runserver's) leaves set up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = "import gc, dieuhanh.wsgi; print(gc.get_freeze_count())"


def test_a_serving_process_keeps_the_loaded_application_out_of_full_collections(tmp_path: Path) -> None:
    # Given a fresh interpreter, as gunicorn starts a worker
    env = {key: value for key, value in os.environ.items() if not key.startswith("DIEUHANH_")}
    env["DIEUHANH_HOME"] = str(tmp_path)

    # When it loads the WSGI application
    done = subprocess.run(  # noqa: S603 - our own interpreter, our own module
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120, check=False
    )

    # Then what Django and the apps loaded is frozen: a full collection no longer walks it
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 10_000

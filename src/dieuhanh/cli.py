"""The ``dieuhanh`` console command: Django's management commands under one name.

Commands are written with hyphens on the command line (``dieuhanh load-metadata``)
and map to the management command modules, which use underscores.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    args[0] = "dieuhanh"

    # Imported here: Django must not load before DJANGO_SETTINGS_MODULE is set.
    from django.core.management import execute_from_command_line  # noqa: PLC0415

    execute_from_command_line(args)


if __name__ == "__main__":
    main()

"""The ``dieuhanh`` console command: Django's management commands under one name.

Commands are written with hyphens on the command line (``dieuhanh load-metadata``)
and map to the management command modules, which use underscores. ``dieuhanh``,
``dieuhanh --help`` and ``dieuhanh help`` list the product's own commands in the
user's language (Django's list is English and mostly Django's); ``dieuhanh help
--commands`` still lists all of them.
"""

from __future__ import annotations

import difflib
import os
import shutil
import sys
import textwrap

HELP_ASKED: tuple[list[str], ...] = ([], ["-h"], ["--help"], ["help"])
# The order an operator meets them in (README); a command added later comes after, by name.
ORDER = [
    "init",
    "user",
    "load_metadata",
    "export_metadata",
    "template",
    "import",
    "analytics",
    "rollups",
    "directives",
    "report",
    "demo",
    "backup",
]


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dieuhanh.settings")
    if args[1:] in HELP_ASKED:
        sys.stdout.write(main_help())
        return
    # `dieuhanh load-metadata …`, `dieuhanh help load-metadata`: the modules are named with underscores.
    named = 2 if args[1:2] == ["help"] else 1
    if len(args) > named and not args[named].startswith("-"):
        args[named] = args[named].replace("-", "_")
        if not command_exists(args[named]):
            sys.stderr.write(unknown_command(args[named]))
            sys.exit(1)
    args[0] = "dieuhanh"

    # Imported here: Django must not load before DJANGO_SETTINGS_MODULE is set.
    from django.core.management import execute_from_command_line  # noqa: PLC0415

    execute_from_command_line(args)


def command_exists(name: str) -> bool:
    import django  # noqa: PLC0415 - see main()
    from django.core.management import get_commands  # noqa: PLC0415

    django.setup()
    return name == "help" or name in get_commands()


def unknown_command(name: str) -> str:
    """What to say, in the user's language, for a command that does not exist: the nearest one, how to list them."""
    from django.core.management import get_commands  # noqa: PLC0415 - see main()
    from django.utils.translation import gettext as _  # noqa: PLC0415

    typed = name.replace("_", "-")
    lines = [_("There is no command “%(name)s”.") % {"name": typed}]
    near = difflib.get_close_matches(typed, [n.replace("_", "-") for n in get_commands()], n=1)
    if near:
        lines.append(_("Did you mean: dieuhanh %(name)s") % {"name": near[0]})
    lines.append(_("The commands: dieuhanh --help"))
    return "\n".join(lines) + "\n"


def main_help() -> str:
    """The product's own commands, each with its description, in the language of LANGUAGE_CODE."""
    import django  # noqa: PLC0415 - see main()
    from django.core.management import get_commands, load_command_class  # noqa: PLC0415
    from django.utils.translation import gettext as _  # noqa: PLC0415

    django.setup()
    own = {name: app for name, app in get_commands().items() if app.startswith("dieuhanh.")}
    names = sorted(own, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))
    width = min(shutil.get_terminal_size().columns, 100)
    column = max(len(n) for n in names) + 4
    lines = [_("Usage: dieuhanh <command> [options]"), "", _("Commands:")]
    for name in names:
        description = str(load_command_class(own[name], name).help)
        wrapped = textwrap.wrap(description, width=max(width - column, 30)) or [""]
        lines.append(f"  {name.replace('_', '-'):<{column - 2}}{wrapped[0]}")
        lines.extend(" " * column + more for more in wrapped[1:])
    lines += ["", _("Help on one command: dieuhanh <command> --help")]
    lines.append(_("Django's own commands (createsuperuser, changepassword …): dieuhanh help --commands"))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()

"""The base of dieuhanh's own management commands: their ``--help`` in the user's language.

Django activates no language for a management command, so gettext answers in LANGUAGE_CODE (``vi``
unless DIEUHANH_LANGUAGE says otherwise): the commands write their description and the help of
their arguments as lazy translations. What argparse and Django write themselves — "usage:",
"options:", the help option, the options every command has — is English; it is replaced here, and
the two options that only make sense to a Python developer (--settings, --pythonpath) still work
but are not listed.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import Any, cast

from django.core.management.base import BaseCommand, CommandParser, DjangoHelpFormatter
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

StrOrPromise = str | Promise

_TITLES = {
    "positional arguments": gettext_lazy("arguments"),
    "options": gettext_lazy("options"),
    "optional arguments": gettext_lazy("options"),  # the title before Python 3.10
}
_BASE_OPTIONS = {
    "--help": gettext_lazy("Show this help and exit."),
    "--version": gettext_lazy("Show the version and exit."),
    "--verbosity": gettext_lazy("How much to print: 0 the least, 1 normal, 2 more, 3 everything."),
    "--traceback": gettext_lazy("On an error, print where in the program it happened (for technical staff)."),
    "--no-color": gettext_lazy("Print without colours."),
    "--force-color": gettext_lazy("Print in colour even when the output is not a terminal."),
    "--skip-checks": gettext_lazy("Skip the system checks."),
}


class HelpFormatter(DjangoHelpFormatter):
    """Django's layout (the command's own arguments first), with argparse's own word translated."""

    def add_usage(
        self, usage: str | None, actions: Iterable[argparse.Action], groups: Iterable[Any], prefix: str | None = None
    ) -> None:
        super().add_usage(usage, actions, groups, gettext("usage: ") if prefix is None else prefix)


def _translate(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = HelpFormatter
    # argparse wraps descriptions and joins metavars with string functions, which a lazy translation
    # is not: they are translated now, in the language of the command being run.
    if parser.description is not None:
        parser.description = str(parser.description)
    for group in parser._action_groups:  # argparse offers no public way to retitle
        if group.title in _TITLES:
            # Lazy, like the commands' own help: the words follow the language active when help is shown.
            group.title = cast(str, _TITLES[group.title])
    for action in parser._actions:
        if action.metavar is not None and not isinstance(action.metavar, tuple):
            action.metavar = str(action.metavar)
        common = next((o for o in action.option_strings if o in _BASE_OPTIONS), None)
        if common is not None and action.help != argparse.SUPPRESS:
            action.help = cast(str, _BASE_OPTIONS[common])
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                _translate(subparser)


class DieuhanhCommand(BaseCommand):
    """A command of dieuhanh (not of Django): its help is written in the user's language.

    ``help`` is a lazy translation (the class is defined before any language is chosen); the help of
    the arguments is translated when the parser is made, in the command's language.
    """

    # Django types it str; a lazy translation is read only through str() and argparse's formatting.
    help: StrOrPromise = ""  # type: ignore[assignment]
    suppressed_base_arguments = {"--settings", "--pythonpath"}

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", HelpFormatter)
        # Named as the operator types it ("dieuhanh load-metadata"), not as its module is.
        parser = super().create_parser(prog_name, subcommand.replace("_", "-"), **kwargs)
        _translate(parser)
        return parser

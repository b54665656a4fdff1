from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.commands import DieuhanhCommand
from dieuhanh.indicators.metadata import metadata_dump, metadata_export


class Command(DieuhanhCommand):
    help = gettext_lazy("Write the catalogue (org units, indicators, targets) in the format load-metadata reads.")
    # A data command: the system checks (which import every URL and view, a second or two) run
    # with `dieuhanh init`, `dieuhanh check` and the server, not before every import or query.
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            "-o",
            type=Path,
            metavar=_("FILE"),
            help=_("File to write (.json or .yaml); standard output if absent."),
        )
        parser.add_argument(
            "--format",
            choices=["yaml", "json"],
            help=_("The format; by default from the file name, else YAML."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"]) if options["output"] else None
        fmt = options["format"] or ("json" if output and output.suffix.lower() == ".json" else "yaml")
        text = metadata_dump(metadata_export(), fmt=fmt)
        if output:
            output.write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")

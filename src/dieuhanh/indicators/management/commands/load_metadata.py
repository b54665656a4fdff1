from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.commands import DieuhanhCommand
from dieuhanh.figures.services import figures_changed
from dieuhanh.indicators.metadata import MetadataError, metadata_load, metadata_read_file


class Command(DieuhanhCommand):
    help = gettext_lazy("Load org units, indicators and targets from a JSON or YAML file (upsert by code).")
    # A data command: the system checks (which import every URL and view, a second or two) run
    # with `dieuhanh init`, `dieuhanh check` and the server, not before every import or query.
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, metavar=_("FILE"), help=_("The catalogue file (.json or .yaml)."))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = metadata_load(document=metadata_read_file(options["file"]), source=options["file"].name)
        except MetadataError as exc:
            self.stderr.write(_("The catalogue was not loaded; %(n)d problem(s) to fix:") % {"n": len(exc.errors)})
            for error in exc.errors:
                self.stderr.write(f"  - {error}")
            sys.exit(1)
        # A new or moved unit leaves what analytics derives from the figures out of date: the
        # figures service has it made whole again, as after any write.
        for note in figures_changed(count=0, complete=True):
            self.stdout.write(note)
        kinds = sorted(set(result.created) | set(result.updated))
        if not kinds:
            self.stdout.write(_("Nothing changed: the catalogue already matches the file."))
        for kind in kinds:
            self.stdout.write(
                _("%(kind)s: %(created)d created, %(updated)d updated")
                % {"kind": kind, "created": result.created.get(kind, 0), "updated": result.updated.get(kind, 0)}
            )

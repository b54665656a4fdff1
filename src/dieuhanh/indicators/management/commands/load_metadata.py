from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.analytics.rollups import rollups_ready, rollups_rebuild
from dieuhanh.commands import DieuhanhCommand
from dieuhanh.indicators.metadata import MetadataError, metadata_load, metadata_read_file
from dieuhanh.ingest.models import DataValue


class Command(DieuhanhCommand):
    help = gettext_lazy("Load org units, indicators and targets from a JSON or YAML file (upsert by code).")
    # A data command: the system checks (which import every URL and view, a second or two) run
    # with `dieuhanh init`, `dieuhanh check` and the server, not before every import or query.
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, metavar=_("FILE"), help=_("The catalogue file (.json or .yaml)."))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = metadata_load(document=metadata_read_file(options["file"]))
        except MetadataError as exc:
            self.stderr.write(_("The catalogue was not loaded; %(n)d problem(s) to fix:") % {"n": len(exc.errors)})
            for error in exc.errors:
                self.stderr.write(f"  - {error}")
            sys.exit(1)
        # A new or moved unit invalidates the rollups; bring them back so dashboards stay fast.
        if not rollups_ready() and DataValue.objects.exists():
            rebuilt = rollups_rebuild()
            self.stdout.write(
                _("Rollups rebuilt: %(units)s aggregated units, %(rows)s rows, in %(seconds)s s.")
                % {
                    "units": number_format(rebuilt.units, force_grouping=True),
                    "rows": number_format(rebuilt.rows, force_grouping=True),
                    "seconds": number_format(rebuilt.seconds, decimal_pos=1),
                }
            )
        kinds = sorted(set(result.created) | set(result.updated))
        if not kinds:
            self.stdout.write(_("Nothing changed: the catalogue already matches the file."))
        for kind in kinds:
            self.stdout.write(
                _("%(kind)s: %(created)d created, %(updated)d updated")
                % {"kind": kind, "created": result.created.get(kind, 0), "updated": result.updated.get(kind, 0)}
            )

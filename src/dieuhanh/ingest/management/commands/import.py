from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.commands import DieuhanhCommand
from dieuhanh.figures.choices import DataValueStatus, ImportFormat
from dieuhanh.ingest.services import ImportBusyError, import_file, issue_text, issues_as_csv


class Command(DieuhanhCommand):
    help = gettext_lazy("Import figures from CSV, XLSX (template), DHIS2 JSON or DHIS2 CSV. All or nothing.")
    # A data command: the system checks (which import every URL and view, a second or two) run
    # with `dieuhanh init`, `dieuhanh check` and the server, not before every import or query.
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, metavar=_("FILE"), help=_("The file of figures."))
        parser.add_argument("--dry-run", action="store_true", help=_("Check and count, write nothing."))
        parser.add_argument(
            "--format",
            choices=[f for f in ImportFormat.values if f not in ("api", "demo", "form")],
            help=_("The file's format (by default from its name and content)."),
        )
        parser.add_argument(
            "--error-report",
            type=Path,
            metavar=_("FILE"),
            help=_("Write the list of errors to this CSV file."),
        )
        parser.add_argument("--user", metavar=_("NAME"), help=_("Record the import as made by this user name."))
        parser.add_argument(
            "--status",
            choices=[DataValueStatus.SUBMITTED, DataValueStatus.APPROVED],
            default=None,
            help=_(
                "The status of the figures imported: submitted or approved. By default each figure's is "
                "decided by the data sets: submitted where a data set asks for approval, approved elsewhere."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}) from exc
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("There is no user '%(name)s'.") % {"name": options["user"]})
        try:
            result = import_file(
                content=content,
                filename=path.name,
                user=user,
                dry_run=options["dry_run"],
                channel="cli",
                file_format=options["format"],
                status=options["status"],
            )
        except ImportBusyError as exc:
            raise CommandError(str(exc)) from exc
        batch = result.batch
        if not result.ok:
            if options["error_report"]:
                Path(options["error_report"]).write_bytes(issues_as_csv(batch.errors))
            self.stderr.write(
                _("%(file)s was rejected: %(n)s error(s); no value was written (batch #%(batch)d).")
                % {"file": path.name, "n": number_format(len(result.issues)), "batch": batch.pk}
            )
            for issue in result.issues:
                self.stderr.write("  " + issue_text(issue))
            sys.exit(1)
        counts = {
            "rows": number_format(batch.rows_total),
            "created": number_format(batch.rows_created),
            "updated": number_format(batch.rows_updated),
            "unchanged": number_format(batch.rows_unchanged),
            "batch": batch.pk,
        }
        if options["dry_run"]:
            self.stdout.write(
                _(
                    "Checked %(rows)s value(s), no error. An import would create %(created)s, change %(updated)s, "
                    "leave %(unchanged)s unchanged. Nothing was written (dry run)."
                )
                % counts
            )
        else:
            self.stdout.write(
                _(
                    "Imported %(rows)s value(s): %(created)s new, %(updated)s changed, "
                    "%(unchanged)s unchanged (batch #%(batch)d)."
                )
                % counts
            )

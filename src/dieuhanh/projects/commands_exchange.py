"""The register's exchange on the command line: ``dieuhanh projects export`` (an OC4IDS project
package) and ``dieuhanh projects import`` (a file of projects or of the Treasury's monthly
disbursement: CSV, XLSX, or an OC4IDS package). The ``projects`` command adds these subcommands
(``add_arguments``) and hands them their options (``handle_export``, ``handle_import``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from dieuhanh.ingest.services import issue_text, issues_as_csv
from dieuhanh.projects.choices import ProjectImportFormat, ProjectImportKind
from dieuhanh.projects.imports import project_import
from dieuhanh.projects.oc4ids import oc4ids_json, oc4ids_package, oc4ids_problems


def export_arguments(export: Any) -> None:
    """The arguments of ``dieuhanh projects export``."""
    export.add_argument("--format", choices=["oc4ids"], default="oc4ids", help=_("The format: oc4ids."))
    export.add_argument("--output", "-o", type=Path, required=True, metavar=_("FILE"), help=_("The file to write."))
    export.add_argument(
        "--year",
        type=int,
        metavar=_("YEAR"),
        help=_("Only the projects with a plan or disbursement that year, with that year's figures."),
    )
    export.add_argument("--uri", metavar="URI", help=_("The package's URI (by default a URN naming the export)."))


def import_arguments(imported: Any) -> None:
    """The arguments of ``dieuhanh projects import``."""
    imported.add_argument("file", type=Path, metavar=_("FILE"), help=_("The file to import."))
    imported.add_argument(
        "--format",
        choices=ProjectImportFormat.values,
        help=_("The file's format: csv, xlsx or oc4ids (by default from its name and content)."),
    )
    imported.add_argument(
        "--kind",
        choices=ProjectImportKind.values,
        default=ProjectImportKind.REGISTER,
        help=_("What the file holds: register (the projects, the default) or disbursement (the Treasury's months)."),
    )
    imported.add_argument("--dry-run", action="store_true", help=_("Check and count, write nothing."))
    imported.add_argument(
        "--error-report", type=Path, metavar=_("FILE"), help=_("Write the list of errors to this CSV file.")
    )
    imported.add_argument("--user", metavar=_("NAME"), help=_("Record the import as made by this user name."))


def export_help() -> str:
    return _("Write the register as open data: an OC4IDS 0.9.5 project package (JSON).")


def import_help() -> str:
    return _("Import projects or the Treasury's monthly disbursement from a file. All or nothing.")


def add_arguments(subparsers: Any) -> None:
    """The ``export`` and ``import`` subcommands, on a command's subparsers."""
    export_arguments(subparsers.add_parser("export", help=export_help()))
    import_arguments(subparsers.add_parser("import", help=import_help()))


class _Lines:
    """A stream written a line at a time, as a command's ``self.stdout`` is."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def write(self, text: str) -> None:
        self.stream.write(text if text.endswith("\n") else text + "\n")


def handle_export(options: dict[str, Any], *, stdout: Any = None) -> None:
    """Write the package to ``options["output"]``; refused (CommandError) if it is not valid."""
    stdout = stdout or _Lines(sys.stdout)
    package = oc4ids_package(year=options.get("year"), uri=options.get("uri"))
    problems = oc4ids_problems(package)
    if problems:
        # The export's own fault: say where, and write nothing.
        raise CommandError("\n".join(issue_text(p) for p in problems[:20]))
    output = Path(options["output"])
    output.write_bytes(oc4ids_json(package))
    stdout.write(
        _("OC4IDS package written to %(path)s: %(n)s project(s), valid against the OC4IDS 0.9.5 schema.")
        % {"path": output, "n": number_format(len(package["projects"]))}
    )


def handle_import(options: dict[str, Any], *, stdout: Any = None, stderr: Any = None) -> int:
    """Import ``options["file"]``; the exit status (0: imported or checked, 1: refused)."""
    stdout = stdout or _Lines(sys.stdout)
    stderr = stderr or _Lines(sys.stderr)
    path = Path(options["file"])
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}) from exc
    user = None
    if options.get("user"):
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(_("There is no user '%(name)s'.") % {"name": options["user"]})
    result = project_import(
        kind=options.get("kind") or ProjectImportKind.REGISTER,
        content=content,
        filename=path.name,
        user=user,
        dry_run=bool(options.get("dry_run")),
        channel="cli",
        file_format=options.get("format"),
    )
    record = result.record
    if not result.ok:
        if options.get("error_report"):
            Path(options["error_report"]).write_bytes(issues_as_csv(record.errors))
        stderr.write(
            _("%(file)s was rejected: %(n)s error(s); nothing was written (import #%(id)d).")
            % {"file": path.name, "n": number_format(len(result.issues)), "id": record.pk}
        )
        for issue in result.issues:
            stderr.write("  " + issue_text(issue))
        return 1
    counts = {
        "rows": number_format(record.rows_total),
        "created": number_format(record.rows_created),
        "updated": number_format(record.rows_updated),
        "unchanged": number_format(record.rows_unchanged),
        "id": record.pk,
    }
    if options.get("dry_run"):
        stdout.write(
            _(
                "Checked %(rows)s row(s), no error. An import would create %(created)s, change %(updated)s, "
                "leave %(unchanged)s unchanged. Nothing was written (dry run)."
            )
            % counts
        )
    else:
        stdout.write(
            _(
                "Imported %(rows)s row(s): %(created)s new, %(updated)s changed, %(unchanged)s unchanged "
                "(import #%(id)d)."
            )
            % counts
        )
    return 0


def parser_for_tests() -> argparse.ArgumentParser:
    """A parser holding only these subcommands (the tests' and the lead's check of the wiring)."""
    parser = argparse.ArgumentParser(prog="dieuhanh projects")
    add_arguments(parser.add_subparsers(dest="subcommand", required=True))
    return parser

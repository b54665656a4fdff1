from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.backup.services import BackupError, Manifest, create_backup, restore_backup, verify_backup
from dieuhanh.commands import DieuhanhCommand


def _when(iso: str) -> str:
    """A manifest's time as the operator reads it: 18/7/2026 14:05, in the installation's time zone."""
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{local.day}/{local.month}/{local.year} {local:%H:%M}"


class Command(DieuhanhCommand):
    help = gettext_lazy("Back up the database and the uploaded files into one file, check a backup, or restore one.")
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            choices=["create", "verify", "restore"],
            help=_(
                "create: write a backup; verify: check a backup's files against its checksums; "
                "restore: replace this database and its files by a backup."
            ),
        )
        parser.add_argument(
            "path",
            nargs="?",
            help=_("The backup file (create: default DIEUHANH_HOME/backups/dieuhanh-<date>-<time>.tar.gz)."),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("restore: replace a database that already holds records (a backup of it is made first)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action, path = options["action"], options["path"]
        if action != "create" and not path:
            raise CommandError(_("Name the backup file: dieuhanh backup %(action)s FILE") % {"action": action})
        try:
            if action == "create":
                written, manifest = create_backup(Path(path) if path else None)
                self.stdout.write(_("Backup written: %(path)s") % {"path": written})
                self.stdout.write(self._summary(manifest))
            elif action == "verify":
                manifest = verify_backup(Path(path))
                self.stdout.write(_("The backup is whole: every file matches its checksum."))
                self.stdout.write(self._summary(manifest))
            else:
                result = restore_backup(Path(path), force=options["force"])
                if result.safety_backup is not None:
                    self.stdout.write(
                        _("What this database held was backed up first: %(path)s") % {"path": result.safety_backup}
                    )
                if result.media_set_aside is not None:
                    self.stdout.write(
                        _("The files that were here were set aside in %(path)s") % {"path": result.media_set_aside}
                    )
                self.stdout.write(_("Restored, and every table holds what the backup counted."))
                self.stdout.write(self._summary(result.manifest))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc

    def _summary(self, manifest: Manifest) -> str:
        counts = manifest.counts

        def n(value: int) -> str:
            return number_format(value, force_grouping=True)

        return _(
            "%(engine)s database of %(created)s (version %(version)s): %(figures)s figures, %(indicators)s "
            "indicators, %(units)s units, %(directives)s directives, %(users)s users; %(files)s files."
        ) % {
            "engine": {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[manifest.engine],
            "created": _when(manifest.created_at),
            "version": manifest.product_version,
            "figures": n(counts.get("figures.DataValue", 0)),
            "indicators": n(counts.get("indicators.Indicator", 0)),
            "units": n(counts.get("orgunits.OrgUnit", 0)),
            "directives": n(counts.get("directives.Directive", 0)),
            "users": n(counts.get("auth.User", 0)),
            "files": n(len(manifest.media_files)),
        }

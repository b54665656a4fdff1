"""``dieuhanh reporting``: the reporting calendar's daily run, its figures, and data sets from a file.

dieuhanh reporting remind [--on DATE]       (daily: the reminders due, then the figures up to today)
dieuhanh reporting figures [--until PERIOD] [--dry-run]
dieuhanh reporting load FILE                (data sets from a YAML or JSON file)
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import CommandError, CommandParser
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.commands import DieuhanhCommand
from dieuhanh.indicators.periods import Period, PeriodError
from dieuhanh.orgunits.selectors import today
from dieuhanh.reporting.completeness import ReportingFiguresResult, reporting_figures_collect
from dieuhanh.reporting.loader import FILE_KEY, DataSetLoadError, data_sets_load
from dieuhanh.reporting.reminders import report_reminders_send

MAX_FILE_BYTES = 5 * 1024 * 1024


def _date(value: str | None) -> dt.date:
    if not value:
        return today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(_("'%(value)s' is not a date in the form 2023-07-20.") % {"value": value}) from exc


def read_document(path: str) -> Any:
    """A YAML or JSON file's content, with a message that says what to fix."""
    file = Path(path)
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(_("%(path)s is larger than 5 MB; is it really a file of data sets?") % {"path": path})
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise CommandError(_("File %(path)s does not exist.") % {"path": path}) from exc
    except IsADirectoryError as exc:
        raise CommandError(_("%(path)s is a folder; give a YAML or JSON file.") % {"path": path}) from exc
    except UnicodeDecodeError as exc:
        raise CommandError(_("File %(path)s is not UTF-8 text.") % {"path": path}) from exc
    try:
        return json.loads(text) if file.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError, RecursionError) as exc:
        raise CommandError(
            _("File %(path)s cannot be read as YAML or JSON: %(error)s") % {"path": path, "error": exc}
        ) from exc


class Command(DieuhanhCommand):
    help = gettext_lazy("The reporting calendar: send reminders, write completeness figures, load data sets.")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="{remind,figures,load}")
        remind = _("Send the reminders due and bring the reporting figures up to date (run once a day).")
        run = actions.add_parser("remind", help=remind, description=remind)
        run.add_argument("--on", metavar=_("DATE"), help=_("As if today were this day, YYYY-MM-DD (default: today)."))
        figures = _("Write each unit's completeness and timeliness of reporting as indicator values.")
        write = actions.add_parser("figures", help=figures, description=figures)
        write.add_argument(
            "--until",
            metavar=_("PERIOD"),
            help=_("The last month (202611), quarter or year to write; default: the last month that has ended."),
        )
        write.add_argument("--dry-run", action="store_true", help=_("Check, but write nothing."))
        load = _("Create or update data sets from a YAML or JSON file (a list under data_sets).")
        read = actions.add_parser("load", help=load, description=load)
        read.add_argument("file", metavar=_("FILE"), help=_("A YAML or JSON file."))

    def handle(self, *args: Any, **options: Any) -> None:
        action = options.get("action")
        if action == "remind":
            self._remind(_date(options.get("on")))
        elif action == "figures":
            self._figures(options.get("until"), dry_run=options["dry_run"])
        elif action == "load":
            self._load(options["file"])
        else:
            raise CommandError(_("Say what to do: remind, figures or load."))

    def _remind(self, on: dt.date) -> None:
        run = report_reminders_send(today=on)
        self.stdout.write(_("%(n)d reminder(s) sent.") % {"n": len(run.sent)})
        for item in run.without_recipient:
            self.stdout.write(
                _("No contact for %(unit)s: no reminder about %(data_set)s of %(period)s. Add a contact in the admin.")
                % {"unit": item.org_unit.label(), "data_set": item.data_set.code, "period": item.period.code}
            )
        for item, error in run.failed:
            self.stderr.write(
                _("Reminder to %(unit)s not sent (it will be tried again): %(error)s")
                % {"unit": item.org_unit.label(), "error": error}
            )
        self._figures(None, dry_run=False, on=on)
        if run.failed:
            sys.exit(1)

    def _figures(self, until: str | None, *, dry_run: bool, on: dt.date | None = None) -> None:
        try:
            last = Period.parse(until) if until else None
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        result = reporting_figures_collect(today=on or today(), until=last, dry_run=dry_run)
        self._written(result)

    def _written(self, result: ReportingFiguresResult) -> None:
        if not result.months or result.rows == 0:
            self.stdout.write(_("No reporting figure to write: no data set yet, or no report due."))
            return
        first, last = result.months[0].code, result.months[-1].code
        if result.batch is None:
            self.stdout.write(
                _("Reporting figures of %(first)s–%(last)s: all %(rows)s are up to date; nothing written.")
                % {"first": first, "last": last, "rows": number_format(result.rows, force_grouping=True)}
            )
            return
        batch = result.batch
        self.stdout.write(
            _(
                "Reporting figures of %(first)s–%(last)s: %(rows)s figures, %(new)s new, %(changed)s changed, "
                "%(same)s unchanged (import #%(batch)d)."
            )
            % {
                "first": first,
                "last": last,
                "rows": number_format(result.rows, force_grouping=True),
                "new": number_format(batch.rows_created, force_grouping=True),
                "changed": number_format(batch.rows_updated, force_grouping=True),
                "same": number_format(batch.rows_unchanged + result.unchanged, force_grouping=True),
                "batch": batch.pk,
            }
        )

    def _load(self, path: str) -> None:
        document = read_document(path)
        records = document.get(FILE_KEY) if isinstance(document, dict) else None
        if records is None:
            raise CommandError(
                _("%(path)s holds no data sets: list them under the key %(key)s.") % {"path": path, "key": FILE_KEY}
            )
        try:
            result = data_sets_load(records=records)
        except DataSetLoadError as exc:
            for message in exc.messages:
                self.stderr.write(f"  - {message}")
            raise CommandError(_("The data sets were not loaded; nothing was changed.")) from exc
        self.stdout.write(
            _("Data sets: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        )

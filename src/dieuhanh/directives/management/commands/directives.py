"""``dieuhanh directives``: extract directives from a text, send reminders, collect scorecards.

dieuhanh directives extract FILE --date 2023-07-20 --format json [--save] [--suggest-leads]
dieuhanh directives remind            (daily: the reminders due, then the scorecards up to today)
dieuhanh directives collect [--period 202311] [--dry-run]
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.commands import DieuhanhCommand
from dieuhanh.directives.choices import SourceKind
from dieuhanh.directives.extraction import extract_directives
from dieuhanh.directives.reminders import reminders_send
from dieuhanh.directives.scorecards import CollectResult, ScorecardError, scorecard_periods, scorecards_collect
from dieuhanh.directives.selectors import agency_catalogue, directive_by_id, unit_by_code
from dieuhanh.directives.services import (
    DirectiveError,
    DirectiveInput,
    directive_transfer,
    directives_create,
    parse_recurrence,
    source_document_create,
    today_local,
)
from dieuhanh.indicators.periods import PeriodError
from dieuhanh.orgunits.models import day_text
from dieuhanh.orgunits.selectors import UnitLookupError

MAX_TEXT_BYTES = 5 * 1024 * 1024


def read_text(path: str) -> str:
    """The text of a UTF-8 file ("-" for standard input), with a message that says what to fix."""
    if path == "-":
        return sys.stdin.read()
    file = Path(path)
    try:
        if file.stat().st_size > MAX_TEXT_BYTES:
            raise CommandError(_("%(path)s is larger than 5 MB; is it really a text?") % {"path": path})
        return file.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise CommandError(_("File %(path)s does not exist.") % {"path": path}) from exc
    except IsADirectoryError as exc:
        raise CommandError(_("%(path)s is a folder; give a text file.") % {"path": path}) from exc
    except UnicodeDecodeError as exc:
        raise CommandError(
            _("File %(path)s is not UTF-8 text. Save it as plain text (UTF-8), or copy the text out of Word.")
            % {"path": path}
        ) from exc


def parse_date(value: str | None) -> dt.date:
    if not value:
        raise CommandError(_("Give the document's date with --date YYYY-MM-DD (e.g. --date 2023-07-20)."))
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(_("'%(value)s' is not a date in the form 2023-07-20.") % {"value": value}) from exc


class Command(DieuhanhCommand):
    help = gettext_lazy("Directives: extract them from a text, send reminders, collect the agencies' scorecards.")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="{extract,remind,collect,transfer}")
        read = _("Read the directives out of a Vietnamese text.")
        extract = actions.add_parser("extract", help=read, description=read)
        extract.add_argument("file", metavar=_("FILE"), help=_("A UTF-8 text file, or - for standard input."))
        extract.add_argument(
            "--date",
            metavar=_("DATE"),
            help=_("The document's date, YYYY-MM-DD (the year of deadlines without one)."),
        )
        extract.add_argument("--format", default="json", metavar="json", help=_("Output format: json."))
        extract.add_argument(
            "--save", action="store_true", help=_("Store them as directives of a new source document.")
        )
        extract.add_argument("--suggest-leads", action="store_true", help=_("Propose a lead from the field of a task."))
        extract.add_argument(
            "--kind",
            default=SourceKind.CONCLUSION_NOTICE,
            metavar=_("KIND"),
            help=_("Kind of document (with --save)."),
        )
        extract.add_argument(
            "--number",
            default="",
            metavar=_("NUMBER"),
            help=_("Document number, e.g. 412/TB-UBND (with --save)."),
        )
        extract.add_argument(
            "--issuer",
            default="",
            metavar=_("ISSUER"),
            help=_("Who issued it, e.g. Chủ tịch UBND tỉnh (with --save)."),
        )
        extract.add_argument(
            "--title",
            default="",
            metavar=_("TITLE"),
            help=_("Title of the document (with --save)."),
        )
        remind = _("Send the reminders due today and bring the scorecards up to today (run once a day).")
        actions.add_parser("remind", help=remind, description=remind)
        scorecards = _("Write the agencies' monthly scorecards as indicator values.")
        collect = actions.add_parser("collect", help=scorecards, description=scorecards)
        collect.add_argument(
            "--period",
            metavar=_("PERIOD"),
            help=_("A month (202311), quarter (2023Q4) or year (2023); default: all."),
        )
        collect.add_argument("--dry-run", action="store_true", help=_("Check, but write nothing."))
        hand = _("Hand a directive over to another agency from a date (a split agency's directives).")
        transfer = actions.add_parser("transfer", help=hand, description=hand)
        transfer.add_argument("directive", type=int, metavar=_("ID"), help=_("The directive's number (#42: 42)."))
        transfer.add_argument("--to", required=True, metavar=_("CODE"), help=_("The agency that takes it over."))
        transfer.add_argument("--on", required=True, metavar=_("DATE"), help=_("From this date, YYYY-MM-DD."))
        transfer.add_argument("--note", default="", metavar=_("TEXT"), help=_("Why (the decision that says so)."))

    def handle(self, *args: Any, **options: Any) -> None:
        action = options.get("action")
        if action == "extract":
            self._extract(options)
        elif action == "remind":
            self._remind()
        elif action == "collect":
            self._collect(options)
        elif action == "transfer":
            self._transfer(options)
        else:
            raise CommandError(_("Say what to do: extract, remind, collect or transfer."))

    def _transfer(self, options: dict[str, Any]) -> None:
        directive = directive_by_id(pk=options["directive"])
        if directive is None:
            raise CommandError(_("No directive #%(id)d.") % {"id": options["directive"]})
        on = parse_date(options["on"])
        try:
            to_unit = unit_by_code(code=options["to"], on=on)
            transfer = directive_transfer(directive=directive, to_unit=to_unit, effective_date=on, note=options["note"])
        except UnitLookupError as exc:
            raise CommandError(str(exc)) from exc
        except DirectiveError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            _("Directive #%(id)d is led by %(agency)s from %(date)s.")
            % {"id": directive.pk, "agency": transfer.to_unit.name, "date": day_text(on)}
        )

    def _extract(self, options: dict[str, Any]) -> None:
        if options["format"] != "json":
            raise CommandError(_("Unknown format '%(format)s'; use --format json.") % {"format": options["format"]})
        date = parse_date(options["date"])
        text = read_text(options["file"])
        catalogue = agency_catalogue(on=date)
        proposals = extract_directives(
            text, document_date=date, catalogue=catalogue, suggest_leads=options["suggest_leads"]
        )
        self.stdout.write(json.dumps([p.as_json() for p in proposals], ensure_ascii=False, indent=2))
        if not options["save"]:
            return
        if options["kind"] not in SourceKind.values:
            raise CommandError(
                _("Unknown kind '%(kind)s'; use one of: %(kinds)s.")
                % {"kind": options["kind"], "kinds": ", ".join(SourceKind.values)}
            )
        try:
            with transaction.atomic():
                source = source_document_create(
                    kind=options["kind"],
                    date=date,
                    number=options["number"],
                    issuer=options["issuer"],
                    title=options["title"],
                    text=text,
                )
                items = []
                for p in proposals:
                    recurrence, day = parse_recurrence(p.recurrence)
                    items.append(
                        DirectiveInput(
                            content=p.content,
                            lead=p.lead_agency,
                            coordinating=p.coordinating_agencies,
                            deadline=p.deadline,
                            recurrence=recurrence,
                            recurrence_day=day,
                            source_sentence=p.source_sentence,
                            lead_text=p.lead_agency_text or "",
                            coordinating_text=p.coordinating_agencies_text,
                        )
                    )
                created = directives_create(source=source, items=items)
        except DirectiveError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        self.stderr.write(
            _("Saved %(n)s directive(s) as %(source)s (#%(id)d).")
            % {"n": number_format(len(created), force_grouping=True), "source": source, "id": source.pk}
        )

    def _remind(self) -> None:
        run = reminders_send(today=today_local())
        self.stdout.write(_("%(n)d reminder(s) sent.") % {"n": len(run.sent)})
        for directive in run.without_contact:
            self.stdout.write(
                _("No contact for %(agency)s: no reminder for directive #%(id)d. Add a contact in the admin.")
                % {"agency": directive.lead_agency.name if directive.lead_agency else "–", "id": directive.pk}
            )
        for directive, error in run.failed:
            self.stderr.write(
                _("Reminder for directive #%(id)d not sent (it will be tried again): %(error)s")
                % {"id": directive.pk, "error": error}
            )
        # The month under way counts overdue "as at today": a day later, a deadline may have passed
        # with no write of the register to refresh it (and a month that just ended gets its end).
        self._collect({"period": None, "dry_run": False})
        if run.failed:
            sys.exit(1)

    def _collect(self, options: dict[str, Any]) -> None:
        today = today_local()
        try:
            periods = scorecard_periods(period=options.get("period"), today=today)
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        if not periods:
            self.stdout.write(_("Nothing to collect: no directive yet, or the period has not begun."))
            return
        try:
            collected = scorecards_collect(periods=periods, today=today, dry_run=options["dry_run"])
        except ScorecardError as exc:
            for message in exc.messages:
                self.stderr.write(f"  - {message}")
            raise CommandError(_("The scorecards were not written; nothing was changed.")) from exc
        self._collected(collected)

    def _collected(self, collected: CollectResult) -> None:
        periods = collected.periods
        if collected.rows == 0:
            self.stdout.write(_("Nothing to collect: no agency had a directive in these months."))
            return
        if collected.batch is None:
            self.stdout.write(
                _("Scorecards of %(first)s–%(last)s: all %(rows)s figures are up to date; nothing written.")
                % {
                    "first": periods[0].code,
                    "last": periods[-1].code,
                    "rows": number_format(collected.rows, force_grouping=True),
                }
            )
            return
        batch = collected.batch
        self.stdout.write(
            _(
                "Scorecards of %(first)s–%(last)s: %(rows)s figures, %(new)s new, %(changed)s changed, "
                "%(same)s unchanged (import #%(batch)d)."
            )
            % {
                "first": periods[0].code,
                "last": periods[-1].code,
                "rows": number_format(collected.rows, force_grouping=True),
                "new": number_format(batch.rows_created, force_grouping=True),
                "changed": number_format(batch.rows_updated, force_grouping=True),
                "same": number_format(batch.rows_unchanged + collected.unchanged, force_grouping=True),
                "batch": batch.pk,
            }
        )
        if collected.skipped_invalid_units:
            self.stdout.write(
                _("%(n)d unit-month(s) skipped: the unit did not exist then.") % {"n": collected.skipped_invalid_units}
            )

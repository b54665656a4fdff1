"""``dieuhanh projects``: the public-investment register's work, one subcommand each.

dieuhanh projects refresh [--year 2024 ...]          write the register's figures (indicators.yaml)
dieuhanh projects proposals --year 2024 --on 2024-07-31   the transfers the statuses suggest
dieuhanh projects export --format oc4ids --output FILE [--year 2024]   the register as OC4IDS
dieuhanh projects import [--format csv|xlsx|oc4ids] [--kind register|disbursement] FILE [--dry-run]

A subcommand is a name in ``ACTIONS`` with the function that adds its arguments and the one that
runs it: another module of the app adds its own (the register's import and export) the same way.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.commands import DieuhanhCommand
from dieuhanh.orgunits.models import day_text
from dieuhanh.projects import commands_exchange
from dieuhanh.projects.selectors import transfer_proposals
from dieuhanh.projects.services import projects_figures_refresh


def parse_day(value: str | None) -> dt.date:
    if not value:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(_("'%(value)s' is not a date in the form 2024-07-31.") % {"value": value}) from exc


def amount_text(value: Any) -> str:
    return str(number_format(value, decimal_pos=0, force_grouping=True))


def refresh_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--year",
        type=int,
        action="append",
        metavar=_("YEAR"),
        help=_("A year to refresh (repeat for several); default: every year the register holds."),
    )


def refresh_handle(command: DieuhanhCommand, options: dict[str, Any]) -> None:
    try:
        batch = projects_figures_refresh(years=options.get("year"))
    except ValidationError as exc:
        raise CommandError("; ".join(exc.messages)) from exc
    if batch is None:
        command.stdout.write(_("The register's figures are up to date; nothing written."))
        return
    command.stdout.write(
        _("The register's figures written: %(created)s new, %(updated)s changed, %(unchanged)s unchanged.")
        % {
            "created": amount_text(batch.rows_created),
            "updated": amount_text(batch.rows_updated),
            "unchanged": amount_text(batch.rows_unchanged),
        }
    )


def proposals_arguments(parser: CommandParser) -> None:
    parser.add_argument("--year", type=int, required=True, metavar=_("YEAR"), help=_("The plan's year."))
    parser.add_argument("--on", metavar=_("DATE"), help=_("As at this date, YYYY-MM-DD; default: today."))


def proposals_handle(command: DieuhanhCommand, options: dict[str, Any]) -> None:
    on = parse_day(options.get("on"))
    proposals = transfer_proposals(year=options["year"], on=on)
    if not proposals:
        command.stdout.write(
            _(
                "No transfer to propose on %(date)s: no project behind schedule has capital "
                "that a project on schedule can take."
            )
            % {"date": day_text(on)}
        )
        return
    for item in proposals:
        command.stdout.write(
            _("%(amount)s million đồng (%(source)s): %(from)s → %(to)s")
            % {
                "amount": amount_text(item.amount),
                "source": item.source,
                "from": f"{item.from_project.code} {item.from_project.name}",
                "to": f"{item.to_project.code} {item.to_project.name}",
            }
        )
    command.stdout.write(
        _("Total proposed: %(amount)s million đồng.") % {"amount": amount_text(sum(p.amount for p in proposals))}
    )


def export_handle(command: DieuhanhCommand, options: dict[str, Any]) -> None:
    commands_exchange.handle_export(options, stdout=command.stdout)


def import_handle(command: DieuhanhCommand, options: dict[str, Any]) -> None:
    if commands_exchange.handle_import(options, stdout=command.stdout, stderr=command.stderr):
        sys.exit(1)


Action = tuple[Callable[[], str], Callable[[CommandParser], None], Callable[[DieuhanhCommand, dict[str, Any]], None]]
ACTIONS: dict[str, Action] = {
    "refresh": (
        lambda: _("Write the register's figures (disbursement, site clearance, obstacles) as indicator values."),
        refresh_arguments,
        refresh_handle,
    ),
    "proposals": (
        lambda: _("Propose transfers of capital from projects behind schedule to projects on schedule."),
        proposals_arguments,
        proposals_handle,
    ),
    # The register's exchange (commands_exchange.py): OC4IDS out, files of projects and months in.
    "export": (commands_exchange.export_help, commands_exchange.export_arguments, export_handle),
    "import": (commands_exchange.import_help, commands_exchange.import_arguments, import_handle),
}


class Command(DieuhanhCommand):
    help = gettext_lazy("Public investment: write the register's figures, propose capital transfers.")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="{" + ",".join(ACTIONS) + "}")
        for name, (describe, arguments, _handle) in ACTIONS.items():
            text = describe()
            arguments(actions.add_parser(name, help=text, description=text))

    def handle(self, *args: Any, **options: Any) -> None:
        action = ACTIONS.get(options.get("action") or "")
        if action is None:
            raise CommandError(_("Say what to do: %(actions)s.") % {"actions": ", ".join(ACTIONS)})
        action[2](self, options)

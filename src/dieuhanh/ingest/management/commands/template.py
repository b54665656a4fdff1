from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.commands import DieuhanhCommand
from dieuhanh.indicators.selectors import indicator_list
from dieuhanh.ingest.xlsx import xlsx_template_build
from dieuhanh.orgunits.selectors import UnitLookupError, unit_at


class Command(DieuhanhCommand):
    help = gettext_lazy("Write the Excel template for one unit and one year, prefilled with stored figures.")
    # A data command: the system checks (which import every URL and view, a second or two) run
    # with `dieuhanh init`, `dieuhanh check` and the server, not before every import or query.
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        code = _("CODE")
        parser.add_argument("--org-unit", required=True, metavar=code, help=_("Unit code, e.g. 718."))
        parser.add_argument("--year", type=int, required=True, metavar=_("YEAR"), help=_("The year, e.g. 2023."))
        parser.add_argument(
            "--indicators",
            metavar=code,
            help=_("Comma-separated indicator codes (default: all that are entered)."),
        )
        parser.add_argument("--sector", metavar=code, help=_("Only the indicators of this sector code."))
        parser.add_argument(
            "--output",
            "-o",
            type=Path,
            metavar=_("FILE"),
            help=_("The file to write; by default mau-nhap-<unit>-<year>.xlsx."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        # A question about the year: the unit the code names on its last day (or one that ended in it).
        try:
            unit = unit_at(options["org_unit"], on=dt.date(year, 12, 31), since=dt.date(year, 1, 1))
        except UnitLookupError as exc:
            if exc.known:
                raise CommandError(str(exc)) from exc
            raise CommandError(_("Unknown org unit '%(code)s'.") % {"code": options["org_unit"]}) from exc
        if unit.code_shared:
            self.stdout.write(_("Unit %(code)s: %(unit)s.") % {"code": unit.code, "unit": unit.label()})
        codes = [c.strip() for c in options["indicators"].split(",") if c.strip()] if options["indicators"] else None
        indicators = indicator_list(codes=codes, sector=options["sector"])
        if codes:
            missing = sorted(set(codes) - {i.code for i in indicators})
            if missing:
                raise CommandError(_("Unknown indicator(s): %(codes)s.") % {"codes": ", ".join(missing)})
        output = Path(options["output"]) if options["output"] else Path(f"mau-nhap-{unit.code}-{options['year']}.xlsx")
        output.write_bytes(xlsx_template_build(org_unit=unit, year=options["year"], indicators=indicators))
        self.stdout.write(
            _("Template written to %(path)s (%(n)d indicators).")
            % {"path": output, "n": len([i for i in indicators if not i.is_ratio])}
        )

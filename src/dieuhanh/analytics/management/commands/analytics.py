from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.analytics.engine import Measures
from dieuhanh.analytics.selectors import (
    AnalyticsQueryError,
    analytics_measures,
    analytics_ranking,
    exact_number_out,
    measures_as_json,
    resolve_query,
)
from dieuhanh.api import exact_json
from dieuhanh.commands import DieuhanhCommand


def _codes(raw: str) -> list[str]:
    return [c.strip() for c in raw.split(",") if c.strip()]


class Command(DieuhanhCommand):
    help = gettext_lazy("Print the eight measures for indicators × org units × periods, or a ranking of children.")
    # A data command: the system checks (which import every URL and view, a second or two) run
    # with `dieuhanh init`, `dieuhanh check` and the server, not before every import or query.
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        code = _("CODE")
        parser.add_argument("--indicator", required=True, metavar=code, help=_("Indicator code(s), comma-separated."))
        parser.add_argument("--org-unit", required=True, metavar=code, help=_("Unit code(s), comma-separated."))
        parser.add_argument(
            "--period",
            required=True,
            metavar=_("PERIOD"),
            help=_("Period(s): 2023, 2023S1, 2023Q2, 202306; comma-separated."),
        )
        parser.add_argument("--format", choices=["json", "table"], default="json", help=_("Output: JSON or a table."))
        parser.add_argument(
            "--ranking", action="store_true", help=_("Rank the children of the (single) org unit instead.")
        )
        parser.add_argument(
            "--measure",
            default="value",
            metavar=_("MEASURE"),
            help=_("With --ranking: the measure to rank by."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            indicators, units, periods = resolve_query(
                indicator_codes=_codes(options["indicator"]),
                org_unit_codes=_codes(options["org_unit"]),
                period_codes=_codes(options["period"]),
                public_only=False,
            )
            rows: list[dict[str, object]]
            if options["ranking"]:
                rows = [
                    {
                        "indicator": i.code,
                        "period": p.code,
                        "rank": r.rank,
                        "org_unit": r.org_unit,
                        "name": r.name,
                        options["measure"]: exact_number_out(r.value),
                        "rebased": r.rebased,
                        "missing_reason": r.missing_reason,
                        "missing_units": list(r.missing_units),
                    }
                    for i in indicators
                    for u in units
                    for p in periods
                    for r in analytics_ranking(indicator=i, org_unit=u, period=p, measure=options["measure"])
                ]
            else:
                rows = [
                    measures_as_json(m)
                    for m in analytics_measures(indicators=indicators, org_units=units, periods=periods)
                ]
        except AnalyticsQueryError as exc:
            self.stderr.write(_("The query cannot be answered:"))
            for line in str(exc).splitlines():
                self.stderr.write(f"  - {line}")
            sys.exit(2)
        if options["format"] == "json":
            self.stdout.write(exact_json(rows, ensure_ascii=False, indent=2))
            return
        columns = list(rows[0]) if rows else ["indicator", "org_unit", "period", *Measures.MEASURE_NAMES]
        widths = {c: max([len(c)] + [len("" if r.get(c) is None else str(r.get(c))) for r in rows]) for c in columns}
        self.stdout.write("  ".join(c.ljust(widths[c]) for c in columns))
        for r in rows:
            self.stdout.write("  ".join(("" if r.get(c) is None else str(r.get(c))).ljust(widths[c]) for c in columns))

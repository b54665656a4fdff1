"""``dieuhanh shares``: propose the shares of split units, by area or population, and accept them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.analytics.selectors import analytics_measures
from dieuhanh.commands import DieuhanhCommand
from dieuhanh.dashboard.boundaries import unit_boundary
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period, PeriodError
from dieuhanh.orgunits.choices import ShareMethod
from dieuhanh.orgunits.models import OrgUnit, ShareProposal, Succession, share_text
from dieuhanh.orgunits.selectors import UnitLookupError, unit_at, units_by_code
from dieuhanh.orgunits.shares import (
    Proposed,
    ShareError,
    area_share,
    part_successions,
    pending_proposals,
    population_shares,
    share_proposals_accept,
    share_proposals_store,
)


class Command(DieuhanhCommand):
    help = gettext_lazy(
        "Propose the shares of split units (by area from boundaries, or by population from a figure), "
        "list the proposals, and accept them."
    )
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            choices=["propose", "list"],
            help=_("propose: compute and store proposals; list: show the proposals not accepted yet."),
        )
        parser.add_argument(
            "--by",
            choices=ShareMethod.values,
            help=_("area: from the old and new boundaries; population: from the figure --indicator, --period."),
        )
        parser.add_argument("--indicator", metavar=_("CODE"), help=_("With --by population: the population indicator."))
        parser.add_argument("--period", metavar=_("PERIOD"), help=_("With --by population: the period of the figure."))
        parser.add_argument(
            "--unit",
            metavar=_("CODE"),
            action="append",
            help=_(
                "Only the split unit with this code (the latest that carried it, or the one valid on --on); may repeat."
            ),
        )
        parser.add_argument(
            "--on", metavar=_("DATE"), help=_("With --unit: the date the code is resolved at (YYYY-MM-DD).")
        )
        parser.add_argument("--accept", action="store_true", help=_("Accept the proposals at once (sets the shares)."))

    def handle(self, *args: Any, **options: Any) -> None:
        predecessors = self._predecessors(options.get("unit"), options.get("on"))
        splits = part_successions(predecessors=predecessors)
        if options["action"] == "list":
            self._list(splits)
            return
        method = options.get("by")
        if not method:
            raise CommandError(_("Say how to compute the shares: --by area or --by population."))
        if not splits:
            self.stdout.write(_("No unit is split in part: there is no share to propose."))
            return
        if method == ShareMethod.AREA:
            proposed = self._by_area(splits)
        else:
            proposed = self._by_population(splits, options.get("indicator"), options.get("period"))
        if not proposed:
            raise CommandError(_("No share could be proposed."))
        stored = share_proposals_store(proposals=proposed, method=method)
        for proposal in stored:
            self.stdout.write(self._line(proposal.succession, proposal.share))
        if options["accept"]:
            try:
                share_proposals_accept(proposals=stored)
            except ShareError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(_("Accepted: %(n)d shares set.") % {"n": len(stored)})
        else:
            self.stdout.write(
                _(
                    "%(n)d proposals stored, not applied: accept them in the admin (Share proposals) "
                    "or run again with --accept."
                )
                % {"n": len(stored)}
            )

    def _predecessors(self, codes: list[str] | None, on: str | None) -> list[OrgUnit] | None:
        if not codes:
            return None
        try:
            day = dt.date.fromisoformat(on) if on else None
        except ValueError as exc:
            raise CommandError(_("'%(value)s' is not a date in the form 2023-07-20.") % {"value": on}) from exc
        found = []
        for code in codes:
            try:
                # Without a date, the latest unit with the code, even one that has ended (a split unit has).
                found.append(unit_at(code, on=day) if day else unit_at(code, since=dt.date.min))
            except UnitLookupError as exc:
                raise CommandError(str(exc)) from exc
        return found

    def _line(self, succession: Succession, share: Decimal) -> str:
        current = share_text(succession.share) if succession.share is not None else _("not known")
        return _("%(old)s → %(new)s: proposed %(share)s (recorded: %(current)s)") % {
            "old": succession.predecessor.label(),
            "new": succession.successor.label(),
            "share": share_text(share),
            "current": current,
        }

    def _list(self, splits: dict[OrgUnit, list[Succession]]) -> None:
        successions = [s for parts in splits.values() for s in parts]
        proposals: list[ShareProposal] = pending_proposals(successions=successions)
        if not proposals:
            self.stdout.write(_("No proposal waits to be accepted."))
        for proposal in proposals:
            self.stdout.write(
                f"#{proposal.pk} {proposal.get_method_display()} ({proposal.basis}): "
                + self._line(proposal.succession, proposal.share)
            )

    def _by_area(self, splits: dict[OrgUnit, list[Succession]]) -> list[Proposed]:
        proposed: list[Proposed] = []
        for predecessor, parts in splits.items():
            units = [predecessor, *(s.successor for s in parts)]
            # A polygon is taken at a date: the old unit's on its last day before the split, each
            # successor's on the day it began. A code two units carry (Phú Cường and Thủ Dầu Một,
            # both 25747) needs polygons whose validity the files state.
            shared = {code for code, same in units_by_code(u.code for u in units).items() if len(same) > 1}
            before = min(s.effective_date for s in parts) - dt.timedelta(days=1)
            days = {predecessor.pk: before, **{s.successor.pk: s.effective_date for s in parts}}
            shapes = {u.pk: unit_boundary(u.code, on=days[u.pk], dated=u.code in shared) for u in units}
            missing = [u for u in units if shapes[u.pk] is None]
            if missing:
                undated = sorted({u.code for u in missing if u.code in shared})
                reason = (
                    _("code %(codes)s is carried by units of different dates, and the boundaries do not say which")
                    % {"codes": ", ".join(undated)}
                    if undated
                    else _("no boundary for %(units)s") % {"units": ", ".join(u.label() for u in missing)}
                )
                self.stderr.write(
                    _("%(unit)s: no area share proposed (%(reason)s).")
                    % {"unit": predecessor.label(), "reason": reason}
                )
                continue
            try:
                proposed += [
                    Proposed(
                        s,
                        area_share(shapes[predecessor.pk]["geometry"], shapes[s.successor.pk]["geometry"]),  # type: ignore[index]
                        _("boundaries"),
                    )
                    for s in parts
                ]
            except ShareError as exc:
                self.stderr.write(f"{predecessor.label()}: {exc}")
        return proposed

    def _by_population(
        self, splits: dict[OrgUnit, list[Succession]], indicator_code: str | None, period_code: str | None
    ) -> list[Proposed]:
        if not indicator_code or not period_code:
            raise CommandError(_("A population share needs the figure: --indicator CODE --period PERIOD."))
        indicator = Indicator.objects.filter(code=indicator_code).first()
        if indicator is None:
            raise CommandError(_("Unknown indicator '%(code)s'.") % {"code": indicator_code})
        try:
            period = Period.parse(period_code)
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        proposed: list[Proposed] = []
        for predecessor, parts in splits.items():
            successors = [s.successor for s in parts]
            # A figure of a period before a successor existed would be re-based from the very shares
            # being proposed: only a period within every successor's validity is asked.
            early = [u for u in successors if u.valid_from is not None and u.valid_from > period.start_date]
            if early:
                self.stderr.write(
                    _(
                        "%(unit)s: no population share proposed: the period %(period)s begins before %(successor)s "
                        "existed (%(validity)s); name a period after the reorganisation."
                    )
                    % {
                        "unit": predecessor.label(),
                        "period": period.code,
                        "successor": early[0].label(),
                        "validity": early[0].validity_text(),
                    }
                )
                continue
            measures = analytics_measures(indicators=[indicator], org_units=successors, periods=[period])
            values = {u.pk: m.value for u, m in zip(successors, measures, strict=True)}
            try:
                shares = population_shares(values, names={u.pk: u.label() for u in successors})
            except ShareError as exc:
                self.stderr.write(
                    _("%(unit)s: no population share proposed: %(why)s") % {"unit": predecessor.label(), "why": exc}
                )
                continue
            basis = f"{indicator.code} {period.code}"
            proposed += [Proposed(s, shares[s.successor_id], basis) for s in parts]
        return proposed

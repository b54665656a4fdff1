"""The dashboards' pickers, read from the query string."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext as _

from dieuhanh.analytics.readmodel.periods import ReportPeriod
from dieuhanh.indicators.periods import Period, PeriodError
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import TreeUnit, UnitLookupError, today, unit_among, unit_at


class PickerForm(forms.Form):
    """Which unit and which period to show.

    A period is chosen in words, as a year and a part of it (``year``, ``part``: see
    ``ReportPeriod.part``); the address names it by its code (``period=2023S1``), so that every
    choice can be bookmarked. A year and part sent by the pickers win over the address's period.
    Empty fields fall back to the defaults: the unit ``default_unit`` gives for the period's last
    day (the home province, see ``readmodel.scope.default_org_unit``), and the period
    ``default_period`` gives for the unit (the latest month whose headline figures are complete
    there).
    """

    org_unit = forms.CharField(required=False, max_length=32)
    period = forms.CharField(required=False, max_length=16)
    year = forms.IntegerField(required=False, min_value=1900, max_value=2999)
    part = forms.CharField(required=False, max_length=8)

    def __init__(
        self,
        data: Any,
        *,
        tree: Sequence[TreeUnit],
        default_unit: Callable[[dt.date | None], OrgUnit | None],
        default_period: Callable[[OrgUnit | None], Period],
    ) -> None:
        super().__init__(data)
        self.tree = tree
        self.default_unit = default_unit
        self.default_period = default_period
        # The period asked, once read, even when the unit is not found: the picker shows its map.
        self.chosen: ReportPeriod | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        year, part = cleaned.get("year"), (cleaned.get("part") or "").strip()
        code = (cleaned.get("period") or "").strip()
        chosen: ReportPeriod | None = None
        try:
            if year and part:
                chosen = ReportPeriod.from_part(year, part)
            elif code:
                chosen = ReportPeriod.parse(code)
        except PeriodError as exc:
            # The parser's message already says what a valid period looks like.
            self.add_error("period", str(exc))
            cleaned.pop("org_unit", None)
            return cleaned
        self.chosen = chosen
        asked = (cleaned.get("org_unit") or "").strip()
        unit: OrgUnit | None
        if asked:
            unit = self._resolve(asked, chosen)
            if unit is None:
                return cleaned
        else:
            # The default unit is that of the period's map (the home province; re-based before it began).
            unit = self.default_unit(chosen.end_date if chosen is not None else None)
            if unit is None:
                self.add_error(
                    "org_unit",
                    _("There are no org units yet: an administrator must load the catalogue of units first."),
                )
                return cleaned
            if chosen is None:
                chosen = ReportPeriod(self.default_period(unit))
                # The default period may lie on another map than today's: its default unit, then.
                unit = self.default_unit(chosen.end_date) or unit
        cleaned["org_unit"] = unit
        cleaned["period"] = chosen if chosen is not None else ReportPeriod(self.default_period(unit))
        return cleaned

    def _resolve(self, code: str, chosen: ReportPeriod | None) -> OrgUnit | None:
        """The unit a code names for the chosen period, or None with the resolver's message on the form."""
        # A code names a unit only with a date: the chosen period's last day (or a unit that
        # ended within it), else today.
        on, since = (chosen.end_date, chosen.start_date) if chosen is not None else (today(), None)
        # The picker's units (every time's) spare a query; a unit not in it (an agency) is looked up.
        listed = [item.unit for item in self.tree if item.unit.code == code]
        for candidate in listed:
            candidate.code_shared = len(listed) > 1
        try:
            return unit_among(listed, code, on=on, since=since) if listed else unit_at(code, on=on, since=since)
        except UnitLookupError as exc:
            message = (
                str(exc)
                if exc.known
                else _("There is no unit with code “%(code)s”. Choose a unit from the list.") % {"code": code}
            )
            self.add_error("org_unit", message)
            return None

    def typed(self, name: str) -> str:
        """What the visitor sent for a field, to put back into the form as they wrote it."""
        return str(self.data.get(name, "") or "").strip()

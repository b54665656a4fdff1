"""The dashboards' pickers, read from the query string."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext as _

from dieuhanh.analytics.readmodel.periods import ReportPeriod
from dieuhanh.indicators.periods import Period, PeriodError
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import TreeUnit


class PickerForm(forms.Form):
    """Which unit and which period to show.

    A period is chosen in words, as a year and a part of it (``year``, ``part``: see
    ``ReportPeriod.part``); the address names it by its code (``period=2023S1``), so that every
    choice can be bookmarked. A year and part sent by the pickers win over the address's period.
    Empty fields fall back to the defaults: the root province, and the period
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
        default_unit: OrgUnit | None,
        default_period: Callable[[OrgUnit | None], Period],
    ) -> None:
        super().__init__(data)
        self.tree = tree
        self.default_unit = default_unit
        self.default_period = default_period

    def clean_org_unit(self) -> OrgUnit | None:
        code = (self.cleaned_data.get("org_unit") or "").strip()
        if not code:
            if self.default_unit is None:
                raise forms.ValidationError(
                    _("There are no org units yet: an administrator must load the catalogue of units first.")
                )
            return self.default_unit
        for item in self.tree:
            if item.unit.code == code:
                return item.unit
        # Not in the picker (an agency, say) but a real unit: show it all the same.
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(
                _("There is no unit with code “%(code)s”. Choose a unit from the list.") % {"code": code}
            )
        return unit

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        year, part = cleaned.get("year"), (cleaned.get("part") or "").strip()
        code = (cleaned.get("period") or "").strip()
        try:
            if year and part:
                cleaned["period"] = ReportPeriod.from_part(year, part)
            elif code:
                cleaned["period"] = ReportPeriod.parse(code)
            else:
                cleaned["period"] = ReportPeriod(self.default_period(cleaned.get("org_unit")))
        except PeriodError as exc:
            # The parser's message already says what a valid period looks like.
            self.add_error("period", str(exc))
        return cleaned

    def typed(self, name: str) -> str:
        """What the visitor sent for a field, to put back into the form as they wrote it."""
        return str(self.data.get(name, "") or "").strip()

"""Forms of the public-investment pages: the project list's filters and sort, and the year (and
the "below x %" threshold) of the investor scorecard. Each works as a plain GET form, so every
choice can be bookmarked and read out at a meeting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.directives.forms import DateInput
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.projects.choices import CapitalSource, ProjectGroup, ProjectSector, ScheduleStatus

# The list's sorts (the selector's orders): slowest first, i.e. the lowest share of the year's plan
# disbursed first (the default: what a leader asks first); the highest share first; the furthest
# behind the schedule's pace in money first; the largest plan first; by name.
ORDER_CHOICES = [
    ("slowest", gettext_lazy("Slowest first (lowest share disbursed)")),
    ("fastest", gettext_lazy("Highest share disbursed first")),
    ("shortfall", gettext_lazy("Furthest behind the pace first")),
    ("plan", gettext_lazy("Capital plan, largest first")),
    ("name", gettext_lazy("Name")),
]
DEFAULT_ORDER = "slowest"


def year_choices(years: Sequence[int]) -> list[tuple[str, str]]:
    return [(str(y), str(y)) for y in sorted(set(years), reverse=True)]


def unit_options(units: Sequence[OrgUnit]) -> list[tuple[str, str]]:
    """A picker's options of units, by their id (a unit's code names it only with a date)."""
    return [("", "—"), *((str(u.pk), u.name) for u in units)]


def as_on(year: int, *, now: dt.date) -> dt.date:
    """The day a plan year is shown at by default: today while it runs, 31 January of the next
    year once it is over (its last milestone), the year's first day before it begins."""
    return max(min(now, dt.date(year + 1, 1, 31)), dt.date(year, 1, 1))


class YearForm(forms.Form):
    """The plan year a page shows (the current one by default) and the day it is shown at (by
    default today, or the last milestone's day of a past year: ``as_on``)."""

    year = forms.TypedChoiceField(
        label=gettext_lazy("Plan year"),
        required=False,
        coerce=int,
        error_messages={"invalid_choice": gettext_lazy("Choose a year from the list.")},
    )
    on = forms.DateField(
        label=gettext_lazy("As at"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": gettext_lazy("Write the date as 2024-06-30.")},
    )

    def __init__(self, data: Any, *, years: Sequence[int], today: dt.date) -> None:
        super().__init__(data)
        self.today = today
        cast(forms.TypedChoiceField, self.fields["year"]).choices = year_choices([*years, today.year])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year, on = data.get("year") or self.today.year, data.get("on")
        if on is not None and on > self.today:
            self.add_error("on", _("This date is after today: the register answers up to today."))
        elif on is not None and not dt.date(year, 1, 1) <= on <= dt.date(year + 1, 1, 31):
            message = _("A plan of %(year)s is shown at a day from 1/1/%(year)s to 31/1/%(next)s.")
            self.add_error("on", message % {"year": year, "next": year + 1})
        return data

    def chosen_year(self) -> int:
        year = self.cleaned_data.get("year") if self.is_valid() else None
        return int(year) if year else self.today.year

    def chosen_on(self) -> dt.date:
        on = self.cleaned_data.get("on") if self.is_valid() else None
        return on or as_on(self.chosen_year(), now=self.today)

    def query(self) -> str:
        """The year (and the day, when one was asked) as an address's query, for the pages' links."""
        params: dict[str, str] = {"year": str(self.chosen_year())}
        if self.is_valid() and self.cleaned_data.get("on"):
            params["on"] = self.cleaned_data["on"].isoformat()
        return urlencode(params)


class ProjectFilterForm(YearForm):
    """The project list's filters and its sort."""

    investor = forms.ChoiceField(
        label=gettext_lazy("Investor"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose an investor from the list.")},
    )
    sector = forms.ChoiceField(
        label=gettext_lazy("Sector"), required=False, choices=[("", "—"), *ProjectSector.choices]
    )
    group = forms.ChoiceField(label=gettext_lazy("Group"), required=False, choices=[("", "—"), *ProjectGroup.choices])
    source = forms.ChoiceField(
        label=gettext_lazy("Capital source"), required=False, choices=[("", "—"), *CapitalSource.choices]
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status against schedule"), required=False, choices=[("", "—"), *ScheduleStatus.choices]
    )
    commune = forms.ChoiceField(
        label=gettext_lazy("Commune"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose a commune from the list.")},
    )
    q = forms.CharField(label=gettext_lazy("Code or name contains"), required=False, max_length=100)
    order = forms.ChoiceField(label=gettext_lazy("Sort"), required=False, choices=ORDER_CHOICES)

    def __init__(
        self,
        data: Any,
        *,
        years: Sequence[int],
        today: dt.date,
        investors: Sequence[OrgUnit],
        communes: Sequence[OrgUnit],
    ) -> None:
        super().__init__(data, years=years, today=today)
        self.investors = {str(u.pk): u for u in investors}
        self.communes = {str(u.pk): u for u in communes}
        cast(forms.ChoiceField, self.fields["investor"]).choices = unit_options(investors)
        cast(forms.ChoiceField, self.fields["commune"]).choices = unit_options(communes)


class PercentField(forms.DecimalField):
    """A share in per cent written either way: 30, 30,5 (Vietnamese) or 30.5."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # a DecimalField's value
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return cast(Decimal | None, super().to_python(value))


class ScorecardForm(YearForm):
    """The investor scorecard's year and, for the list read out at meetings, its threshold."""

    below = PercentField(
        label=gettext_lazy("Investors below (%)"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=1,
        error_messages={
            "invalid": gettext_lazy("Write the threshold as a number of per cent, e.g. 30."),
            "min_value": gettext_lazy("The threshold is between 0 and 100 %%."),
            "max_value": gettext_lazy("The threshold is between 0 and 100 %%."),
        },
    )

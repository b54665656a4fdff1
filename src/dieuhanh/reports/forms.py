"""The form of the reports page: which unit, which period, which formats."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dieuhanh.analytics.readmodel.periods import ReportPeriod, part_groups
from dieuhanh.indicators.periods import PeriodError
from dieuhanh.orgunits.choices import OrgUnitKind
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import UnitLookupError, unit_among, units_by_code
from dieuhanh.reports.choices import ReportFormat

# Units that issue a socio-economic report: the People's Committees of the province and districts.
REPORTING_KINDS = (OrgUnitKind.PROVINCE, OrgUnitKind.DISTRICT)


class UnitCodeChoiceField(forms.ModelChoiceField):
    """A reporting unit picked by its code. A code may name several units through time (since 1 July
    2025 a merged unit reuses a predecessor's code): here it is only checked to be a reporting
    unit's, and ``ReportForm.clean`` takes the unit the code names in the report's period."""

    def to_python(self, value: Any) -> list[OrgUnit] | None:
        if value in self.empty_values:
            return None
        code = str(value).strip()
        units = [u for u in units_by_code([code]).get(code, []) if u.kind in REPORTING_KINDS]
        if not units:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})
        return units

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)


def reporting_units() -> QuerySet[OrgUnit]:
    """The units a report can be made for, one per code: those in force today first (the province
    of today is the first), then those that ended. A code carried by a later unit is offered once,
    as the later unit: the report's period decides which of them the report is about
    (``ReportForm.clean``)."""
    superseded = OrgUnit.objects.filter(
        code=OuterRef("code"), kind__in=REPORTING_KINDS, valid_from__gt=OuterRef("valid_to")
    )
    return (
        OrgUnit.objects.filter(kind__in=REPORTING_KINDS)
        .exclude(Exists(superseded))
        .order_by(F("valid_to").desc(nulls_first=True), "path")
    )


def unit_choice_label(unit: OrgUnit) -> str:
    name = ("— " * unit.depth) + unit.name
    return f"{name} ({unit.validity_text()})" if unit.valid_to is not None else name


class ReportForm(forms.Form):
    """Which unit, which period (a year and a part of it, in words) and which formats.

    ``period`` (a code such as ``2023S1``) is still read from an address, so that a link can name a
    report; the year and the part win when both are sent.
    """

    org_unit = UnitCodeChoiceField(
        label=_("Unit"),
        queryset=OrgUnit.objects.none(),
        to_field_name="code",
        empty_label=None,
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    part = forms.ChoiceField(label=_("Period"), required=False)
    period = forms.CharField(required=False, max_length=16, widget=forms.HiddenInput)
    formats = forms.MultipleChoiceField(
        label=_("Formats"),
        choices=ReportFormat.choices,
        initial=[ReportFormat.DOCX, ReportFormat.PDF],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, years: Sequence[int] = (), chosen: ReportPeriod | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = reporting_units()  # type: ignore[attr-defined]
        # Names rather than codes in the picker; districts indented under their province; a unit
        # that has ended says until when.
        self.fields["org_unit"].label_from_instance = unit_choice_label  # type: ignore[attr-defined]
        today = timezone.localdate().year
        offered = sorted(set(years) | ({chosen.year} if chosen else set()) or {today}, reverse=True)
        self.fields["year"].choices = [(y, str(y)) for y in offered]  # type: ignore[attr-defined]
        self.fields["part"].choices = [  # type: ignore[attr-defined]
            (group.label, group.parts) for group in part_groups(chosen)
        ]
        if chosen is not None and not self.is_bound:
            self.initial.update({"year": chosen.year, "part": chosen.part})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        year, part, code = cleaned.get("year"), cleaned.get("part"), (cleaned.get("period") or "").strip()
        try:
            if year and part:
                cleaned["period"] = ReportPeriod.from_part(year, part)
            elif code:
                cleaned["period"] = ReportPeriod.parse(code)
            else:
                self.add_error("part", _("Choose the year and the period of the report."))
        except PeriodError as exc:
            self.add_error("part", str(exc))
        units, period = cleaned.get("org_unit"), cleaned.get("period")
        if isinstance(units, list):
            if isinstance(period, ReportPeriod):
                try:
                    cleaned["org_unit"] = unit_among(units, units[0].code, on=period.end_date, since=period.start_date)
                except UnitLookupError as exc:
                    self.add_error("org_unit", str(exc))
            else:
                cleaned["org_unit"] = units[-1]
        return cleaned

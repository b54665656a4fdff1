"""The form of the reports page: which unit, which period, which formats."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dieuhanh.analytics.readmodel.periods import ReportPeriod
from dieuhanh.indicators.periods import PeriodError
from dieuhanh.orgunits.models import OrgUnit, OrgUnitKind
from dieuhanh.reports.models import ReportFormat

# Units that issue a socio-economic report: the People's Committees of the province and districts.
REPORTING_KINDS = (OrgUnitKind.PROVINCE, OrgUnitKind.DISTRICT)


class ReportForm(forms.Form):
    org_unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=OrgUnit.objects.filter(kind__in=REPORTING_KINDS).order_by("path"),
        to_field_name="code",
        empty_label=None,
    )
    period = forms.CharField(
        label=_("Period"),
        max_length=16,
        help_text=_("202306 (month), 2023Q2 (quarter), 2023S1 (six months), 202309YTD (nine months), 2023 (year)"),
    )
    formats = forms.MultipleChoiceField(
        label=_("Formats"),
        choices=ReportFormat.choices,
        initial=[ReportFormat.DOCX, ReportFormat.PDF],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Names rather than codes in the picker; districts indented under their province.
        self.fields["org_unit"].label_from_instance = lambda u: ("— " * u.depth) + u.name  # type: ignore[attr-defined]

    def clean_period(self) -> ReportPeriod:
        try:
            return ReportPeriod.parse(self.cleaned_data["period"])
        except PeriodError as exc:
            raise forms.ValidationError(str(exc)) from exc

"""What the catalogue API reads and writes: sectors, indicators and targets (checked by the models' own rules)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dieuhanh.api import CodeRelatedField, ModelRulesSerializer
from dieuhanh.indicators.models import Indicator, Sector, Target
from dieuhanh.indicators.selectors import responsible_agency_at
from dieuhanh.orgunits.api.serializers import UnitCodeField
from dieuhanh.orgunits.selectors import AgencySuccessions, today

UNKNOWN_INDICATOR = {"does_not_exist": _("unknown indicator '{value}'.")}


def years_of(given: Mapping[str, Any]) -> tuple[dt.date, dt.date]:
    """A target's years as days: the first year's 1 January to the last year's 31 December."""
    first = int(given["year_from"])
    last = int(given.get("year_to") or first)
    return dt.date(first, 1, 1), dt.date(last, 12, 31)


def indicator_field(**kwargs: Any) -> CodeRelatedField[Indicator]:
    """An indicator named by its code, refused with "unknown indicator" when there is none."""
    return CodeRelatedField(queryset=Indicator.objects.all(), error_messages=UNKNOWN_INDICATOR, **kwargs)


class SectorSerializer(ModelRulesSerializer[Sector]):
    class Meta:
        model = Sector
        fields = ["code", "name", "name_en", "sort_order"]


class IndicatorSerializer(ModelRulesSerializer[Indicator]):
    """An indicator; the model's rules (ratio operands, min ≤ max) are checked on the would-be result."""

    sector: CodeRelatedField[Sector] = CodeRelatedField(
        queryset=Sector.objects.all(),
        allow_null=True,
        required=False,
        error_messages={"does_not_exist": _("unknown sector '{value}'.")},
    )
    numerator = indicator_field(allow_null=True, required=False)
    denominator = indicator_field(allow_null=True, required=False)
    # An agency is named as it is today (else the last unit with the code, for an agency that has ended).
    responsible_agency = UnitCodeField(allow_null=True, required=False)
    responsible_agency_in_force = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "name_en",
            "short_name",
            "description",
            "unit",
            "unit_en",
            "period_type",
            "aggregation",
            "numerator",
            "denominator",
            "factor",
            "direction",
            "decimals",
            "is_rate",
            "collected_at",
            "min_value",
            "max_value",
            "sector",
            "responsible_agency",
            "responsible_agency_in_force",
            "is_public",
            "legal_source",
            "sort_order",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_responsible_agency_in_force(self, obj: Indicator) -> str | None:
        """The code of the agency answering for the indicator on the date asked (``?on=``, default
        today): ``responsible_agency``, or the agency that took it over since a merger; null
        without one, and past a split until the catalogue names the new one."""
        if obj.responsible_agency is None:
            return None
        successions = self.context.setdefault("agency_successions", AgencySuccessions())
        state = responsible_agency_at(obj, on=self.context.get("on") or today(), successions=successions)
        return state.unit.code if state is not None and state.unit is not None else None


class TargetSerializer(ModelRulesSerializer[Target]):
    indicator = indicator_field()
    # A target is what its unit should reach by the end of its years: its code names the unit valid on
    # the last year's 31 December, else the last that ended within the years, as a question about
    # those years does (the targets' filter, the pages, analytics), so it is found where it is asked for.
    org_unit = UnitCodeField(period_of=years_of)

    class Meta:
        model = Target
        fields = ["id", "indicator", "org_unit", "year_from", "year_to", "value", "note", "source"]

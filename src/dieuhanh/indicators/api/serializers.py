"""What the catalogue API reads and writes: sectors, indicators and targets (checked by the models' own rules)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from dieuhanh.api import CodeRelatedField, ModelRulesSerializer
from dieuhanh.indicators.models import Indicator, Sector, Target
from dieuhanh.orgunits.api.serializers import UnitCodeField

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
            "is_public",
            "legal_source",
            "sort_order",
        ]


class TargetSerializer(ModelRulesSerializer[Target]):
    indicator = indicator_field()
    # A target is what its unit should reach by the end of its years: its code names the unit valid on
    # the last year's 31 December, else the last that ended within the years, as a question about
    # those years does (the targets' filter, the pages, analytics), so it is found where it is asked for.
    org_unit = UnitCodeField(period_of=years_of)

    class Meta:
        model = Target
        fields = ["id", "indicator", "org_unit", "year_from", "year_to", "value", "note", "source"]

"""What the catalogue API reads and writes: sectors, indicators and targets (checked by the models' own rules)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from dieuhanh.api import CodeRelatedField, ModelRulesSerializer
from dieuhanh.indicators.models import Indicator, Sector, Target
from dieuhanh.orgunits.api.serializers import unit_field

UNKNOWN_INDICATOR = {"does_not_exist": _("unknown indicator '{value}'.")}


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
    responsible_agency = unit_field(allow_null=True, required=False)

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
    org_unit = unit_field()

    class Meta:
        model = Target
        fields = ["id", "indicator", "org_unit", "year_from", "year_to", "value", "note", "source"]

"""What the catalogue API reads and writes: sectors, indicators (checked by the model's own rules), targets."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from dieuhanh.indicators.models import Indicator, Sector, Target
from dieuhanh.orgunits.api.serializers import UnitCodeField


def years_of(given: Mapping[str, Any]) -> tuple[dt.date, dt.date]:
    first = int(given["year_from"])
    last = int(given.get("year_to") or first)
    return dt.date(first, 1, 1), dt.date(last, 12, 31)


class SectorSerializer(serializers.ModelSerializer[Sector]):
    class Meta:
        model = Sector
        fields = ["code", "name", "name_en", "sort_order"]


class IndicatorSerializer(serializers.ModelSerializer[Indicator]):
    sector = serializers.SlugRelatedField(
        slug_field="code", queryset=Sector.objects.all(), allow_null=True, required=False
    )
    numerator = serializers.SlugRelatedField(
        slug_field="code", queryset=Indicator.objects.all(), allow_null=True, required=False
    )
    denominator = serializers.SlugRelatedField(
        slug_field="code", queryset=Indicator.objects.all(), allow_null=True, required=False
    )
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

    def validate(self, attrs: dict[str, object]) -> dict[str, object]:
        # Run the model's own rules (ratio operands, min ≤ max) on the would-be result.
        instance = copy.copy(self.instance) if self.instance is not None else Indicator()
        for name, value in attrs.items():
            setattr(instance, name, value)
        instance.clean()
        return attrs


class TargetSerializer(serializers.ModelSerializer[Target]):
    indicator = serializers.SlugRelatedField(slug_field="code", queryset=Indicator.objects.all())
    # A target is a record about its years: its unit is the one the code names then, as in an import.
    org_unit = UnitCodeField(period_of=years_of, row=True)

    class Meta:
        model = Target
        fields = ["id", "indicator", "org_unit", "year_from", "year_to", "value", "note", "source"]

"""REST API of the catalogue: sectors, indicators, targets. Anonymous users see public indicators only."""

from __future__ import annotations

import copy

import django_filters
from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from dieuhanh.api import ProtectedDeleteMixin
from dieuhanh.indicators.models import Indicator, Sector, Target
from dieuhanh.indicators.selectors import visible_to
from dieuhanh.orgunits.models import OrgUnit


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
    responsible_agency = serializers.SlugRelatedField(
        slug_field="code", queryset=OrgUnit.objects.all(), allow_null=True, required=False
    )

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
    org_unit = serializers.SlugRelatedField(slug_field="code", queryset=OrgUnit.objects.all())

    class Meta:
        model = Target
        fields = ["id", "indicator", "org_unit", "year_from", "year_to", "value", "note", "source"]


def _public_unless_signed_in(request: object, queryset: QuerySet[Indicator]) -> QuerySet[Indicator]:
    return visible_to(queryset, user=getattr(request, "user", None))


class SectorViewSet(ProtectedDeleteMixin, viewsets.ModelViewSet[Sector]):
    queryset = Sector.objects.all()
    serializer_class = SectorSerializer
    lookup_field = "code"


class IndicatorFilter(django_filters.FilterSet):
    sector = django_filters.CharFilter(field_name="sector__code")

    class Meta:
        model = Indicator
        fields = ["sector", "period_type", "aggregation", "is_public"]


class IndicatorViewSet(ProtectedDeleteMixin, viewsets.ModelViewSet[Indicator]):
    """The indicator catalogue; look one up by its code."""

    serializer_class = IndicatorSerializer
    lookup_field = "code"
    filterset_class = IndicatorFilter

    def get_queryset(self) -> QuerySet[Indicator]:
        qs = Indicator.objects.select_related("sector", "numerator", "denominator", "responsible_agency")
        return _public_unless_signed_in(self.request, qs)


class TargetFilter(django_filters.FilterSet):
    indicator = django_filters.CharFilter(field_name="indicator__code")
    org_unit = django_filters.CharFilter(field_name="org_unit__code")
    year = django_filters.NumberFilter(method="filter_year", label="Year covered")

    class Meta:
        model = Target
        fields = ["indicator", "org_unit", "year"]

    def filter_year(self, queryset: QuerySet[Target], name: str, value: int) -> QuerySet[Target]:
        return queryset.filter(year_from__lte=value, year_to__gte=value)


class TargetViewSet(viewsets.ModelViewSet[Target]):
    """Planned values per indicator, unit and year (or plan period)."""

    serializer_class = TargetSerializer
    filterset_class = TargetFilter

    def get_queryset(self) -> QuerySet[Target]:
        qs = Target.objects.select_related("indicator", "org_unit")
        return visible_to(qs, user=getattr(self.request, "user", None), through="indicator")

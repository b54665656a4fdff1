"""The catalogue API's views: sectors and indicators by code, targets by id; anonymous users see public
indicators only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError

from dieuhanh.api import ProtectedDeleteMixin
from dieuhanh.indicators.api.serializers import IndicatorSerializer, SectorSerializer, TargetSerializer
from dieuhanh.indicators.models import Indicator, Sector, Target
from dieuhanh.indicators.selectors import visible_to
from dieuhanh.orgunits.api.views import CatalogueHistoryMixin
from dieuhanh.orgunits.selectors import UnitLookupError, today, unit_at


def _public_unless_signed_in(request: object, queryset: QuerySet[Indicator]) -> QuerySet[Indicator]:
    return visible_to(queryset, user=getattr(request, "user", None))


class SectorViewSet(CatalogueHistoryMixin, ProtectedDeleteMixin, viewsets.ModelViewSet[Sector]):
    queryset = Sector.objects.all()
    serializer_class = SectorSerializer
    lookup_field = "code"


class IndicatorFilter(django_filters.FilterSet):
    sector = django_filters.CharFilter(field_name="sector__code")

    class Meta:
        model = Indicator
        fields = ["sector", "period_type", "aggregation", "is_public"]


class IndicatorViewSet(CatalogueHistoryMixin, ProtectedDeleteMixin, viewsets.ModelViewSet[Indicator]):
    """The indicator catalogue; look one up by its code."""

    serializer_class = IndicatorSerializer
    lookup_field = "code"
    filterset_class = IndicatorFilter

    def get_queryset(self) -> QuerySet[Indicator]:
        qs = Indicator.objects.select_related("sector", "numerator", "denominator", "responsible_agency")
        return _public_unless_signed_in(self.request, qs)

    def get_serializer_context(self) -> dict[str, Any]:
        # ?on=2025-04-10: the date ``responsible_agency_in_force`` is answered at (default today).
        context = super().get_serializer_context()
        raw = self.request.query_params.get("on") if self.request is not None else None
        if raw:
            try:
                context["on"] = dt.date.fromisoformat(raw)
            except ValueError as exc:
                raise ValidationError(
                    {"on": _("'%(value)s' is not a date in the form 2023-07-20.") % {"value": raw}}
                ) from exc
        return context


class TargetFilter(django_filters.FilterSet):
    indicator = django_filters.CharFilter(field_name="indicator__code")
    org_unit = django_filters.CharFilter(
        method="filter_org_unit", label="Unit code, on the last day of `year` (default today)"
    )
    year = django_filters.NumberFilter(method="filter_year", label="Year covered")

    class Meta:
        model = Target
        fields = ["indicator", "org_unit", "year"]

    def filter_org_unit(self, queryset: QuerySet[Target], name: str, value: str) -> QuerySet[Target]:
        year = str(self.data.get("year") or "")
        on = dt.date(int(year), 12, 31) if year.isdigit() and 1900 <= int(year) <= 2200 else today()
        since = dt.date(on.year, 1, 1) if year else None
        try:
            return queryset.filter(org_unit=unit_at(value.strip(), on=on, since=since))
        except UnitLookupError as exc:
            raise ValidationError({"org_unit": str(exc)}) from exc

    def filter_year(self, queryset: QuerySet[Target], name: str, value: int) -> QuerySet[Target]:
        return queryset.filter(year_from__lte=value, year_to__gte=value)


class TargetViewSet(CatalogueHistoryMixin, viewsets.ModelViewSet[Target]):
    """Planned values per indicator, unit and year (or plan period)."""

    serializer_class = TargetSerializer
    filterset_class = TargetFilter

    def get_queryset(self) -> QuerySet[Target]:
        qs = Target.objects.select_related("indicator", "org_unit")
        return visible_to(qs, user=getattr(self.request, "user", None), through="indicator")

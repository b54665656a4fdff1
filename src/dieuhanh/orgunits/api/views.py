"""The org units API's views: look a unit up by its code, filter by parent, kind and date."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import QuerySet
from rest_framework import viewsets

from dieuhanh.api import ProtectedDeleteMixin
from dieuhanh.orgunits.api.serializers import OrgUnitSerializer
from dieuhanh.orgunits.choices import OrgUnitKind
from dieuhanh.orgunits.models import OrgUnit


class OrgUnitFilter(django_filters.FilterSet):
    parent = django_filters.CharFilter(field_name="parent__code")
    kind = django_filters.ChoiceFilter(choices=OrgUnitKind.choices)
    valid_on = django_filters.DateFilter(method="filter_valid_on", label="Valid on (YYYY-MM-DD)")

    class Meta:
        model = OrgUnit
        fields = ["parent", "kind", "valid_on"]

    def filter_valid_on(self, queryset: QuerySet[OrgUnit], name: str, value: dt.date) -> QuerySet[OrgUnit]:
        return OrgUnit.objects.filter(pk__in=queryset.values("pk")).valid_between(value, value)


class OrgUnitViewSet(ProtectedDeleteMixin, viewsets.ModelViewSet[OrgUnit]):
    """Administrative units and agencies; look one up by its code."""

    queryset = OrgUnit.objects.select_related("parent").order_by("path")
    serializer_class = OrgUnitSerializer
    lookup_field = "code"
    filterset_class = OrgUnitFilter

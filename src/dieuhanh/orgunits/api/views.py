"""The org units API's views: look a unit or a group up by its code, filter units by parent, kind and date,
successions by unit."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import QuerySet
from rest_framework import viewsets

from dieuhanh.api import ProtectedDeleteMixin
from dieuhanh.orgunits.api.serializers import OrgUnitGroupSerializer, OrgUnitSerializer, SuccessionSerializer
from dieuhanh.orgunits.choices import OrgUnitKind
from dieuhanh.orgunits.models import OrgUnit, OrgUnitGroup, Succession


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


class OrgUnitGroupViewSet(ProtectedDeleteMixin, viewsets.ModelViewSet[OrgUnitGroup]):
    """Named sets of units across the tree; look one up by its code. Writing ``members`` sets them."""

    queryset = OrgUnitGroup.objects.prefetch_related("members").order_by("code")
    serializer_class = OrgUnitGroupSerializer
    lookup_field = "code"


class SuccessionFilter(django_filters.FilterSet):
    predecessor = django_filters.CharFilter(field_name="predecessor__code")
    successor = django_filters.CharFilter(field_name="successor__code")

    class Meta:
        model = Succession
        fields = ["predecessor", "successor"]


class SuccessionViewSet(ProtectedDeleteMixin, viewsets.ModelViewSet[Succession]):
    """Which unit continues in which after a re-organisation, and what share of it."""

    queryset = Succession.objects.select_related("predecessor", "successor").order_by(
        "predecessor__code", "successor__code"
    )
    serializer_class = SuccessionSerializer
    filterset_class = SuccessionFilter

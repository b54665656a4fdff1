"""The org units API's views: look a unit up by its code on a date, a group by its code; filter units by
parent, kind and date, successions by unit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError

from dieuhanh.api import ProtectedDeleteMixin
from dieuhanh.orgunits.api.serializers import OrgUnitGroupSerializer, OrgUnitSerializer, SuccessionSerializer
from dieuhanh.orgunits.choices import OrgUnitKind
from dieuhanh.orgunits.models import OrgUnit, OrgUnitGroup, Succession
from dieuhanh.orgunits.selectors import UnitLookupError, today, unit_at

ON = OpenApiParameter(
    "on",
    OpenApiTypes.DATE,
    description="The day the units are asked about (YYYY-MM-DD, default today): a code names a unit only "
    "with a date, since a merged unit may reuse a predecessor's code. The list holds the units valid "
    "that day; a unit by code is the one its code names that day. Add `all=true` to the list for "
    "every unit of every time.",
)


def _on(request: Any) -> dt.date:
    text = request.query_params.get("on") if request is not None else None
    if not text:
        return today()
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError as exc:
        raise ValidationError({"on": _("Write the date as YYYY-MM-DD, e.g. 2025-07-01.")}) from exc


class OrgUnitFilter(django_filters.FilterSet):
    parent = django_filters.CharFilter(method="filter_parent", label="Parent unit code (on the day asked)")
    kind = django_filters.ChoiceFilter(choices=OrgUnitKind.choices)
    valid_on = django_filters.DateFilter(method="filter_valid_on", label="Valid on (YYYY-MM-DD)")

    class Meta:
        model = OrgUnit
        fields = ["parent", "kind", "valid_on"]

    def filter_parent(self, queryset: QuerySet[OrgUnit], name: str, value: str) -> QuerySet[OrgUnit]:
        try:
            parent = unit_at(value.strip(), on=_on(self.request))
        except UnitLookupError as exc:
            raise ValidationError({"parent": str(exc)}) from exc
        return queryset.filter(parent=parent)

    def filter_valid_on(self, queryset: QuerySet[OrgUnit], name: str, value: dt.date) -> QuerySet[OrgUnit]:
        return OrgUnit.objects.filter(pk__in=queryset.values("pk")).valid_between(value, value)


@extend_schema_view(
    list=extend_schema(
        parameters=[ON, OpenApiParameter("all", OpenApiTypes.BOOL, description="Units of every time, not one day.")]
    ),
    retrieve=extend_schema(parameters=[ON]),
    update=extend_schema(parameters=[ON]),
    partial_update=extend_schema(parameters=[ON]),
    destroy=extend_schema(parameters=[ON]),
)
class OrgUnitViewSet(ProtectedDeleteMixin, viewsets.ModelViewSet[OrgUnit]):
    """Administrative units and agencies; look one up by its code, on a day (`on`, default today).

    Units that share a code at different times are told apart by `id` and their validity
    (`valid_from`, `valid_to`)."""

    queryset = OrgUnit.objects.select_related("parent").order_by("path")
    serializer_class = OrgUnitSerializer
    lookup_field = "code"
    filterset_class = OrgUnitFilter

    def get_queryset(self) -> QuerySet[OrgUnit]:
        qs = OrgUnit.objects.select_related("parent").order_by("path")
        if self.action == "list" and str(self.request.query_params.get("all", "")).lower() not in ("1", "true"):
            qs = qs.valid_on(_on(self.request))
        return qs

    def get_object(self) -> OrgUnit:
        code = str(self.kwargs[self.lookup_field])
        try:
            unit = unit_at(code, on=_on(self.request))
        except UnitLookupError as exc:
            raise Http404(str(exc)) from exc
        self.check_object_permissions(self.request, unit)
        return unit


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

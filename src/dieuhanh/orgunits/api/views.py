"""The org units API's views: look a unit up by its code on a date, a group by its code; filter units by
parent, kind and date, successions by unit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.serializers import BaseSerializer

from dieuhanh.api import ProtectedDeleteMixin
from dieuhanh.orgunits.api.serializers import (
    CatalogueChangeSerializer,
    OrgUnitGroupSerializer,
    OrgUnitSerializer,
    SuccessionSerializer,
)
from dieuhanh.orgunits.choices import ChangeAction, ChangeWay, OrgUnitKind
from dieuhanh.orgunits.history import catalogue_change_note, catalogue_recording, catalogue_snapshot
from dieuhanh.orgunits.models import CatalogueChange, OrgUnit, OrgUnitGroup, Succession
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


class CatalogueHistoryMixin:
    """A catalogue viewset whose creates, changes and deletions are kept in the catalogue's history
    (``orgunits.history``), as made through the API by the request's user."""

    request: Any

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        with transaction.atomic(), catalogue_recording(way=ChangeWay.API, user=self.request.user):
            instance = serializer.save()
            catalogue_change_note(instance, before=None, after=catalogue_snapshot(instance))

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        with transaction.atomic(), catalogue_recording(way=ChangeWay.API, user=self.request.user):
            before = catalogue_snapshot(serializer.instance) if serializer.instance is not None else None
            instance = serializer.save()
            catalogue_change_note(instance, before=before, after=catalogue_snapshot(instance))

    def perform_destroy(self, instance: Any) -> None:
        with transaction.atomic(), catalogue_recording(way=ChangeWay.API, user=self.request.user):
            before, pk = catalogue_snapshot(instance), instance.pk
            super().perform_destroy(instance)  # type: ignore[misc]
            instance.pk = pk  # as it was, for the history (Django clears it)
            catalogue_change_note(instance, before=before, after=None)


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
class OrgUnitViewSet(CatalogueHistoryMixin, ProtectedDeleteMixin, viewsets.ModelViewSet[OrgUnit]):
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


class OrgUnitGroupViewSet(CatalogueHistoryMixin, ProtectedDeleteMixin, viewsets.ModelViewSet[OrgUnitGroup]):
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


class SuccessionViewSet(CatalogueHistoryMixin, ProtectedDeleteMixin, viewsets.ModelViewSet[Succession]):
    """Which unit continues in which after a re-organisation, and what share of it."""

    queryset = Succession.objects.select_related("predecessor", "successor").order_by(
        "predecessor__code", "successor__code"
    )
    serializer_class = SuccessionSerializer
    filterset_class = SuccessionFilter


class CatalogueChangeFilter(django_filters.FilterSet):
    model = django_filters.CharFilter(
        method="filter_model", label="Record type: indicator, target, sector, orgunit, orgunitgroup, succession"
    )
    code = django_filters.CharFilter(field_name="code", label="Code of the record (a target's: its indicator's)")
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label="On or after (YYYY-MM-DD)")
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label="On or before (YYYY-MM-DD)")
    way = django_filters.ChoiceFilter(choices=ChangeWay.choices)
    action = django_filters.ChoiceFilter(choices=ChangeAction.choices)

    class Meta:
        model = CatalogueChange
        fields = ["model", "code", "since", "until", "way", "action"]

    def filter_model(self, queryset: QuerySet[CatalogueChange], name: str, value: str) -> QuerySet[CatalogueChange]:
        value = value.strip().lower()
        return queryset.filter(model=value) if "." in value else queryset.filter(model__endswith=f".{value}")


HISTORY_READERS = "dieuhanh.accounts.permissions.ReadsEverything"


class CatalogueChangeViewSet(viewsets.ReadOnlyModelViewSet[CatalogueChange]):
    """The catalogue's history, latest first: who created, changed or deleted which sector, indicator,
    target, unit, group or succession, when, through which way, and each field's old and new value.
    For the province's leaders, operators and administrators."""

    queryset = CatalogueChange.objects.select_related("user").order_by("-at", "-id")
    serializer_class = CatalogueChangeSerializer
    filterset_class = CatalogueChangeFilter

    def get_permissions(self) -> list[Any]:
        # Who reads the whole catalogue's history is the accounts app's rule; that app sits above
        # this one (a scope is made of units), so the rule is named here, as settings name one.
        return [permissions.IsAuthenticated(), import_string(HISTORY_READERS)()]

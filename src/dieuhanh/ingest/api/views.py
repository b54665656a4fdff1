"""The figures API's views: data values written through the ingest services, file imports and their
error reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from dieuhanh.accounts.selectors import scope_of, signed_in
from dieuhanh.api import ExactJSONParser
from dieuhanh.figures.choices import DataValueStatus, ImportFormat
from dieuhanh.figures.models import DataValue, ImportBatch
from dieuhanh.figures.services import FigureConflictError, FigureLockedError
from dieuhanh.indicators.periods import Period, PeriodError
from dieuhanh.ingest.api.serializers import IMPORT_UPLOAD, DataValueSerializer, ImportBatchSerializer
from dieuhanh.ingest.api.uploads import import_answer, import_options, import_upload
from dieuhanh.ingest.selectors import import_batch_may_view_all
from dieuhanh.ingest.services import (
    ApprovalRefusedError,
    DataValueError,
    ImportBusyError,
    OutOfScopeError,
    data_value_delete,
    data_value_set,
    import_file,
    issues_as_csv,
)
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import UnitLookupError, today, units_at


class DataValueFilter(django_filters.FilterSet):
    indicator = django_filters.CharFilter(method="filter_codes", label="Indicator code(s), comma-separated")
    org_unit = django_filters.CharFilter(method="filter_codes", label="Org unit code(s), comma-separated")
    period = django_filters.CharFilter(method="filter_period", label="Period: values inside it (2023, 2023Q2, 202306)")
    start_date = django_filters.DateFilter(field_name="period_start", lookup_expr="gte")
    end_date = django_filters.DateFilter(field_name="period_start", lookup_expr="lte")
    status = django_filters.ChoiceFilter(choices=DataValueStatus.choices)
    children_of = django_filters.CharFilter(method="filter_children_of", label="Values of the children of this unit")

    class Meta:
        model = DataValue
        fields = ["indicator", "org_unit", "period", "start_date", "end_date", "status", "children_of"]

    def filter_codes(self, queryset: QuerySet[DataValue], name: str, value: str) -> QuerySet[DataValue]:
        codes = [c.strip() for c in value.split(",") if c.strip()]
        if name == "org_unit":
            return queryset.filter(org_unit__in=self._units(name, codes).values())
        return queryset.filter(**{f"{name}__code__in": codes})

    def filter_children_of(self, queryset: QuerySet[DataValue], name: str, value: str) -> QuerySet[DataValue]:
        return queryset.filter(org_unit__parent=self._units(name, [value.strip()])[value.strip()])

    def _units(self, name: str, codes: list[str]) -> dict[str, OrgUnit]:
        """A question's units: each code names the unit valid on the last day asked about (the
        period's, else ``end_date``, else today), or one that ended within the period."""
        data = self.data
        since: dt.date | None = None
        on = today()
        try:
            if data.get("period"):
                period = Period.parse(str(data["period"]))
                since, on = period.start_date, period.end_date
            elif data.get("end_date"):
                on = dt.date.fromisoformat(str(data["end_date"]))
        except (PeriodError, ValueError):
            pass  # the period's own filter says what is wrong with it
        try:
            return units_at(codes, on=on, since=since)
        except UnitLookupError as exc:
            raise ValidationError({name: str(exc)}) from exc

    def filter_period(self, queryset: QuerySet[DataValue], name: str, value: str) -> QuerySet[DataValue]:
        try:
            period = Period.parse(value)
        except PeriodError as exc:
            raise ValidationError({"period": str(exc)}) from exc
        return queryset.filter(period_start__gte=period.start_date, period_start__lte=period.end_date)


class FigureConflict(APIException):
    """409: two requests created the same figure at once (the other one's was kept), or the figure
    belongs to an approved report and is locked."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class DataValueViewSet(viewsets.ModelViewSet[DataValue]):
    """Stored figures. Writes go through the same checks and audit trail as imports."""

    serializer_class = DataValueSerializer
    filterset_class = DataValueFilter
    # Figures in with every digit (a float keeps about 16); out, as every answer of the API.
    parser_classes = [ExactJSONParser, FormParser, MultiPartParser]

    def get_queryset(self) -> QuerySet[DataValue]:
        qs = DataValue.objects.select_related("indicator", "org_unit", "updated_by").order_by(
            "indicator__code", "org_unit__code", "period_start"
        )
        return scope_of(getattr(self.request, "user", None)).figures(qs)

    def perform_create(self, serializer: serializers.BaseSerializer[DataValue]) -> None:
        serializer.instance = self._set(serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer[DataValue]) -> None:
        current = self.get_object()
        data = {
            "indicator": current.indicator,
            "org_unit": current.org_unit,
            "period": current.period,
            "comment": current.comment,
            # No status given: the data sets decide it again (docs/calendar.md).
            "status": None,
            "value": current.value,
            **serializer.validated_data,
        }
        if (data["indicator"], data["org_unit"], data["period"]) != (
            current.indicator,
            current.org_unit,
            current.period,
        ):
            raise ValidationError(
                {"detail": _("Indicator, unit and period of a value cannot change; create a new value.")}
            )
        serializer.instance = self._set(data)

    def _set(self, data: dict[str, Any]) -> DataValue:
        try:
            return data_value_set(
                indicator=data["indicator"],
                org_unit=data["org_unit"],
                period=data["period"],
                value=data["value"],
                comment=data.get("comment") or "",
                status=data.get("status") or None,
                user=self.request.user,
            )
        except OutOfScopeError as exc:
            raise PermissionDenied(exc.issues[0].message) from exc
        except ApprovalRefusedError as exc:
            raise PermissionDenied(str(exc)) from exc
        except FigureLockedError as exc:
            raise FigureConflict(str(exc)) from exc
        except DataValueError as exc:
            raise ValidationError({"detail": [i.message for i in exc.issues]}) from exc
        except FigureConflictError as exc:
            raise FigureConflict(str(exc)) from exc

    def perform_destroy(self, instance: DataValue) -> None:
        try:
            data_value_delete(data_value=instance, user=self.request.user)
        except OutOfScopeError as exc:
            raise PermissionDenied(exc.issues[0].message) from exc
        except FigureLockedError as exc:
            raise FigureConflict(str(exc)) from exc


class ImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[ImportBatch]):
    """Upload a file of figures (POST, multipart ``file``); list past imports; fetch an error report."""

    serializer_class = ImportBatchSerializer
    parser_classes = [MultiPartParser, FormParser]
    write_permission = "figures.add_importbatch"

    def get_queryset(self) -> QuerySet[ImportBatch]:
        user = self.request.user
        qs = ImportBatch.objects.select_related("created_by")
        if not signed_in(user):
            return qs.none()
        return qs if import_batch_may_view_all(user=user) else qs.filter(created_by_id=user.pk)

    @extend_schema(
        request=IMPORT_UPLOAD,
        # A refused file is a batch with its messages; a request without a file, only the messages.
        responses={201: ImportBatchSerializer, 200: ImportBatchSerializer, 400: OpenApiTypes.OBJECT},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        upload = import_upload(request)
        dry_run, file_format = import_options(request, formats=ImportFormat.values)
        try:
            result = import_file(
                content=upload.file,  # read as needed: a large upload is a temporary file on disk
                filename=upload.name or "upload",
                user=request.user,
                dry_run=dry_run,
                channel="api",
                file_format=file_format,
            )
        except ImportBusyError as exc:
            return Response(
                {"detail": str(exc)}, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "60"}
            )
        return import_answer(ImportBatchSerializer(result.batch).data, issues=result.issues, dry_run=dry_run)

    @extend_schema(
        responses={(200, "text/csv"): bytes}, parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)]
    )
    @action(detail=True, methods=["get"], url_path="errors")
    def errors_csv(self, request: Request, pk: str | None = None) -> HttpResponse:
        batch = self.get_object()
        response = HttpResponse(issues_as_csv(batch.errors), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="loi-nhap-lieu-{batch.pk}.csv"'
        return response

"""The reporting calendar's API views: data sets (read by signed-in users, written with the model
permissions) and the obligations of a period or a unit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission, DjangoModelPermissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dieuhanh.accounts.selectors import scope_of, signed_in
from dieuhanh.indicators.periods import Period, PeriodError
from dieuhanh.orgunits.selectors import UnitLookupError, today, unit_at
from dieuhanh.reporting.api.serializers import (
    DataSetReportSerializer,
    DataSetSerializer,
    ObligationSerializer,
    ReportDecisionSerializer,
)
from dieuhanh.reporting.models import DataSet, DataSetReport
from dieuhanh.reporting.selectors import Obligation, data_sets, obligations, obligations_readable
from dieuhanh.reporting.services import DataSetInUseError, data_set_delete, data_set_save
from dieuhanh.reporting.workflow import (
    ReportError,
    ReportForbiddenError,
    entry_rows,
    report_approve,
    report_reopen,
    report_return,
    report_save,
)


class SignedInReadWriteWithModelPermission(BasePermission):
    """Reads need a signed-in user (obligations are internal); writes, the model permission."""

    message = gettext_lazy("Sign in to see the reporting calendar; changing it needs the matching permission.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if not signed_in(request.user):
            return False
        if request.method in SAFE_METHODS:
            return True
        return DjangoModelPermissions().has_permission(request, view)


class DataSetInUse(APIException):
    """409: the data set has reports entered through it."""

    status_code = 409
    default_code = "in_use"


class DataSetViewSet(viewsets.ModelViewSet[DataSet]):
    """Data sets: the indicators a kind of unit reports, how often and by when; look one up by its code."""

    serializer_class = DataSetSerializer
    permission_classes = [SignedInReadWriteWithModelPermission]
    lookup_field = "code"
    filterset_fields = ["period_type", "org_unit_kind"]

    def get_queryset(self) -> QuerySet[DataSet]:
        return data_sets()

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = data_set_save(data_set=None, data=serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = data_set_save(data_set=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance: DataSet) -> None:
        try:
            data_set_delete(data_set=instance)
        except DataSetInUseError as exc:
            raise DataSetInUse(str(exc)) from exc


def _day(raw: str | None) -> dt.date:
    if not raw:
        return today()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({"on": _("'%(value)s' is not a date in the form 2023-07-20.") % {"value": raw}}) from exc


class SignedIn(BasePermission):
    """A signed-in user (the obligations are internal and read-only)."""

    message = gettext_lazy("Sign in to see the reporting calendar; changing it needs the matching permission.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return signed_in(request.user)


class ObligationsView(APIView):
    """Every obligation of one period (each data set of that period type), or of one unit: of the
    units the user reads (leaders and operators: every unit)."""

    permission_classes = [SignedIn]
    # The obligations are computed, not a model: a read-only view.
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, description="A period: 202610, 2026Q3, 2026S1 or 2026."),
            OpenApiParameter("data_set", OpenApiTypes.STR, description="A data set's code (default: all)."),
            OpenApiParameter("org_unit", OpenApiTypes.STR, description="A unit's code, on the period's last day."),
            OpenApiParameter("on", OpenApiTypes.DATE, description="The day the states are as at (default today)."),
        ],
        responses=ObligationSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        on = _day(request.query_params.get("on"))
        raw = request.query_params.get("period") or ""
        try:
            period = Period.parse(raw)
        except PeriodError as exc:
            raise ValidationError({"period": str(exc)}) from exc
        sets = data_sets()
        code = request.query_params.get("data_set")
        if code:
            sets = sets.filter(code=code)
            if not sets:
                raise NotFound(_("No data set %(code)s.") % {"code": code})
        unit_ids = None
        unit_code = request.query_params.get("org_unit")
        if unit_code:
            try:
                unit_ids = [unit_at(unit_code, on=period.end_date, since=period.start_date).pk]
            except UnitLookupError as exc:
                raise ValidationError({"org_unit": str(exc)}) from exc
        items: list[Obligation] = []
        for data_set in sets:
            if data_set.period_type_enum.months > period.type.months:
                continue
            subs = period.sub_periods(data_set.period_type_enum)
            items.extend(obligations(data_set=data_set, periods=subs, on=on, unit_ids=unit_ids))
        # Leaders and operators see every unit's reports; anyone else those of their scope.
        return Response(ObligationSerializer(obligations_readable(items, user=request.user), many=True).data)


class DataSetReportViewSet(viewsets.ReadOnlyModelViewSet[DataSetReport]):
    """Reports of data entry with approval, of the units the user reads; each one's steps. Actions:
    ``submit`` (the reporter: the figures stored), ``approve`` and ``return`` (the level above;
    a return needs ``comment``), ``reopen`` (operators; ``comment`` is the reason)."""

    serializer_class = DataSetReportSerializer
    permission_classes = [SignedIn]
    filterset_fields = ["status", "period"]

    def get_queryset(self) -> QuerySet[DataSetReport]:
        qs = DataSetReport.objects.select_related(
            "data_set", "org_unit", "submitted_by", "decided_by"
        ).prefetch_related("steps__user")
        return scope_of(self.request.user).units(qs, through="org_unit").order_by("-updated_at", "-id")

    def _step(self, request: Request, take: Callable[[DataSetReport, str], DataSetReport]) -> Response:
        report = self.get_object()
        decision = ReportDecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        try:
            done = take(report, decision.validated_data.get("comment") or "")
        except ReportForbiddenError as exc:
            raise PermissionDenied(str(exc)) from exc
        except ReportError as exc:
            raise ValidationError({name or "detail": [problem] for name, problem in exc.problems.items()}) from exc
        return Response(DataSetReportSerializer(self.get_queryset().get(pk=done.pk)).data)

    @extend_schema(request=ReportDecisionSerializer, responses={200: DataSetReportSerializer, 400: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        user = request.user

        def take(report: DataSetReport, _comment: str) -> DataSetReport:
            period = report.period_obj
            rows = entry_rows(data_set=report.data_set, org_unit=report.org_unit, period=period)
            values = {f.name: f.text for row in rows for f in row.fields}
            return report_save(
                data_set=report.data_set, org_unit=report.org_unit, period=period, values=values, user=user, submit=True
            )

        return self._step(request, take)

    @extend_schema(request=ReportDecisionSerializer, responses={200: DataSetReportSerializer, 400: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        return self._step(
            request, lambda report, comment: report_approve(report=report, user=request.user, comment=comment)
        )

    @extend_schema(request=ReportDecisionSerializer, responses={200: DataSetReportSerializer, 400: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        return self._step(
            request, lambda report, comment: report_return(report=report, user=request.user, comment=comment)
        )

    @extend_schema(request=ReportDecisionSerializer, responses={200: DataSetReportSerializer, 400: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        return self._step(
            request, lambda report, comment: report_reopen(report=report, user=request.user, reason=comment)
        )

"""The public-investment API's views, under /api/v1/projects: the register of projects and its
plans, transfers, disbursement, site clearance and obstacles, and what is read from it (progress,
the investors' ranking, the map, transfer proposals). Public investment is public: anyone reads the
projects and their figures; the obstacles are internal (signed-in users, as on the pages), and an
obstacle's follow-up directive only whoever the directives' rules let read it. Writes need a
signed-in user with the model's permission (the operator's role), and go through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dieuhanh.accounts.permissions import ReadAnyoneWriteWithPermission, SignedInReadWriteWithPermission
from dieuhanh.directives.models import Directive
from dieuhanh.directives.selectors import directives_visible, statuses_at
from dieuhanh.projects.api.serializers import (
    AllocationReadSerializer,
    AllocationSerializer,
    DisbursementSerializer,
    InvestorRowSerializer,
    MilestoneSerializer,
    ObstacleSerializer,
    ProjectProgressSerializer,
    ProjectSerializer,
    ProposalSerializer,
    ResolveSerializer,
    RowsSerializer,
    SiteClearanceSerializer,
    TransferSerializer,
    WriteCountsSerializer,
    refused,
)
from dieuhanh.projects.models import (
    CapitalAllocation,
    CapitalTransfer,
    Disbursement,
    DisbursementMilestone,
    Obstacle,
    Project,
    SiteClearance,
)
from dieuhanh.projects.selectors import (
    investor_ranking,
    investors_below,
    progress_of,
    project_detail,
    projects_geojson_utf8,
    transfer_proposals,
)
from dieuhanh.projects.services import (
    CLEARANCE_VALUES,
    DisbursementRow,
    SiteClearanceRow,
    allocation_add,
    allocation_delete,
    decision_save,
    disbursements_write,
    milestone_delete,
    milestone_save,
    obstacle_create,
    obstacle_delete,
    obstacle_resolve,
    project_delete,
    project_save,
    site_clearance_write,
    transfer_delete,
    transfer_make,
)

YEAR = OpenApiParameter("year", OpenApiTypes.INT, description="The plan's year (default: the year of `on`).")
ON = OpenApiParameter("on", OpenApiTypes.DATE, description="As at this day (default: today).")


def _on(request: Request) -> dt.date:
    value = request.query_params.get("on")
    if not value:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ValidationError({"on": _("Write the date as 2024-06-30.")}) from exc


def _year(request: Request, on: dt.date) -> int:
    value = request.query_params.get("year")
    if not value:
        return on.year
    try:
        year = int(str(value))
    except ValueError as exc:
        raise ValidationError({"year": _("Write the year as 2024.")}) from exc
    if not 1990 <= year <= 2100:
        raise ValidationError({"year": _("Write the year as 2024.")})
    return year


class ProjectViewSet(viewsets.ModelViewSet[Project]):
    """Projects of the register, each with its progress of `year` as at `on`. Created and changed
    through the services (``project_save``): `locations` are commune codes, `decisions` are
    recorded (or updated) by kind and number."""

    serializer_class = ProjectSerializer
    permission_classes = [ReadAnyoneWriteWithPermission]
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self) -> QuerySet[Project]:
        qs = Project.objects.select_related("investor", "managing_agency").prefetch_related("locations", "decisions")
        params = self.request.query_params if hasattr(self, "request") and self.request else {}
        if params.get("investor"):
            qs = qs.filter(investor__code=str(params["investor"]))
        for name in ("sector", "group", "stage"):
            if params.get(name):
                qs = qs.filter(**{name: str(params[name])})
        if params.get("q"):
            qs = qs.filter(name__icontains=str(params["q"]))
        return qs.order_by("code")

    def _context(self, projects: QuerySet[Project]) -> dict[str, Any]:
        on = _on(self.request)
        return {
            **self.get_serializer_context(),
            "progress": progress_of(projects=projects, year=_year(self.request, on), on=on),
        }

    @extend_schema(
        parameters=[
            YEAR,
            ON,
            OpenApiParameter("investor", str, description="The investor's unit code."),
            OpenApiParameter("sector", str),
            OpenApiParameter("group", str),
            OpenApiParameter("stage", str),
            OpenApiParameter("q", str, description="Part of the name."),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Projects, by code, each with its progress of `year` as at `on`."""
        qs = self.get_queryset()
        page = self.paginate_queryset(qs)
        shown = page if page is not None else list(qs)
        context = self._context(Project.objects.filter(pk__in=[p.pk for p in shown]))
        body = ProjectSerializer(shown, many=True, context=context).data
        return self.get_paginated_response(body) if page is not None else Response(body)

    @extend_schema(parameters=[YEAR, ON])
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        project = self.get_object()
        context = self._context(Project.objects.filter(pk=project.pk))
        return Response(ProjectSerializer(project, context=context).data)

    def _save(self, request: Request, instance: Project | None, partial: bool) -> Project:
        write = ProjectSerializer(instance, data=request.data, partial=partial, context=self.get_serializer_context())
        write.is_valid(raise_exception=True)
        data = write.validated_data
        if instance is None and Project.objects.filter(code=data["code"].strip()).exists():
            raise ValidationError({"code": _("A project with this code is already in the register.")})

        def given(name: str, default: Any = None) -> Any:
            return data.get(name, getattr(instance, name, default) if instance is not None else default)

        try:
            with transaction.atomic():
                project = project_save(
                    code=instance.code if instance is not None else data["code"],
                    name=given("name"),
                    investor=given("investor"),
                    group=given("group"),
                    sector=given("sector"),
                    stage=given("stage", "implementation"),
                    total_investment=given("total_investment"),
                    sources=given("sources", []),
                    locations=data["locations"]
                    if "locations" in data
                    else (list(instance.locations.all()) if instance is not None else []),
                    geometry=given("geometry"),
                    managing_agency=given("managing_agency"),
                    start_on=given("start_on"),
                    planned_completion_on=given("planned_completion_on"),
                    completed_on=given("completed_on"),
                    description=given("description", ""),
                    sample=instance.sample if instance is not None else False,
                    user=request.user,
                )
                for decision in data.get("decisions", []):
                    decision_save(project=project, user=request.user, **decision)
        except DjangoValidationError as exc:
            raise refused(exc) from exc
        return project

    @extend_schema(request=ProjectSerializer, responses={201: ProjectSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        project = self._save(request, None, partial=False)
        context = self._context(Project.objects.filter(pk=project.pk))
        return Response(ProjectSerializer(self.get_queryset().get(pk=project.pk), context=context).data, status=201)

    @extend_schema(request=ProjectSerializer, responses={200: ProjectSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        project = self._save(request, self.get_object(), partial=kwargs.get("partial", False))
        context = self._context(Project.objects.filter(pk=project.pk))
        return Response(ProjectSerializer(self.get_queryset().get(pk=project.pk), context=context).data)

    def perform_destroy(self, instance: Project) -> None:
        try:
            project_delete(project=instance, user=self.request.user)
        except DjangoValidationError as exc:
            raise refused(exc) from exc

    @extend_schema(parameters=[YEAR, ON], responses={200: ProjectProgressSerializer})
    @action(detail=True, methods=["get"])
    def progress(self, request: Request, code: str | None = None) -> Response:
        """The project's year as at `on`: plan, disbursed, status, and the monthly curve (plan,
        cumulative disbursed, what the pace and the milestones ask)."""
        on = _on(request)
        view = project_detail(project=self.get_object(), year=_year(request, on), on=on, user=request.user)
        return Response(
            ProjectProgressSerializer(
                {"year": view.year, "on": view.on, "progress": view.progress, "curve": view.curve}
            ).data
        )


class AllocationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[CapitalAllocation],
):
    """Changes of the projects' capital plans (assigned, adjusted, carried over; a transfer's two
    sides are written by the transfer). Kept as made: a correction is another change."""

    serializer_class = AllocationSerializer
    permission_classes = [ReadAnyoneWriteWithPermission]

    def get_queryset(self) -> QuerySet[CapitalAllocation]:
        qs = CapitalAllocation.objects.select_related("project").order_by("project__code", "year", "effective_on", "id")
        params = self.request.query_params
        if params.get("project"):
            qs = qs.filter(project__code=str(params["project"]))
        if str(params.get("year", "")).isdigit():
            qs = qs.filter(year=int(params["year"]))
        return qs

    def get_serializer_class(self) -> Any:
        return AllocationSerializer if self.action == "create" else AllocationReadSerializer

    @extend_schema(
        parameters=[OpenApiParameter("project", str, description="A project's code."), OpenApiParameter("year", int)]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=AllocationSerializer, responses={201: AllocationReadSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        write = AllocationSerializer(data=request.data)
        write.is_valid(raise_exception=True)
        data = dict(write.validated_data)
        data.setdefault("kind", "initial")
        try:
            made = allocation_add(user=request.user, **data)
        except DjangoValidationError as exc:
            raise refused(exc) from exc
        return Response(AllocationReadSerializer(made).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: CapitalAllocation) -> None:
        try:
            allocation_delete(allocation=instance, user=self.request.user)
        except DjangoValidationError as exc:
            raise refused(exc) from exc


class TransferViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[CapitalTransfer],
):
    """Transfers of capital between projects by a decision; each writes its two sides, so the sum
    of the plans is kept. Refused for more than the giving project has not disbursed."""

    serializer_class = TransferSerializer
    permission_classes = [ReadAnyoneWriteWithPermission]

    def get_queryset(self) -> QuerySet[CapitalTransfer]:
        qs = CapitalTransfer.objects.select_related("from_project", "to_project")
        if str(self.request.query_params.get("year", "")).isdigit():
            qs = qs.filter(year=int(self.request.query_params["year"]))
        return qs.order_by("-effective_on", "-id")

    @extend_schema(parameters=[OpenApiParameter("year", int)])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        write = TransferSerializer(data=request.data)
        write.is_valid(raise_exception=True)
        try:
            made = transfer_make(user=request.user, **write.validated_data)
        except DjangoValidationError as exc:
            raise refused(exc) from exc
        return Response(TransferSerializer(made).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: CapitalTransfer) -> None:
        transfer_delete(transfer=instance, user=self.request.user)


class ObstacleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Obstacle],
):
    """What blocks the projects, the agency that must resolve it and by when: internal, as on the
    register's pages, so read by signed-in users only. Each is followed up as a directive led by
    that agency: its id and status are given to whoever may read it."""

    serializer_class = ObstacleSerializer
    permission_classes = [SignedInReadWriteWithPermission]

    def get_queryset(self) -> QuerySet[Obstacle]:
        qs = Obstacle.objects.select_related("project", "resolving_agency", "org_unit")
        params = self.request.query_params
        if params.get("project"):
            qs = qs.filter(project__code=str(params["project"]))
        if params.get("agency"):
            qs = qs.filter(resolving_agency__code=str(params["agency"]))
        if params.get("open") in ("1", "true"):
            qs = qs.filter(resolved_on__isnull=True)
        return qs.order_by("-reported_on", "-id")

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        ids = list(Obstacle.objects.filter(directive__isnull=False).values_list("directive_id", flat=True))
        user = self.request.user
        visible = set(directives_visible(Directive.objects.filter(pk__in=ids), user=user).values_list("pk", flat=True))
        context["visible"] = visible
        context["states"] = statuses_at(directives=Directive.objects.filter(pk__in=visible), on=timezone.localdate())
        return context

    @extend_schema(
        parameters=[
            OpenApiParameter("project", str, description="A project's code."),
            OpenApiParameter("agency", str, description="The resolving agency's code."),
            OpenApiParameter("open", bool, description="Only those not resolved."),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        write = ObstacleSerializer(data=request.data, context=self.get_serializer_context())
        write.is_valid(raise_exception=True)
        data = {k: v for k, v in write.validated_data.items() if k in _OBSTACLE_FIELDS}
        try:
            made = obstacle_create(user=request.user, **data)
        except DjangoValidationError as exc:
            raise refused(exc) from exc
        return Response(ObstacleSerializer(made, context=self.get_serializer_context()).data, status=201)

    def perform_destroy(self, instance: Obstacle) -> None:
        obstacle_delete(obstacle=instance, user=self.request.user)

    @extend_schema(request=ResolveSerializer, responses={200: ObstacleSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        """Record that the obstacle is resolved (its follow-up directive is reported done)."""
        obstacle = self.get_object()
        if not request.user.has_perm("projects.change_obstacle"):
            self.permission_denied(request)
        write = ResolveSerializer(data=request.data)
        write.is_valid(raise_exception=True)
        try:
            obstacle_resolve(obstacle=obstacle, user=request.user, **write.validated_data)
        except DjangoValidationError as exc:
            raise refused(exc) from exc
        return Response(
            ObstacleSerializer(self.get_queryset().get(pk=obstacle.pk), context=self.get_serializer_context()).data
        )


_OBSTACLE_FIELDS = ("project", "category", "description", "reported_on", "resolving_agency", "deadline", "org_unit")


class MilestoneViewSet(viewsets.ModelViewSet[DisbursementMilestone]):
    """The province's disbursement milestones of a year (without them, the default ones)."""

    serializer_class = MilestoneSerializer
    permission_classes = [ReadAnyoneWriteWithPermission]
    queryset = DisbursementMilestone.objects.order_by("year", "due_on")

    def perform_create(self, serializer: Any) -> None:
        self._save(serializer, None)

    def perform_update(self, serializer: Any) -> None:
        self._save(serializer, serializer.instance)

    def _save(self, serializer: Any, instance: DisbursementMilestone | None) -> None:
        data = {
            **(
                {"year": instance.year, "due_on": instance.due_on, "percent": instance.percent, "note": instance.note}
                if instance
                else {}
            ),
            **serializer.validated_data,
        }
        try:
            serializer.instance = milestone_save(pk=instance.pk if instance else None, user=self.request.user, **data)
        except DjangoValidationError as exc:
            raise refused(exc) from exc

    def perform_destroy(self, instance: DisbursementMilestone) -> None:
        milestone_delete(milestone=instance, user=self.request.user)


class _RowsView(APIView):
    """Rows of a monthly upload (GET: those held, by project and year)."""

    permission_classes = [ReadAnyoneWriteWithPermission]

    def _project_year(self, request: Request, qs: QuerySet[Any], year_field: str) -> QuerySet[Any]:
        if request.query_params.get("project"):
            qs = qs.filter(project__code=str(request.query_params["project"]))
        if str(request.query_params.get("year", "")).isdigit():
            qs = qs.filter(**{year_field: int(request.query_params["year"])})
        return qs

    def _rows(self, request: Request, serializer: Any) -> list[dict[str, Any]]:
        envelope = RowsSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        rows, problems = [], {}
        for number, row in enumerate(envelope.validated_data["rows"], start=1):
            item = serializer(data=row)
            if item.is_valid():
                rows.append(item.validated_data)
            else:
                problems[str(number)] = item.errors
        if problems:
            raise ValidationError({"rows": problems})
        return rows


QUERY = [OpenApiParameter("project", str, description="A project's code."), OpenApiParameter("year", int)]


class DisbursementsView(_RowsView):
    """Monthly disbursement (the State Treasury's figures), all rows or none; a row for a month
    already held replaces it. Writing needs the permission to add disbursement."""

    write_permission = "projects.add_disbursement"

    @extend_schema(parameters=QUERY, responses={200: DisbursementSerializer(many=True)})
    def get(self, request: Request) -> Response:
        qs = self._project_year(request, Disbursement.objects.select_related("project"), "plan_year")
        return Response(
            DisbursementSerializer(qs.order_by("project__code", "plan_year", "period", "source")[:5000], many=True).data
        )

    @extend_schema(request=RowsSerializer, responses={200: WriteCountsSerializer})
    def post(self, request: Request) -> Response:
        rows = [
            DisbursementRow(r["project"].pk, r["plan_year"], r["source"], r["period"], Decimal(r["amount"]))
            for r in self._rows(request, DisbursementSerializer)
        ]
        try:
            counts = disbursements_write(rows=rows, user=request.user)
        except (DjangoValidationError, InvalidOperation) as exc:
            raise refused(DjangoValidationError(str(exc)) if isinstance(exc, InvalidOperation) else exc) from exc
        return Response({"created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged})


class SiteClearanceView(_RowsView):
    """Site clearance by project and commune at the end of months, all rows or none."""

    write_permission = "projects.add_siteclearance"

    @extend_schema(parameters=QUERY[:1], responses={200: SiteClearanceSerializer(many=True)})
    def get(self, request: Request) -> Response:
        qs = SiteClearance.objects.select_related("project", "org_unit")
        if request.query_params.get("project"):
            qs = qs.filter(project__code=str(request.query_params["project"]))
        return Response(
            SiteClearanceSerializer(qs.order_by("project__code", "period", "org_unit__code")[:5000], many=True).data
        )

    @extend_schema(request=RowsSerializer, responses={200: WriteCountsSerializer})
    def post(self, request: Request) -> Response:
        rows = [
            SiteClearanceRow(
                r["project"].pk, r["org_unit"].pk, r["period"], **{n: r[n] for n in CLEARANCE_VALUES if n in r}
            )
            for r in self._rows(request, SiteClearanceSerializer)
        ]
        try:
            counts = site_clearance_write(rows=rows, user=request.user)
        except DjangoValidationError as exc:
            raise refused(exc) from exc
        return Response({"created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged})


class InvestorRankingView(APIView):
    """The investors ranked by the share of their `year` plan disbursed as at `on` (1: the highest);
    with `below`, only those under that share (the "dưới x %" list), the lowest first."""

    @extend_schema(
        parameters=[YEAR, ON, OpenApiParameter("below", OpenApiTypes.NUMBER, description="A share in %.")],
        responses={200: InvestorRowSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        on = _on(request)
        year = _year(request, on)
        below = request.query_params.get("below")
        if below:
            try:
                threshold = Decimal(str(below))
            except InvalidOperation as exc:
                raise ValidationError({"below": _("Give a share in per cent, e.g. 30.")}) from exc
            if not threshold.is_finite() or not 0 <= threshold <= 1000:
                raise ValidationError({"below": _("Give a share in per cent, e.g. 30.")})
            rows = investors_below(year=year, on=on, percent=threshold)
        else:
            rows = investor_ranking(year=year, on=on)
        body = [
            {
                "rank": r.rank,
                "investor": r.investor.code,
                "investor_name": r.investor.name,
                "plan": r.plan,
                "disbursed": r.disbursed,
                "percent": r.percent.quantize(Decimal("0.01")) if r.percent is not None else None,
                "status": str(r.status),
                "projects": r.projects,
                "behind": r.behind,
            }
            for r in rows
        ]
        return Response(InvestorRowSerializer(body, many=True).data)


class TransferProposalsView(APIView):
    """Transfers the statuses suggest as at `on`: from projects behind schedule to projects on schedule."""

    @extend_schema(parameters=[YEAR, ON], responses={200: ProposalSerializer(many=True)})
    def get(self, request: Request) -> Response:
        on = _on(request)
        proposals = transfer_proposals(year=_year(request, on), on=on)
        body = [
            {
                "source": p.source,
                "from_project": p.from_project.code,
                "to_project": p.to_project.code,
                "amount": p.amount,
            }
            for p in proposals
        ]
        return Response(ProposalSerializer(body, many=True).data)


class ProjectsMapView(APIView):
    """The located projects as GeoJSON, coloured by their status of `year` as at `on`."""

    @extend_schema(parameters=[YEAR, ON], responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> HttpResponse:
        on = _on(request)
        # The collection's UTF-8 text written from the query's rows (the national map: 50,000
        # features), sent as it is.
        return HttpResponse(projects_geojson_utf8(year=_year(request, on), on=on), content_type="application/json")

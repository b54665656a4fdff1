"""REST API of directives under /api/v1/directives: the register, progress, review, sources,
extraction and scorecards. Directives are internal: every read needs a signed-in user; writes
need a token (or session) and the matching permission, as in the rest of the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import django_filters
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dieuhanh.accounts.permissions import ReadAnyoneWriteWithPermission
from dieuhanh.directives.extraction import extract_directives
from dieuhanh.directives.models import Directive, EvidenceFile, ProgressUpdate, Recurrence, SourceDocument, SourceKind
from dieuhanh.directives.scorecards import scorecard_table
from dieuhanh.directives.selectors import (
    agency_catalogue,
    directive_may_report,
    directive_may_review,
    unit_by_code,
)
from dieuhanh.directives.services import (
    DirectiveError,
    DirectiveInput,
    directive_delete,
    directive_update,
    directives_create,
    parse_recurrence,
    progress_report,
    progress_review,
    source_document_create,
    today_local,
)
from dieuhanh.directives.status import DirectiveStatus, days_overdue, status_expression
from dieuhanh.indicators.periods import Period, PeriodError


class SignedInReadWriteWithPermission(BasePermission):
    """Reads need a signed-in user; writes, the permission the rest of the API asks for."""

    message = gettext_lazy("Sign in to see directives; changing them needs the matching permission.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        return ReadAnyoneWriteWithPermission().has_permission(request, view)


def _invalid(exc: DirectiveError) -> ValidationError:
    return ValidationError({"detail": exc.messages})


def _recurrence_text(directive: Directive) -> str | None:
    if directive.recurrence == Recurrence.MONTHLY:
        return f"monthly:{directive.recurrence_day or 31:02d}"
    return directive.recurrence or None


class SourceDocumentSerializer(serializers.ModelSerializer[SourceDocument]):
    org_unit: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    directives = serializers.SerializerMethodField()

    class Meta:
        model = SourceDocument
        fields = [
            "id",
            "kind",
            "number",
            "date",
            "issuer",
            "title",
            "org_unit",
            "text",
            "file",
            "created_at",
            "directives",
        ]
        read_only_fields = ["id", "org_unit", "file", "created_at", "directives"]

    def get_directives(self, obj: SourceDocument) -> int:
        return getattr(obj, "directive_count", 0)


class DirectiveSerializer(serializers.ModelSerializer[Directive]):
    """A directive as the register shows it; ``lead_agency`` is a unit code, or the group code
    (``group:districts``, ``group:communes``, ``group:agencies``) of a group's directive."""

    lead_agency = serializers.SerializerMethodField()
    coordinating_agencies = serializers.SerializerMethodField()
    recurrence = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    days_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Directive
        fields = [
            "id",
            "source",
            "parent",
            "position",
            "content",
            "source_sentence",
            "lead_agency",
            "coordinating_agencies",
            "deadline",
            "recurrence",
            "starts_on",
            "ends_on",
            "due_date",
            "completed_on",
            "progress",
            "status",
            "days_overdue",
        ]

    def get_lead_agency(self, obj: Directive) -> str | None:
        return obj.lead_group or (obj.lead_agency.code if obj.lead_agency else None)

    def get_coordinating_agencies(self, obj: Directive) -> list[str]:
        return [u.code for u in obj.coordinating_agencies.all()]

    def get_recurrence(self, obj: Directive) -> str | None:
        return _recurrence_text(obj)

    @extend_schema_field(serializers.ChoiceField(choices=DirectiveStatus.choices))
    def get_status(self, obj: Directive) -> str:
        return str(getattr(obj, "status", ""))

    def get_days_overdue(self, obj: Directive) -> int:
        return days_overdue(
            completed_on=obj.completed_on, due_date=obj.due_date, deadline=obj.deadline, today=self.context["today"]
        )


class DirectiveWriteSerializer(serializers.Serializer[Any]):
    """What a client sends to add or change a directive (the same shape extraction prints)."""

    # DRF pops declared fields off the class, so this does not clash with Field.source at run time.
    source = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=SourceDocument.objects.all(), required=False
    )
    content = serializers.CharField()
    lead_agency = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    coordinating_agencies = serializers.ListField(child=serializers.CharField(), required=False)
    deadline = serializers.DateField(required=False, allow_null=True)
    recurrence = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, help_text="monthly:20, quarterly, continuous"
    )
    ends_on = serializers.DateField(required=False, allow_null=True)
    source_sentence = serializers.CharField(required=False, allow_blank=True)

    def to_input(self) -> DirectiveInput:
        data = self.validated_data
        try:
            recurrence, day = parse_recurrence(data.get("recurrence"))
        except DirectiveError as exc:
            raise _invalid(exc) from exc
        return DirectiveInput(
            content=data["content"],
            lead=data.get("lead_agency") or None,
            coordinating=list(data.get("coordinating_agencies") or []),
            deadline=data.get("deadline"),
            recurrence=recurrence,
            recurrence_day=day,
            ends_on=data.get("ends_on"),
            source_sentence=data.get("source_sentence") or "",
        )


class EvidenceSerializer(serializers.ModelSerializer[EvidenceFile]):
    class Meta:
        model = EvidenceFile
        fields = ["id", "name", "size", "uploaded_at"]


class ProgressUpdateSerializer(serializers.ModelSerializer[ProgressUpdate]):
    created_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="username", read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "reported_on",
            "percent",
            "text",
            "occurrence_due",
            "review",
            "review_note",
            "created_by",
            "created_at",
            "evidence",
        ]


class DirectiveFilter(django_filters.FilterSet):
    agency = django_filters.CharFilter(method="filter_agency", label="Lead or coordinating agency (unit code)")
    status = django_filters.ChoiceFilter(choices=DirectiveStatus.choices)
    due_from = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_to = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    source = django_filters.NumberFilter(field_name="source_id")
    top_level = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull")

    class Meta:
        model = Directive
        fields = ["agency", "status", "due_from", "due_to", "source", "top_level"]

    def filter_agency(self, queryset: QuerySet[Directive], name: str, value: str) -> QuerySet[Directive]:
        unit = unit_by_code(code=value.strip())
        if unit is None:
            raise ValidationError({"agency": _("Unknown agency '%(code)s'.") % {"code": value}})
        return queryset.filter(lead_agency=unit) | queryset.filter(coordinating_agencies=unit)


class DirectiveViewSet(viewsets.ModelViewSet[Directive]):
    """Directives of the register, with status on today's date. Writes go through the services."""

    serializer_class = DirectiveSerializer
    filterset_class = DirectiveFilter
    permission_classes = [SignedInReadWriteWithPermission]
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Directive]:
        return (
            Directive.objects.select_related("lead_agency")
            .prefetch_related("coordinating_agencies")
            .annotate(status=status_expression(today_local()))
            .order_by("source_id", "parent_id", "position", "id")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": today_local()}

    def perform_destroy(self, instance: Directive) -> None:
        directive_delete(directive=instance)

    def get_permissions(self) -> Sequence[Any]:
        # Reporting and reviewing follow their own rules (the lead agency's contacts; the office),
        # checked in the actions; signing in is all the gate asks.
        if self.action in ("progress", "review"):
            return [IsAuthenticated()]
        return super().get_permissions()

    def _fresh(self, pk: int) -> Directive:
        return self.get_queryset().get(pk=pk)

    @extend_schema(request=DirectiveWriteSerializer, responses={201: DirectiveSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        write = DirectiveWriteSerializer(data=request.data)
        write.is_valid(raise_exception=True)
        source = write.validated_data.get("source")
        if source is None:
            raise ValidationError({"source": _("Say which source document the directive comes from.")})
        try:
            (created,) = directives_create(source=source, items=[write.to_input()], user=request.user)
        except DirectiveError as exc:
            raise _invalid(exc) from exc
        body = DirectiveSerializer(self._fresh(created.pk), context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=DirectiveWriteSerializer, responses={200: DirectiveSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        directive = self.get_object()
        partial = kwargs.get("partial", False)
        current = {
            "content": directive.content,
            "lead_agency": directive.lead_group or (directive.lead_agency.code if directive.lead_agency else None),
            "coordinating_agencies": [u.code for u in directive.coordinating_agencies.all()],
            "deadline": directive.deadline,
            "recurrence": _recurrence_text(directive),
            "ends_on": directive.ends_on,
        }
        write = DirectiveWriteSerializer(data={**current, **request.data} if partial else request.data)
        write.is_valid(raise_exception=True)
        try:
            directive_update(directive=directive, item=write.to_input(), user=request.user)
        except DirectiveError as exc:
            raise _invalid(exc) from exc
        return Response(DirectiveSerializer(self._fresh(directive.pk), context=self.get_serializer_context()).data)

    @extend_schema(
        request=inline_serializer(
            "ProgressReport",
            {
                "percent": serializers.IntegerField(min_value=0, max_value=100),
                "text": serializers.CharField(),
                "reported_on": serializers.DateField(required=False),
                "files": serializers.ListField(child=serializers.FileField(), required=False),
            },
        ),
        responses={201: ProgressUpdateSerializer},
    )
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def progress(self, request: Request, pk: str | None = None) -> Response:
        """GET: the directive's progress reports. POST: report progress (the lead agency's contacts,
        or office staff allowed to change directives); 100 % is a completion report."""
        directive = self.get_object()
        if request.method == "GET":
            updates = directive.updates.select_related("created_by").prefetch_related("evidence")
            return Response(ProgressUpdateSerializer(updates, many=True).data)
        if not directive_may_report(user=request.user, directive=directive):
            raise PermissionDenied(_("Only the lead agency's contacts, or the office, report on this directive."))
        try:
            percent = int(request.data.get("percent", ""))
        except (TypeError, ValueError) as exc:
            raise ValidationError({"percent": _("Give the progress as a whole number from 0 to 100.")}) from exc
        reported_on = None
        if request.data.get("reported_on"):
            try:
                reported_on = dt.date.fromisoformat(str(request.data["reported_on"]))
            except ValueError as exc:
                raise ValidationError({"reported_on": _("Write the date as 2024-10-15.")}) from exc
        try:
            update = progress_report(
                directive=directive,
                percent=percent,
                text=str(request.data.get("text", "")),
                reported_on=reported_on,
                files=request.FILES.getlist("files"),
                user=request.user,
            )
        except DirectiveError as exc:
            raise _invalid(exc) from exc
        return Response(ProgressUpdateSerializer(update).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=inline_serializer(
            "ProgressReview",
            {
                "update": serializers.IntegerField(),
                "accept": serializers.BooleanField(),
                "note": serializers.CharField(required=False, allow_blank=True),
            },
        ),
        responses={200: ProgressUpdateSerializer},
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        """Confirm a completion report (the directive is done on the report's date) or return it
        with a note. Needs the permission "Can confirm or return a directive's completion report"."""
        directive = self.get_object()
        if not directive_may_review(user=request.user):
            raise PermissionDenied(_("Confirming completion needs the office's permission."))
        try:
            update_id = int(request.data.get("update") or 0)
        except (TypeError, ValueError) as exc:
            raise ValidationError({"update": _("Give the id of the progress report.")}) from exc
        update = directive.updates.filter(pk=update_id).first()
        if update is None:
            raise NotFound(_("This directive has no such progress report."))
        accept = str(request.data.get("accept", "")).lower() in {"1", "true", "yes", "on"}
        try:
            progress_review(update=update, accept=accept, note=str(request.data.get("note", "")), user=request.user)
        except DirectiveError as exc:
            raise _invalid(exc) from exc
        update.refresh_from_db()
        return Response(ProgressUpdateSerializer(update).data)


class SourceDocumentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[SourceDocument]
):
    """Source documents (Thông báo kết luận, Chỉ thị, Công văn, Kế hoạch …)."""

    serializer_class = SourceDocumentSerializer
    permission_classes = [SignedInReadWriteWithPermission]
    filterset_fields = ["kind", "date"]

    def get_queryset(self) -> QuerySet[SourceDocument]:
        return SourceDocument.objects.select_related("org_unit").annotate(directive_count=Count("directives"))

    def perform_create(self, serializer: serializers.BaseSerializer[SourceDocument]) -> None:
        data = serializer.validated_data
        try:
            serializer.instance = source_document_create(
                kind=data.get("kind", SourceKind.CONCLUSION_NOTICE),
                date=data["date"],
                number=data.get("number", ""),
                issuer=data.get("issuer", ""),
                title=data.get("title", ""),
                text=data.get("text", ""),
                user=self.request.user,
            )
        except DirectiveError as exc:
            raise _invalid(exc) from exc


class ExtractView(APIView):
    """Read the directives out of a Vietnamese text; nothing is stored. The answer is the array
    ``dieuhanh directives extract`` prints."""

    permission_classes = [SignedInReadWriteWithPermission]
    write_permission = "directives.add_directive"

    @extend_schema(
        request=inline_serializer(
            "ExtractRequest",
            {
                "text": serializers.CharField(),
                "date": serializers.DateField(),
                "suggest_leads": serializers.BooleanField(required=False),
            },
        ),
        responses={
            200: inline_serializer(
                "ProposedDirective",
                {
                    "content": serializers.CharField(),
                    "lead_agency": serializers.CharField(allow_null=True),
                    "lead_agency_text": serializers.CharField(allow_null=True),
                    "coordinating_agencies": serializers.ListField(child=serializers.CharField()),
                    "coordinating_agencies_text": serializers.ListField(child=serializers.CharField()),
                    "deadline": serializers.DateField(allow_null=True),
                    "recurrence": serializers.CharField(allow_null=True),
                    "source_sentence": serializers.CharField(),
                },
                many=True,
            )
        },
    )
    def post(self, request: Request) -> Response:
        text = str(request.data.get("text") or "")
        if not text.strip():
            raise ValidationError({"text": _("Paste the text of the document.")})
        try:
            date = dt.date.fromisoformat(str(request.data.get("date") or ""))
        except ValueError as exc:
            raise ValidationError({"date": _("Give the document's date as 2023-07-20.")}) from exc
        suggest = str(request.data.get("suggest_leads", "")).lower() in {"1", "true", "yes", "on"}
        proposals = extract_directives(
            text, document_date=date, catalogue=agency_catalogue(on=date), suggest_leads=suggest
        )
        return Response([p.as_json() for p in proposals])


class ScorecardView(APIView):
    """Each agency's scorecard over a period: assigned, done on time, done late, overdue (at the
    period's end), on-time rate; the province's covers all its directives."""

    permission_classes = [SignedInReadWriteWithPermission]

    @extend_schema(
        parameters=[OpenApiParameter("period", str, description="2023, 2023Q4 or 202311", required=True)],
        responses={
            200: inline_serializer(
                "Scorecard",
                {
                    "org_unit": serializers.CharField(),
                    "name": serializers.CharField(),
                    "assigned": serializers.IntegerField(),
                    "done_on_time": serializers.IntegerField(),
                    "done_late": serializers.IntegerField(),
                    "overdue": serializers.IntegerField(),
                    "on_time_rate": serializers.FloatField(allow_null=True),
                },
                many=True,
            )
        },
    )
    def get(self, request: Request) -> Response:
        try:
            period = Period.parse(str(request.query_params.get("period") or ""))
        except PeriodError as exc:
            raise ValidationError({"period": str(exc)}) from exc
        rows = scorecard_table(period=period, today=today_local())
        return Response(
            [
                {
                    "org_unit": unit.code,
                    "name": unit.name,
                    "assigned": card.assigned,
                    "done_on_time": card.done_on_time,
                    "done_late": card.done_late,
                    "overdue": card.overdue,
                    "on_time_rate": card.on_time_rate,
                }
                for unit, card in rows
            ]
        )

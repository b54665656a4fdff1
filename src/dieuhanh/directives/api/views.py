"""The directives API's views, under /api/v1/directives: the register, progress, review, sources,
extraction and scorecards. Directives are internal: every read needs a signed-in user; writes
need a token (or session) and the matching permission, as in the rest of the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import django_filters
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dieuhanh.accounts.permissions import SignedInReadWriteWithPermission
from dieuhanh.accounts.selectors import scope_of
from dieuhanh.analytics.selectors import number_out
from dieuhanh.api import ObjectJSONParser
from dieuhanh.directives.api.serializers import (
    DIRECTIVE_SUMMARY,
    EXTRACT_REQUEST,
    PROGRESS_REPORT,
    PROGRESS_REVIEW,
    PROPOSED_DIRECTIVES,
    SCORECARD_ROWS,
    DirectiveSerializer,
    DirectiveWriteSerializer,
    ProgressUpdateSerializer,
    SourceDocumentSerializer,
    invalid,
    recurrence_text,
)
from dieuhanh.directives.choices import DirectiveStatus, SourceKind
from dieuhanh.directives.extraction import extract_directives
from dieuhanh.directives.models import Directive, SourceDocument
from dieuhanh.directives.scorecards import scorecard_rows
from dieuhanh.directives.selectors import (
    ROLE_LEAD,
    DirectiveFilters,
    DirectiveLeads,
    agency_catalogue,
    directive_may_report,
    directive_may_review,
    directives_visible,
    status_summary,
    statuses_at,
    unit_by_code,
)
from dieuhanh.directives.services import (
    DirectiveError,
    directive_delete,
    directive_update,
    directives_create,
    progress_report,
    progress_review,
    source_document_create,
    today_local,
)
from dieuhanh.directives.status import AsOfError, StatusAt, as_of_parse
from dieuhanh.indicators.periods import Period, PeriodError
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import UnitLookupError


class DirectivesPermission(SignedInReadWriteWithPermission):
    """Reads need a signed-in user; writes, the permission the rest of the API asks for."""

    message = gettext_lazy("Sign in to see directives; changing them needs the matching permission.")


def _unit(value: str, *, on: dt.date) -> OrgUnit:
    """The agency a code names on ``on`` (the question's date: ``as_of``, default today)."""
    try:
        return unit_by_code(code=value.strip(), on=on)
    except UnitLookupError as exc:
        raise ValidationError(
            {"agency": str(exc) if exc.known else _("Unknown agency '%(code)s'.") % {"code": value}}
        ) from exc


def _as_of(request: Request) -> dt.date:
    try:
        return as_of_parse(request.query_params.get("as_of"), today=today_local())
    except AsOfError as exc:
        raise ValidationError({"as_of": str(exc)}) from exc


def _status(request: Request) -> str:
    status_text = str(request.query_params.get("status") or "")
    if status_text and status_text not in DirectiveStatus.values:
        raise ValidationError(
            {"status": _("Unknown status; use one of: %(values)s.") % {"values": ", ".join(DirectiveStatus.values)}}
        )
    return status_text


AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description="The day status and days overdue are stated for (2024-06-30; default today, never later). "
    "Only directives assigned by then are listed.",
)
STATUS = OpenApiParameter("status", str, enum=DirectiveStatus.values, description="The category on `as_of`.")
ROLE = OpenApiParameter(
    "role",
    str,
    enum=[ROLE_LEAD],
    description="With `agency`: `lead` counts what the agency leads itself, a group's copy included "
    "(what its scorecard counts); otherwise what it leads or coordinates.",
)


class DirectiveFilter(django_filters.FilterSet):
    agency = django_filters.CharFilter(method="filter_agency", label="Lead or coordinating agency (unit code)")
    due_from = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_to = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    source = django_filters.NumberFilter(field_name="source_id")
    top_level = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull")

    class Meta:
        model = Directive
        fields = ["agency", "due_from", "due_to", "source", "top_level"]

    def filter_agency(self, queryset: QuerySet[Directive], name: str, value: str) -> QuerySet[Directive]:
        on = _as_of(self.request) if self.request is not None else today_local()
        unit = _unit(value, on=on)
        # The agency's work on that date: its own, its predecessors' since a merger, handed-over directives.
        leads = DirectiveLeads()
        led = leads.led_by(unit, on)
        if self.data.get("role") == ROLE_LEAD:
            return queryset.filter(led)
        coordinators = [unit, *leads.agencies.carried_into(unit, on)]
        return queryset.filter(led | Q(coordinating_agencies__in=coordinators)).distinct()


class DirectiveViewSet(viewsets.ModelViewSet[Directive]):
    """Directives of the register, with status on today's date. Writes go through the services."""

    serializer_class = DirectiveSerializer
    filterset_class = DirectiveFilter
    permission_classes = [DirectivesPermission]
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Directive]:
        return directives_visible(
            Directive.objects.select_related("lead_agency")
            .prefetch_related("coordinating_agencies")
            .order_by("source_id", "parent_id", "position", "id"),
            user=self.request.user,
        )

    def _context(self, as_of: dt.date, states: dict[int, StatusAt]) -> dict[str, Any]:
        return {**self.get_serializer_context(), "as_of": as_of, "states": states, "leads": DirectiveLeads()}

    def _body(self, directive: Directive, as_of: dt.date | None = None) -> Any:
        as_of = as_of or today_local()
        states = statuses_at(directives=Directive.objects.filter(pk=directive.pk), on=as_of)
        return DirectiveSerializer(directive, context=self._context(as_of, states)).data

    @extend_schema(parameters=[AS_OF, STATUS, ROLE])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Directives with their status and days overdue on `as_of` (today by default): only those
        assigned by then; `status` filters by the category on that day."""
        as_of, wanted = _as_of(request), _status(request)
        listed = self.filter_queryset(self.get_queryset()).filter(starts_on__lte=as_of)
        states = statuses_at(directives=listed, on=as_of)
        ids = [pk for pk in dict.fromkeys(listed.values_list("pk", flat=True)) if pk in states]
        if wanted:
            ids = [pk for pk in ids if states[pk].status == wanted]
        page: list[int] | None = self.paginate_queryset(ids)  # type: ignore[arg-type]
        shown = page if page is not None else ids
        found = {d.pk: d for d in self.get_queryset().filter(pk__in=shown)}
        body = DirectiveSerializer([found[pk] for pk in shown], many=True, context=self._context(as_of, states)).data
        return self.get_paginated_response(body) if page is not None else Response(body)

    @extend_schema(parameters=[AS_OF])
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A directive with its status on `as_of` (today by default; null before it was assigned)."""
        as_of = _as_of(request)
        return Response(self._body(self.get_object(), as_of))

    @extend_schema(
        parameters=[AS_OF, ROLE],
        responses={200: DIRECTIVE_SUMMARY},
    )
    @action(detail=False, methods=["get"])
    def summary(self, request: Request) -> Response:
        """The register's counts on `as_of`: its directives (a group's once; with `agency` and
        `role=lead`, what the agency leads, a group's copy included) in each category, as the
        register page and the scorecards count them."""
        as_of = _as_of(request)
        params = request.query_params
        agency = _unit(str(params["agency"]), on=as_of) if params.get("agency") else None
        source = (
            SourceDocument.objects.filter(pk=int(params["source"])).first()
            if params.get("source", "").isdigit()
            else None
        )
        counts = status_summary(
            filters=DirectiveFilters(
                agency=agency, role=str(params.get("role") or ""), source=source, user=request.user
            ),
            on=as_of,
        )
        return Response(
            {
                "as_of": as_of.isoformat(),
                "total": counts.total,
                "counts": counts.counts,
                "awaiting_confirmation": counts.awaiting,
            }
        )

    def perform_destroy(self, instance: Directive) -> None:
        directive_delete(directive=instance, user=self.request.user)

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
            raise invalid(exc) from exc
        return Response(self._body(self._fresh(created.pk)), status=status.HTTP_201_CREATED)

    @extend_schema(request=DirectiveWriteSerializer, responses={200: DirectiveSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        directive = self.get_object()
        partial = kwargs.get("partial", False)
        current = {
            "content": directive.content,
            "lead_agency": directive.lead_group or (directive.lead_agency.code if directive.lead_agency else None),
            "coordinating_agencies": [u.code for u in directive.coordinating_agencies.all()],
            "deadline": directive.deadline,
            "recurrence": recurrence_text(directive),
            "ends_on": directive.ends_on,
        }
        write = DirectiveWriteSerializer(data={**current, **request.data} if partial else request.data)
        write.is_valid(raise_exception=True)
        try:
            directive_update(directive=directive, item=write.to_input(), user=request.user)
        except DirectiveError as exc:
            raise invalid(exc) from exc
        return Response(self._body(self._fresh(directive.pk)))

    @extend_schema(
        request=PROGRESS_REPORT,
        responses={201: ProgressUpdateSerializer},
    )
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser, FormParser, ObjectJSONParser])
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
            raise invalid(exc) from exc
        return Response(ProgressUpdateSerializer(update).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=PROGRESS_REVIEW,
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
            raise invalid(exc) from exc
        update.refresh_from_db()
        return Response(ProgressUpdateSerializer(update).data)


class SourceDocumentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[SourceDocument]
):
    """Source documents (Thông báo kết luận, Chỉ thị, Công văn, Kế hoạch …)."""

    serializer_class = SourceDocumentSerializer
    permission_classes = [DirectivesPermission]
    filterset_fields = ["kind", "date"]

    def get_queryset(self) -> QuerySet[SourceDocument]:
        sources = SourceDocument.objects.select_related("org_unit").annotate(directive_count=Count("directives"))
        scope = scope_of(self.request.user)
        if scope.reads_everything:
            return sources
        # A source is seen with a directive of it, or when issued by a unit the user reads.
        seen = directives_visible(Directive.objects.all(), user=self.request.user).values("source_id")
        issued = scope.units(SourceDocument.objects.all(), through="org_unit") if scope.read_units else None
        return sources.filter(Q(pk__in=seen) | Q(pk__in=issued.values("pk")) if issued is not None else Q(pk__in=seen))

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
            raise invalid(exc) from exc


class ExtractView(APIView):
    """Read the directives out of a Vietnamese text; nothing is stored. The answer is the array
    ``dieuhanh directives extract`` prints."""

    permission_classes = [DirectivesPermission]
    write_permission = "directives.add_directive"

    @extend_schema(
        request=EXTRACT_REQUEST,
        responses={200: PROPOSED_DIRECTIVES},
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
    """Each unit's scorecard over a period: the stored figures, read through analytics as the
    dashboards read them. Directives are counted as the register lists them (assigned in the
    period; in each category at its end, or today); occurrences (each due date of a directive)
    as completed on time or late in the period, and overdue at its end."""

    permission_classes = [DirectivesPermission]

    @extend_schema(
        parameters=[OpenApiParameter("period", str, description="2023, 2023Q4 or 202311", required=True)],
        responses={200: SCORECARD_ROWS},
    )
    def get(self, request: Request) -> Response:
        try:
            period = Period.parse(str(request.query_params.get("period") or ""))
        except PeriodError as exc:
            raise ValidationError({"period": str(exc)}) from exc
        as_of = min(period.end_date, today_local())
        return Response(
            [
                {
                    "org_unit": row.unit.code,
                    "name": row.unit.name,
                    "as_of": as_of.isoformat(),
                    "directives_assigned": row.assigned,
                    **{f"directives_{s}": n for s, n in row.directives.items()},
                    "occurrences_done_on_time": row.occurrences_done_on_time,
                    "occurrences_done_late": row.occurrences_done_late,
                    "occurrences_on_time_rate": number_out(row.occurrences_on_time_rate, places=1),
                    "occurrences_overdue": row.occurrences_overdue,
                }
                for row in scorecard_rows(period=period, user=request.user)
            ]
        )

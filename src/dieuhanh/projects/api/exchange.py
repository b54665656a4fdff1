"""The register's exchange through the API: files of projects and of the Treasury's monthly
disbursement imported (all or nothing, or checked only), their history and templates, and the
register as an OC4IDS project package (open data)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dieuhanh.accounts.permissions import ReadAnyoneWriteWithPermission
from dieuhanh.accounts.selectors import scope_of, signed_in
from dieuhanh.ingest.api.uploads import import_answer, import_options, import_upload
from dieuhanh.ingest.services import issues_as_csv
from dieuhanh.projects.choices import ProjectImportFormat, ProjectImportKind
from dieuhanh.projects.imports import project_import, template_csv, template_filename, template_xlsx
from dieuhanh.projects.models import ProjectImport
from dieuhanh.projects.oc4ids import oc4ids_package


class ProjectImportSerializer(serializers.ModelSerializer[ProjectImport]):
    created_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = ProjectImport
        fields = [
            "id",
            "kind",
            "source_name",
            "file_format",
            "status",
            "channel",
            "checksum",
            "created_by",
            "created_at",
            "rows_total",
            "rows_created",
            "rows_updated",
            "rows_unchanged",
            "errors",
        ]


PROJECT_IMPORT_UPLOAD = inline_serializer(
    "ProjectImportUpload",
    {
        "kind": serializers.ChoiceField(choices=ProjectImportKind.choices),
        "file": serializers.FileField(),
        "dry_run": serializers.BooleanField(required=False),
        "format": serializers.ChoiceField(choices=ProjectImportFormat.choices, required=False),
    },
)


class SignedInImports(BasePermission):
    """The imports' history needs a signed-in user; an upload, the permission to import."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return signed_in(request.user) and ReadAnyoneWriteWithPermission().has_permission(request, view)


class ProjectImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[ProjectImport]):
    """Upload a file of the register (POST, multipart: ``kind`` register or disbursement, ``file``,
    ``dry_run``); list past imports; fetch an import's errors as CSV, or a template to fill in."""

    serializer_class = ProjectImportSerializer
    parser_classes = [MultiPartParser, FormParser]
    permission_classes = [SignedInImports]
    write_permission = "projects.add_projectimport"

    def get_queryset(self) -> QuerySet[ProjectImport]:
        user = self.request.user
        qs = ProjectImport.objects.select_related("created_by")
        if scope_of(user).reads_everything or user.has_perm("projects.view_projectimport"):
            return qs
        return qs.filter(created_by_id=user.pk)

    @extend_schema(
        request=PROJECT_IMPORT_UPLOAD,
        responses={201: ProjectImportSerializer, 200: ProjectImportSerializer, 400: OpenApiTypes.OBJECT},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        kind = request.data.get("kind")
        if kind not in ProjectImportKind.values:
            raise ValidationError(
                {"kind": _("Say what the file holds: kind=register (projects) or kind=disbursement (Treasury).")}
            )
        upload = import_upload(request)
        dry_run, file_format = import_options(request, formats=ProjectImportFormat.values)
        result = project_import(
            kind=kind,
            content=upload.file,
            filename=upload.name or "upload",
            user=request.user,
            dry_run=dry_run,
            channel="api",
            file_format=file_format,
        )
        return import_answer(ProjectImportSerializer(result.record).data, issues=result.issues, dry_run=dry_run)

    @extend_schema(
        responses={(200, "text/csv"): bytes}, parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)]
    )
    @action(detail=True, methods=["get"], url_path="errors")
    def errors_csv(self, request: Request, pk: str | None = None) -> HttpResponse:
        record = self.get_object()
        response = HttpResponse(issues_as_csv(record.errors), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="loi-nhap-du-an-{record.pk}.csv"'
        return response

    @extend_schema(
        responses={(200, "application/octet-stream"): bytes},
        parameters=[
            OpenApiParameter("kind", str, enum=ProjectImportKind.values),
            OpenApiParameter("file_format", str, enum=[ProjectImportFormat.CSV, ProjectImportFormat.XLSX]),
        ],
    )
    @action(detail=False, methods=["get"], url_path="template")
    def template(self, request: Request) -> HttpResponse:
        """The file to fill in: the header (in the user's language, each key in brackets) and, in
        Excel, a guide to every column."""
        kind = request.query_params.get("kind", ProjectImportKind.REGISTER)
        file_format = request.query_params.get("file_format", ProjectImportFormat.XLSX)
        if kind not in ProjectImportKind.values:
            raise ValidationError({"kind": _("kind is register or disbursement.")})
        if file_format == ProjectImportFormat.CSV:
            content, content_type = template_csv(kind), "text/csv; charset=utf-8"
        elif file_format == ProjectImportFormat.XLSX:
            content = template_xlsx(kind)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            raise ValidationError({"file_format": _("file_format is csv or xlsx.")})
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{template_filename(kind, file_format)}"'
        return response


class OC4IDSView(APIView):
    """The register as an OC4IDS 0.9.5 project package: every project, or ``?year=`` those with a
    plan or disbursement that year (with that year's budget and transactions). Open data."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        parameters=[OpenApiParameter("year", int, required=False)],
    )
    def get(self, request: Request) -> Response:
        year: int | None = None
        if request.query_params.get("year"):
            text = request.query_params["year"]
            if not (text.isascii() and text.isdigit() and 1900 <= int(text) <= 2100):
                raise ValidationError({"year": _("“%(value)s” is not a year.") % {"value": text[:20]}})
            year = int(text)
        package = oc4ids_package(year=year, uri=request.build_absolute_uri())
        return Response(package)

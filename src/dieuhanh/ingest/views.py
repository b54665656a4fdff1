"""Web pages of data entry: upload a file of figures, see what became of it, get an Excel template."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dieuhanh.accounts.selectors import scope_of
from dieuhanh.figures.models import ImportBatch
from dieuhanh.indicators.selectors import indicator_list
from dieuhanh.ingest.forms import ImportUploadForm, TemplateRequestForm
from dieuhanh.ingest.selectors import import_batch_list, import_batch_may_view
from dieuhanh.ingest.services import ImportBusyError, import_file, issues_as_csv
from dieuhanh.ingest.xlsx import xlsx_template_build
from dieuhanh.orgunits.selectors import org_unit_tree

IMPORT_PERMISSION = "figures.add_importbatch"
RECENT_IMPORTS = 20
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_import_permission(user: Any) -> None:
    if not user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied(
            _(
                "Entering figures needs the permission “Can add import batch”. "
                "Ask an administrator of the operations center to grant it to your account."
            )
        )


def _visible_batch(user: Any, pk: int) -> ImportBatch:
    batch = get_object_or_404(ImportBatch.objects.select_related("created_by"), pk=pk)
    if not import_batch_may_view(user=user, batch=batch):
        raise PermissionDenied(_("This import was made by someone else; only they and the operators may open it."))
    return batch


def _download(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    # Django quotes or encodes the name as RFC 6266 needs (unit codes are free text); it returns
    # None only for an empty name, which these never are.
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response


def _imports_page(
    request: HttpRequest, *, upload_form: ImportUploadForm, template_form: TemplateRequestForm, status: int = 200
) -> HttpResponse:
    context = {
        "upload_form": upload_form,
        "template_form": template_form,
        "batches": import_batch_list(user=request.user, limit=RECENT_IMPORTS),
        "max_mb": settings.DIEUHANH_IMPORT_MAX_BYTES // 2**20,
    }
    return render(request, "ingest/imports.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    """The data-entry page; a POST imports a file and redirects to its batch (so a reload cannot import twice)."""
    _require_import_permission(request.user)
    upload_form = ImportUploadForm(request.POST, request.FILES) if request.method == "POST" else ImportUploadForm()
    if upload_form.is_bound and upload_form.is_valid():
        upload = upload_form.cleaned_data["file"]
        try:
            result = import_file(
                content=upload.file,  # read as needed: a large upload is a temporary file on disk
                filename=upload.name or "upload",
                user=request.user,
                dry_run=upload_form.cleaned_data["dry_run"],
                channel="web",
            )
        except ImportBusyError as exc:
            upload_form.add_error("file", str(exc))
        else:
            return redirect("ingest:batch", pk=result.batch.pk)
    template_form = TemplateRequestForm(tree=org_unit_tree())
    return _imports_page(
        request,
        upload_form=upload_form,
        template_form=template_form,
        status=400 if upload_form.is_bound else 200,
    )


@login_required
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """What became of one import: the counts, or every error with where it is in the file."""
    batch = _visible_batch(request.user, pk)
    return render(request, "ingest/batch.html", {"batch": batch, "errors": batch.errors or []})


@login_required
@require_GET
def batch_errors_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The error list as CSV, to send back to whoever filled in the file."""
    batch = _visible_batch(request.user, pk)
    return _download(
        issues_as_csv(batch.errors or []),
        filename=f"loi-nhap-lieu-{batch.pk}.csv",
        content_type="text/csv; charset=utf-8",
    )


@login_required
@require_GET
def template_download(request: HttpRequest) -> HttpResponse:
    """An Excel entry form for one unit and year, prefilled with what is stored."""
    _require_import_permission(request.user)
    template_form = TemplateRequestForm(request.GET, tree=org_unit_tree())
    if not template_form.is_valid():
        return _imports_page(request, upload_form=ImportUploadForm(), template_form=template_form, status=400)
    unit = template_form.cleaned_data["org_unit"]
    year = template_form.cleaned_data["year"]
    sector = template_form.cleaned_data["sector"]
    # The form is prefilled with what is stored: only the indicators the user reads at the unit
    # (outside their subtrees, the public ones and those an agency of theirs answers for).
    scope = scope_of(request.user)
    indicators = [
        indicator
        for indicator in indicator_list(sector=sector.code if sector is not None else None)
        if scope.may_read(unit=unit, indicator=indicator)
    ]
    content = xlsx_template_build(org_unit=unit, year=year, indicators=indicators)
    return _download(content, filename=f"mau-nhap-{unit.code}-{year}.xlsx", content_type=XLSX_CONTENT_TYPE)

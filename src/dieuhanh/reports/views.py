"""The reports page: generate a report, download it, list every report kept; and the preview.

Reports hold figures that are not all public and the directives' standing: signed-in users
with the permission to view generated reports only; generating needs the permission to add one.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dieuhanh.accounts.selectors import scope_of
from dieuhanh.analytics.readmodel.lists import headline_indicator_ids
from dieuhanh.analytics.readmodel.periods import ReportPeriod
from dieuhanh.analytics.readmodel.scope import (
    DataSpan,
    complete_period,
    data_span,
    stored_operands,
    visible_indicators,
)
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.reports.forms import ReportForm
from dieuhanh.reports.models import GeneratedReport
from dieuhanh.reports.phrasing import ReportWordingError
from dieuhanh.reports.render.html import report_context
from dieuhanh.reports.selectors import generated_report_list
from dieuhanh.reports.services import ReportError, report_generate, report_make

VIEW = "reports.view_generatedreport"
ADD = "reports.add_generatedreport"


def _require_unit(request: HttpRequest, unit: OrgUnit) -> None:
    """A report holds every indicator of its unit, public or not: it is for those who read the unit
    in full (``accounts.scope``)."""
    if not scope_of(request.user).may_read_unit(unit):
        raise PermissionDenied(
            _("The report of %(unit)s is outside the units your account reads.") % {"unit": unit.label()}
        )


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """Generate a report (POST, with the permission to add one) and list the reports kept."""
    may_generate = request.user.has_perm(ADD)
    indicators = visible_indicators(user=request.user)
    span = data_span(indicators=stored_operands(indicators))
    if request.method == "POST":
        if not may_generate:
            raise PermissionDenied
        form = ReportForm(request.POST, years=_years(span))
        if form.is_valid():
            _require_unit(request, form.cleaned_data["org_unit"])
            try:
                made = report_generate(
                    org_unit=form.cleaned_data["org_unit"],
                    period=form.cleaned_data["period"],
                    formats=form.cleaned_data["formats"],
                    trigger=GeneratedReport.Trigger.PAGE,
                    user=request.user,
                )
            except (ReportWordingError, ReportError) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    _("Report made: %(files)s.") % {"files": ", ".join(m.record.file_format.upper() for m in made)},
                )
                return redirect("reports:index")
    else:
        unit = ReportForm().fields["org_unit"].queryset.first()  # type: ignore[attr-defined]
        headline = headline_indicator_ids(unit=unit) if unit is not None else set()
        # The latest month whose headline figures are complete, as on the overview.
        period = complete_period(span=span, unit=unit, headline=[i for i in indicators if i.pk in headline])
        form = ReportForm(
            years=_years(span), chosen=ReportPeriod(period), initial={"org_unit": unit.code} if unit else None
        )
    return render(
        request,
        "reports/index.html",
        {
            "form": form,
            "reports": [r for r in generated_report_list() if scope_of(request.user).may_read_unit(r.org_unit)],
            "may_generate": may_generate,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def download(request: HttpRequest, pk: int) -> FileResponse:
    record = get_object_or_404(GeneratedReport.objects.select_related("org_unit"), pk=pk)
    _require_unit(request, record.org_unit)
    try:
        handle = record.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file of this report is no longer on the server.")) from exc
    name = f"bao-cao-kt-xh-{record.org_unit.code}-{record.period}.{record.file_format}"
    return FileResponse(handle, as_attachment=record.file_format != "html", filename=name)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def preview(request: HttpRequest) -> HttpResponse:
    """The report as it would be made now, read on the page (HTML in the site's layout)."""
    span = data_span(indicators=stored_operands(visible_indicators(user=request.user)))
    form = ReportForm(request.GET, years=_years(span))
    form.fields["formats"].required = False
    if not form.is_valid():
        return render(request, "reports/preview.html", {"form": form}, status=400)
    _require_unit(request, form.cleaned_data["org_unit"])
    try:
        report = report_make(org_unit=form.cleaned_data["org_unit"], period=form.cleaned_data["period"])
    except ReportWordingError as exc:
        return render(request, "reports/preview.html", {"form": form, "error": str(exc)}, status=500)
    return render(request, "reports/preview.html", {"form": form, **report_context(report)})


def _years(span: DataSpan) -> list[int]:
    """The years a report can be asked for: those with figures (and this year, before any)."""
    first = [d.year for d in span.first.values()]
    last = [d.year for d in span.last.values()]
    if not first:
        return [timezone.localdate().year]
    return list(range(min(first), max(last) + 1))

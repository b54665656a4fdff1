"""Web pages of directives: the register, a directive's timeline, an agency's inbox, the
extract-review-save page and the scorecards. Signed-in users only: directives are internal."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dieuhanh.accounts.selectors import scope_of
from dieuhanh.analytics.readmodel.periods import PartGroup, ReportPeriod, part_groups
from dieuhanh.directives.choices import DirectiveStatus, Recurrence, ReviewState
from dieuhanh.directives.extraction import extract_directives
from dieuhanh.directives.forms import (
    ExtractForm,
    InboxChooserForm,
    ProgressForm,
    ProposalFormSet,
    RegisterFilterForm,
    ReviewForm,
    initial_date,
    unit_choices,
)
from dieuhanh.directives.models import Directive, EvidenceFile, SourceDocument
from dieuhanh.directives.scorecards import ScorecardRow, scorecard_rows
from dieuhanh.directives.selectors import (
    ASSIGNABLE_KINDS,
    DirectiveFilters,
    agency_catalogue,
    agency_inbox,
    assignable_units,
    contact_units,
    directive_detail,
    directive_may_report,
    directive_may_review,
    directives_visible,
    pending_reviews,
    register_page,
)
from dieuhanh.directives.services import (
    AGENCY_TEXT_SEPARATOR,
    DirectiveError,
    DirectiveInput,
    directives_create,
    notifications_mark_read,
    progress_report,
    progress_review,
    source_document_create,
    today_local,
)
from dieuhanh.directives.status import AsOfError, as_of_parse
from dieuhanh.indicators.periods import Period, PeriodError
from dieuhanh.orgunits.choices import OrgUnitKind
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import UnitLookupError, org_unit_tree, unit_at

PAGE_SIZE = 50
ADD_PERMISSION = "directives.add_directive"


@login_required
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """All directives (a group's copies inside their parent) as at a date, today by default: those
    assigned by then, their status then; filtered by agency, status and due window."""
    today = today_local()
    units = assignable_units()
    form = RegisterFilterForm(request.GET, units=units, today=today)
    filters = DirectiveFilters(user=request.user)
    as_of = today
    if form.is_valid():
        data = form.cleaned_data
        as_of = data.get("as_of") or today
        filters = DirectiveFilters(
            agency=form.units.get(data.get("agency") or ""),
            role=data.get("role") or "",
            status=data.get("status") or "",
            due_from=data.get("due_from"),
            due_to=data.get("due_to"),
            search=(data.get("q") or "").strip(),
            user=request.user,
        )
    source_id = request.GET.get("source", "")
    if source_id.isdigit():
        filters = replace(filters, source=SourceDocument.objects.filter(pk=int(source_id)).first())
    listed = register_page(filters=filters, on=as_of, page=request.GET.get("page"), page_size=PAGE_SIZE)
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    context = {
        "form": form,
        "page": listed.page,
        "rows": listed.rows,
        "as_of": as_of,
        "is_today": as_of == today,
        "counts": [(s, listed.counts.counts[s.value]) for s in DirectiveStatus],
        "total": listed.counts.total,
        "awaiting": listed.counts.awaiting,
        "query": urlencode(query),
        "status_query": urlencode({k: v for k, v in query.items() if k != "status"}),
        "as_of_query": urlencode({"as_of": as_of.isoformat()}) if as_of != today else "",
        "can_add": request.user.has_perm(ADD_PERMISSION),
        "reviews": list(pending_reviews(limit=20)) if directive_may_review(user=request.user) else [],
    }
    return render(request, "directives/register.html", context, status=200 if form.is_valid() else 400)


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A directive's timeline and its standing (as at a date with ``?as_of=``); its lead agency
    reports progress here, the office confirms."""
    today = today_local()
    try:
        as_of = as_of_parse(request.GET.get("as_of"), today=today)
        as_of_error = ""
    except AsOfError as exc:
        as_of, as_of_error = today, str(exc)
    view = directive_detail(pk=pk, on=as_of)
    if view is None or not directives_visible(Directive.objects.filter(pk=pk), user=request.user).exists():
        raise Http404(_("There is no such directive."))
    directive = view.directive
    may_report = directive_may_report(user=request.user, directive=directive)
    may_review = directive_may_review(user=request.user)
    progress_form = ProgressForm(initial={"reported_on": initial_date(), "percent": directive.progress})
    status = 400 if as_of_error else 200
    if request.method == "POST":
        if "review" in request.POST:
            if not may_review:
                raise PermissionDenied(_("Confirming completion needs the office's permission."))
            review_form = ReviewForm(request.POST)
            update = (
                directive.updates.filter(pk=review_form.cleaned_data["update"]).first()
                if review_form.is_valid()
                else None
            )
            if update is None:
                raise Http404(_("This directive has no such progress report."))
            try:
                progress_review(
                    update=update,
                    accept=request.POST["review"] == "accept",
                    note=review_form.cleaned_data.get("note") or "",
                    user=request.user,
                )
                messages.success(request, _("The review is saved."))
                return redirect("directives:detail", pk=pk)
            except DirectiveError as exc:
                for message in exc.messages:
                    messages.error(request, message)
                return redirect("directives:detail", pk=pk)
        if not may_report:
            raise PermissionDenied(_("Only the lead agency's contacts, or the office, report on this directive."))
        progress_form = ProgressForm(request.POST, request.FILES)
        if progress_form.is_valid():
            data = progress_form.cleaned_data
            try:
                progress_report(
                    directive=directive,
                    percent=data["percent"],
                    text=data["text"],
                    reported_on=data["reported_on"],
                    files=data["evidence"],
                    user=request.user,
                )
                messages.success(request, _("Your report is saved."))
                return redirect("directives:detail", pk=pk)
            except DirectiveError as exc:
                for message in exc.messages:
                    progress_form.add_error(None, message)
        status = 400
    context = {
        "view": view,
        "directive": directive,
        "today": today,
        "as_of": as_of,
        "is_today": as_of == today,
        "as_of_error": as_of_error,
        "may_report": may_report and directive.completed_on is None,
        "may_review": may_review,
        "progress_form": progress_form,
        "pending": ReviewState.PENDING,
    }
    return render(request, "directives/detail.html", context, status=status)


@login_required
@require_GET
def inbox_choose(request: HttpRequest) -> HttpResponse:
    """The signed-in user's agency inbox, or a list of agencies to choose from."""
    mine = contact_units(user=request.user)
    chooser = InboxChooserForm(request.GET or None, tree=org_unit_tree(kinds=ASSIGNABLE_KINDS))
    if chooser.is_valid():
        return redirect("directives:inbox", code=chooser.cleaned_data["unit"])
    if len(mine) == 1 and not chooser.is_bound:
        return redirect("directives:inbox", code=mine[0].code)
    return render(
        request,
        "directives/inbox_choose.html",
        {"mine": mine, "chooser": chooser},
        status=400 if chooser.is_bound else 200,
    )


@login_required
@require_GET
def inbox(request: HttpRequest, code: str) -> HttpResponse:
    """What an agency leads and coordinates, open items first, and the user's unread messages."""
    today = today_local()
    try:
        unit = unit_at(code, on=today)
    except UnitLookupError as exc:
        raise Http404(str(exc)) from exc
    if not (scope_of(request.user).may_read_unit(unit) or unit in contact_units(user=request.user)):
        raise PermissionDenied(_("This inbox is of an agency your account does not work for."))
    box = agency_inbox(unit=unit, today=today, user=request.user)
    return render(request, "directives/inbox.html", {"inbox": box, "today": today})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(user=request.user)
    messages.success(request, _("Messages marked as read."))
    target = request.POST.get("next") or reverse("directives:inbox_choose")
    return redirect(target if target.startswith("/") and not target.startswith("//") else "/")


@login_required
@require_GET
def evidence(request: HttpRequest, pk: int) -> FileResponse:
    """An evidence file, to those who may read its directive (evidence is not public media)."""
    item = get_object_or_404(
        directives_visible(EvidenceFile.objects.all(), user=request.user, through="update__directive"), pk=pk
    )
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("The file is no longer there.")) from exc
    return FileResponse(handle, as_attachment=True, filename=item.name)


@login_required
@require_GET
def scorecards(request: HttpRequest) -> HttpResponse:
    """Each unit's scorecard over a period: the stored figures, read through analytics as the
    dashboards read them. The period is chosen in words (a year and a part of it); an address
    may name it by its code (``?period=2023Q4``)."""
    today = today_local()
    error = ""
    rows: list[ScorecardRow] = []
    period: Period | None = None
    chosen: ReportPeriod | None = None
    try:
        if request.GET.get("year") and request.GET.get("part"):
            chosen = ReportPeriod.from_part(int(request.GET["year"]), request.GET["part"])
        else:
            chosen = ReportPeriod.parse(request.GET.get("period") or str(today.year))
        if chosen.cumulative:
            raise PeriodError(_("A scorecard is for a month, a quarter, a half-year or a year."))
        period = chosen.period
        rows = scorecard_rows(period=period, user=request.user)
    except (PeriodError, ValueError) as exc:
        error = str(exc) if isinstance(exc, PeriodError) else _("Choose a year from the list.")
    as_of = min(period.end_date, today) if period is not None else today
    return render(
        request,
        "directives/scorecards.html",
        {
            "rows": rows,
            "period": period,
            "years": list(range(today.year, today.year - 10, -1)),
            "selected_year": chosen.year if chosen is not None else today.year,
            "part_groups": [
                PartGroup(g.label, [(p, w) for p, w in g.parts if not p.endswith("M") or p.startswith("M")])
                for g in part_groups()
            ],
            "selected_part": chosen.part if chosen is not None else "year",
            "error": error,
            "as_of": as_of,
            "register_query": urlencode({"as_of": as_of.isoformat()}) if as_of != today else "",
            "today": today,
        },
        status=400 if error else 200,
    )


def _proposal_initial(proposals: list[Any]) -> list[dict[str, Any]]:
    initial = []
    for p in proposals:
        kind, _sep, day = (p.recurrence or "").partition(":")
        initial.append(
            {
                "keep": True,
                "content": p.content,
                "lead": p.lead_agency or "",
                "coordinating": p.coordinating_agencies,
                "deadline": p.deadline,
                "recurrence": kind,
                "recurrence_day": int(day) if day else None,
                "source_sentence": p.source_sentence,
                "suggested": p.lead_suggested,
                "lead_text": p.lead_agency_text or "",
                "coordinating_text": AGENCY_TEXT_SEPARATOR.join(p.coordinating_agencies_text),
            }
        )
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def extract(request: HttpRequest) -> HttpResponse:
    """Paste or upload a text, review the proposed directives, correct them, save them.

    Step one (``step=read``) reads the text; step two (``step=save``) stores the document and the
    kept directives in one go — all or nothing.
    """
    if not request.user.has_perm(ADD_PERMISSION):
        raise PermissionDenied(
            _("Adding directives needs the permission “Can add directive”. Ask an administrator to grant it.")
        )
    step = request.POST.get("step", "")
    form = ExtractForm(request.POST or None, request.FILES or None, initial={"date": initial_date()})
    formset = None
    status = 200
    if request.method == "POST" and form.is_valid():
        date: dt.date = form.cleaned_data["date"]
        catalogue = agency_catalogue(on=date)
        choices = unit_choices(_picker_units(request, date), groups=True)
        if step == "save":
            formset = ProposalFormSet(request.POST, prefix="p", choices=choices)
            if formset.is_valid():
                kept = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("keep")]
                try:
                    with transaction.atomic():  # the document and its directives, or nothing
                        source = source_document_create(
                            kind=form.cleaned_data["kind"],
                            date=date,
                            number=form.cleaned_data["number"],
                            issuer=form.cleaned_data["issuer"],
                            title=form.cleaned_data["title"],
                            text=form.cleaned_data["text"],
                            user=request.user,
                        )
                        directives_create(source=source, items=[_input(d) for d in kept], user=request.user)
                except DirectiveError as exc:
                    for message in exc.messages:
                        messages.error(request, message)
                    status = 400
                else:
                    messages.success(
                        request, _("%(n)d directive(s) saved from %(source)s.") % {"n": len(kept), "source": source}
                    )
                    return redirect(reverse("directives:register") + "?" + urlencode({"source": source.pk}))
            else:
                status = 400
        else:
            proposals = extract_directives(
                form.cleaned_data["text"], document_date=date, catalogue=catalogue, suggest_leads=True
            )
            formset = ProposalFormSet(initial=_proposal_initial(proposals), prefix="p", choices=choices)
            if not proposals:
                messages.warning(request, _("No directive was found in this text. Check that it is the right text."))
    elif request.method == "POST":
        status = 400
    return render(request, "directives/extract.html", {"form": form, "formset": formset}, status=status)


def _picker_units(request: HttpRequest, date: dt.date) -> list[OrgUnit]:
    """Agencies and district-level units, and the communes the text or the operator named (a list
    of every commune in every picker would make the page heavy on a phone)."""
    units = assignable_units(on=date, kinds=(OrgUnitKind.AGENCY, OrgUnitKind.DISTRICT, OrgUnitKind.OTHER))
    named = {v for k, values in request.POST.lists() if k.startswith("p-") for v in values} | set(
        catalogue_codes(request.POST.get("text", ""), date)
    )
    known = {u.code for u in units}
    extra = assignable_units(on=date, kinds=(OrgUnitKind.COMMUNE,))
    return units + [u for u in extra if u.code in named and u.code not in known]


def catalogue_codes(text: str, date: dt.date) -> list[str]:
    """Codes of the units a text names (to offer them in the pickers)."""
    return [m.code for m in agency_catalogue(on=date).mentions(text) if m.kind == "unit" and m.code]


def _input(data: dict[str, Any]) -> DirectiveInput:
    recurrence = data.get("recurrence") or ""
    return DirectiveInput(
        content=data["content"],
        lead=data.get("lead") or None,
        coordinating=list(data.get("coordinating") or []),
        deadline=None if recurrence in (Recurrence.MONTHLY, Recurrence.QUARTERLY) else data.get("deadline"),
        recurrence=recurrence,
        recurrence_day=data.get("recurrence_day") if recurrence == Recurrence.MONTHLY else None,
        source_sentence=data.get("source_sentence") or "",
        lead_text=data.get("lead_text") or "",
        coordinating_text=[t.strip() for t in (data.get("coordinating_text") or "").split(";") if t.strip()],
    )

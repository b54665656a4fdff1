"""Admin of the public-investment register. Every save goes through the services (``services.py``):
the forms check what the model's rules and the services' own rules say, then the service writes.
A plan's changes and transfers are kept as they were made (a correction is another change)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from dieuhanh.admin import CheckedModelMultipleChoiceField, ModelAdmin, TabularInline
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.projects.choices import AllocationKind
from dieuhanh.projects.models import (
    CapitalAllocation,
    CapitalTransfer,
    Disbursement,
    DisbursementMilestone,
    Obstacle,
    Project,
    ProjectDecision,
    SiteClearance,
)

# The services and selectors import the directives' (and their text analysis): not at every start,
# which imports the admin; each save and check below imports them when it runs.


def _form_values(obj: models.Model, fields: Sequence[str]) -> dict[str, Any]:
    """What the admin's form of a capital change filled in: its fields are the keywords of the
    service that writes the change (a field added to one is added to the other)."""
    return {name: getattr(obj, name) for name in fields}


def _undisbursed(data: dict[str, Any], project: Project | None) -> Decimal | None:
    """What ``project`` has not yet disbursed of the plan a capital form names (its year and source,
    as at its effective day): how far it may be cut or transferred. None until the form names them
    (a field the form refused is not in its data: its own error says so)."""
    if project is None or not all(data.get(name) for name in ("effective_on", "year", "source")):
        return None
    from dieuhanh.projects.selectors import undisbursed_plan  # noqa: PLC0415

    return undisbursed_plan(project=project, year=data["year"], source=data["source"], on=data["effective_on"])


class ProjectForm(forms.ModelForm[Project]):
    communes = CheckedModelMultipleChoiceField(
        queryset=OrgUnit.objects.filter(kind="commune"),
        required=False,
        label=Project._meta.get_field("locations").verbose_name,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Project
        fields = [
            "code",
            "name",
            "investor",
            "managing_agency",
            "group",
            "sector",
            "stage",
            "sources",
            "total_investment",
            "geometry",
            "start_on",
            "planned_completion_on",
            "completed_on",
            "description",
            "directives",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["communes"].initial = list(self.instance.locations.all())


class DecisionInline(TabularInline[ProjectDecision, Project]):
    model = ProjectDecision
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(ModelAdmin[Project]):
    form = ProjectForm
    list_display = ["code", "name", "investor", "group", "sector", "stage", "total_investment", "sample"]
    list_filter = ["group", "sector", "stage", "sample"]
    list_select_related = ["investor"]
    search_fields = ["code", "name"]
    raw_id_fields = ["investor", "managing_agency", "directives"]
    inlines = [DecisionInline]

    def save_model(self, request: HttpRequest, obj: Project, form: Any, change: bool) -> None:
        from dieuhanh.projects.services import project_save  # noqa: PLC0415

        data = form.cleaned_data
        saved = project_save(
            code=data["code"],
            name=data["name"],
            investor=data["investor"],
            group=data["group"],
            sector=data["sector"],
            stage=data["stage"],
            total_investment=data["total_investment"],
            sources=data.get("sources") or [],
            locations=list(data.get("communes") or []),
            geometry=data.get("geometry"),
            managing_agency=data.get("managing_agency"),
            start_on=data.get("start_on"),
            planned_completion_on=data.get("planned_completion_on"),
            completed_on=data.get("completed_on"),
            description=data.get("description") or "",
            sample=obj.sample,
            directives=list(data.get("directives") or []),
            user=request.user,
        )
        obj.pk = saved.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The communes were saved with the project; the decisions are read-only here (the admin's
        # change message still asks the formsets what they saved: nothing).
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request: HttpRequest, obj: Project) -> None:
        from dieuhanh.projects.services import project_delete  # noqa: PLC0415

        project_delete(project=obj, user=request.user)


@admin.register(ProjectDecision)
class ProjectDecisionAdmin(ModelAdmin[ProjectDecision]):
    list_display = ["project", "kind", "number", "date", "amount"]
    list_filter = ["kind"]
    list_select_related = ["project"]
    search_fields = ["number", "project__code"]
    raw_id_fields = ["project"]

    def save_model(self, request: HttpRequest, obj: ProjectDecision, form: Any, change: bool) -> None:
        from dieuhanh.projects.services import decision_save  # noqa: PLC0415

        saved = decision_save(
            project=obj.project,
            kind=obj.kind,
            number=obj.number,
            date=obj.date,
            issuer=obj.issuer,
            amount=obj.amount,
            note=obj.note,
            user=request.user,
        )
        obj.pk = saved.pk


class AllocationForm(forms.ModelForm[CapitalAllocation]):
    class Meta:
        model = CapitalAllocation
        fields = [
            "project",
            "year",
            "source",
            "kind",
            "amount",
            "effective_on",
            "decision_number",
            "decision_date",
            "note",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == AllocationKind.TRANSFER:
            self.add_error(
                "kind", _("A transfer between projects is made as a transfer, which writes both of its sides.")
            )
        amount = data.get("amount")
        if amount is not None and amount < 0:
            room = _undisbursed(data, data.get("project"))
            if room is not None and -amount > room:
                self.add_error(
                    "amount", _("The cut exceeds the plan not yet disbursed (%(room)s million đồng).") % {"room": room}
                )
        return data


@admin.register(CapitalAllocation)
class CapitalAllocationAdmin(ModelAdmin[CapitalAllocation]):
    form = AllocationForm
    list_display = ["project", "year", "source", "kind", "amount", "effective_on", "decision_number"]
    list_filter = ["year", "source", "kind"]
    list_select_related = ["project"]
    search_fields = ["project__code", "decision_number"]
    raw_id_fields = ["project"]

    def has_change_permission(self, request: HttpRequest, obj: CapitalAllocation | None = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: CapitalAllocation | None = None) -> bool:
        return (obj is None or obj.transfer_id is None) and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: CapitalAllocation, form: Any, change: bool) -> None:
        from dieuhanh.projects.services import allocation_add  # noqa: PLC0415

        saved = allocation_add(**_form_values(obj, AllocationForm.Meta.fields), user=request.user)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: CapitalAllocation) -> None:
        from dieuhanh.projects.services import allocation_delete  # noqa: PLC0415

        allocation_delete(allocation=obj, user=request.user)


class TransferForm(forms.ModelForm[CapitalTransfer]):
    class Meta:
        model = CapitalTransfer
        fields = [
            "year",
            "source",
            "from_project",
            "to_project",
            "amount",
            "effective_on",
            "decision_number",
            "decision_date",
            "note",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        amount = data.get("amount")
        if amount is not None:
            room = _undisbursed(data, data.get("from_project"))
            if room is not None and amount > room:
                self.add_error(
                    "amount",
                    _("At most the plan not yet disbursed can be transferred (%(room)s million đồng).")
                    % {"room": room},
                )
        return data


@admin.register(CapitalTransfer)
class CapitalTransferAdmin(ModelAdmin[CapitalTransfer]):
    form = TransferForm
    list_display = ["decision_number", "year", "source", "from_project", "to_project", "amount", "effective_on"]
    list_filter = ["year", "source"]
    list_select_related = ["from_project", "to_project"]
    raw_id_fields = ["from_project", "to_project"]

    def has_change_permission(self, request: HttpRequest, obj: CapitalTransfer | None = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: CapitalTransfer, form: Any, change: bool) -> None:
        from dieuhanh.projects.services import transfer_make  # noqa: PLC0415

        saved = transfer_make(**_form_values(obj, TransferForm.Meta.fields), user=request.user)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: CapitalTransfer) -> None:
        from dieuhanh.projects.services import transfer_delete  # noqa: PLC0415

        transfer_delete(transfer=obj, user=request.user)


@admin.register(Disbursement)
class DisbursementAdmin(ModelAdmin[Disbursement]):
    list_display = ["project", "plan_year", "source", "period", "amount"]
    list_filter = ["plan_year", "source"]
    list_select_related = ["project"]
    search_fields = ["project__code", "period"]
    raw_id_fields = ["project"]

    def save_model(self, request: HttpRequest, obj: Disbursement, form: Any, change: bool) -> None:
        from dieuhanh.projects.services import DisbursementRow, disbursements_write  # noqa: PLC0415

        row = DisbursementRow(obj.project_id, obj.plan_year, obj.source, obj.period, Decimal(obj.amount))
        disbursements_write(rows=[row], user=request.user)
        obj.pk = Disbursement.objects.get(
            project_id=obj.project_id, plan_year=obj.plan_year, source=obj.source, period=obj.period
        ).pk

    def delete_model(self, request: HttpRequest, obj: Disbursement) -> None:
        from dieuhanh.projects.services import disbursements_delete  # noqa: PLC0415

        disbursements_delete(disbursements=Disbursement.objects.filter(pk=obj.pk), user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Disbursement]) -> None:
        from dieuhanh.projects.services import disbursements_delete  # noqa: PLC0415

        disbursements_delete(disbursements=queryset, user=request.user)


@admin.register(SiteClearance)
class SiteClearanceAdmin(ModelAdmin[SiteClearance]):
    list_display = ["project", "org_unit", "period", "area_total", "area_handed_over", "households_total"]
    list_select_related = ["project", "org_unit"]
    search_fields = ["project__code", "period"]
    raw_id_fields = ["project", "org_unit"]

    def save_model(self, request: HttpRequest, obj: SiteClearance, form: Any, change: bool) -> None:
        from dieuhanh.projects.services import CLEARANCE_VALUES, SiteClearanceRow, site_clearance_write  # noqa: PLC0415

        row = SiteClearanceRow(
            obj.project_id, obj.org_unit_id, obj.period, **{name: getattr(obj, name) for name in CLEARANCE_VALUES}
        )
        site_clearance_write(rows=[row], user=request.user)
        obj.pk = SiteClearance.objects.get(project_id=obj.project_id, org_unit_id=obj.org_unit_id, period=obj.period).pk


@admin.register(Obstacle)
class ObstacleAdmin(ModelAdmin[Obstacle]):
    """Obstacles: added here (with their follow-up directive, through the service), resolved here
    by giving the day and how (which reports the directive done)."""

    list_display = ["project", "category", "resolving_agency", "reported_on", "deadline", "resolved_on"]
    list_filter = ["category"]
    list_select_related = ["project", "resolving_agency"]
    search_fields = ["project__code", "description"]
    raw_id_fields = ["project", "resolving_agency", "org_unit"]
    exclude = ["directive", "created_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: Obstacle | None = None) -> list[str]:
        if obj is None:
            return []
        done = ["resolved_on", "resolution"] if obj.resolved_on else []
        return ["project", "category", "reported_on", "resolving_agency", "deadline", "org_unit", *done]

    def save_model(self, request: HttpRequest, obj: Obstacle, form: Any, change: bool) -> None:
        from dieuhanh.projects.services import obstacle_create, obstacle_resolve  # noqa: PLC0415

        if not change:
            saved = obstacle_create(
                project=obj.project,
                category=obj.category,
                description=obj.description,
                reported_on=obj.reported_on,
                resolving_agency=obj.resolving_agency,
                deadline=obj.deadline,
                org_unit=obj.org_unit,
                user=request.user,
            )
            obj.pk = saved.pk
            return
        resolved_on, resolution = obj.resolved_on, obj.resolution
        current = Obstacle.objects.select_related("directive").get(pk=obj.pk)
        Obstacle.objects.filter(pk=obj.pk).update(description=obj.description)
        if resolved_on and current.resolved_on is None:
            obstacle_resolve(obstacle=current, resolved_on=resolved_on, resolution=resolution, user=request.user)

    def delete_model(self, request: HttpRequest, obj: Obstacle) -> None:
        from dieuhanh.projects.services import obstacle_delete  # noqa: PLC0415

        obstacle_delete(obstacle=obj, user=request.user)


@admin.register(DisbursementMilestone)
class DisbursementMilestoneAdmin(ModelAdmin[DisbursementMilestone]):
    list_display = ["year", "due_on", "percent", "note"]
    list_filter = ["year"]

    def save_model(self, request: HttpRequest, obj: DisbursementMilestone, form: Any, change: bool) -> None:
        from dieuhanh.projects.services import milestone_save  # noqa: PLC0415

        saved = milestone_save(
            year=obj.year, due_on=obj.due_on, percent=obj.percent, note=obj.note, pk=obj.pk, user=request.user
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: DisbursementMilestone) -> None:
        from dieuhanh.projects.services import milestone_delete  # noqa: PLC0415

        milestone_delete(milestone=obj, user=request.user)

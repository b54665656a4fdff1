"""What the public-investment API reads and writes: projects with their communes and decisions,
capital plans and transfers, monthly disbursement, site clearance, obstacles, milestones; and the
read-only answers (progress, the investors' ranking, transfer proposals)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from dieuhanh.orgunits.api.serializers import UnitCodeField
from dieuhanh.projects.choices import (
    AllocationKind,
    CapitalSource,
    ObstacleCategory,
    ProjectGroup,
    ProjectSector,
    ProjectStage,
    ScheduleStatus,
)
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
from dieuhanh.projects.selectors import Progress


def refused(error: DjangoValidationError) -> ValidationError:
    """A refusal of the services, as the API answers it (400): by field where it names them."""
    if hasattr(error, "error_dict"):
        return ValidationError(error.message_dict)
    return ValidationError({"detail": error.messages})


def _today_of(key: str) -> Any:
    def day(data: dict[str, Any]) -> dt.date | None:
        value = data.get(key)
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value)) if value else None
        except ValueError:
            return None

    return day


class ProjectCodeField(serializers.SlugRelatedField[Project]):
    """A project named by its code. A code holding a NUL character (which PostgreSQL cannot even
    compare, and which a multipart body may carry past the middleware) names no project."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data: Any) -> Project:
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


class DecisionSerializer(serializers.ModelSerializer[ProjectDecision]):
    class Meta:
        model = ProjectDecision
        fields = ["kind", "number", "date", "issuer", "amount", "note"]


class ProgressSerializer(serializers.Serializer[Progress]):
    """A year's plan and disbursement as at a date (million đồng), the share and the status."""

    plan = serializers.DecimalField(max_digits=18, decimal_places=3)
    disbursed = serializers.DecimalField(max_digits=18, decimal_places=3)
    percent = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    status = serializers.ChoiceField(choices=ScheduleStatus.choices)
    shortfall = serializers.DecimalField(max_digits=18, decimal_places=3)
    carried_over = serializers.DecimalField(max_digits=18, decimal_places=3)


class ProjectSerializer(serializers.ModelSerializer[Project]):
    """A project; ``investor``, ``managing_agency`` and ``locations`` are unit codes. With a year
    and a date asked (``year``, ``on``), ``progress`` is its plan and disbursement then."""

    investor = UnitCodeField()
    investor_name = serializers.CharField(source="investor.name", read_only=True)
    managing_agency = UnitCodeField(required=False, allow_null=True)
    locations = serializers.ListField(child=UnitCodeField(), required=False, write_only=True)
    sources = serializers.ListField(child=serializers.ChoiceField(choices=CapitalSource.choices), required=False)
    group = serializers.ChoiceField(choices=ProjectGroup.choices)
    sector = serializers.ChoiceField(choices=ProjectSector.choices)
    stage = serializers.ChoiceField(choices=ProjectStage.choices, required=False)
    geometry = serializers.JSONField(required=False, allow_null=True)
    decisions = DecisionSerializer(many=True, required=False)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "code",
            "name",
            "investor",
            "investor_name",
            "managing_agency",
            "group",
            "sector",
            "stage",
            "sources",
            "total_investment",
            "locations",
            "geometry",
            "start_on",
            "planned_completion_on",
            "completed_on",
            "description",
            "sample",
            "decisions",
            "progress",
        ]
        read_only_fields = ["sample", "progress", "investor_name"]
        extra_kwargs: dict[str, dict[str, Any]] = {"code": {"validators": []}}

    def to_representation(self, instance: Project) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["locations"] = [u.code for u in instance.locations.all()]
        return data

    def get_progress(self, obj: Project) -> dict[str, Any] | None:
        progress = self.context.get("progress", {}).get(obj.pk)
        return ProgressSerializer(progress).data if progress is not None else None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and attrs.get("code", self.instance.code) != self.instance.code:
            raise ValidationError({"code": "The code of a project does not change; add a new project instead."})
        return attrs


class AllocationSerializer(serializers.ModelSerializer[CapitalAllocation]):
    project = ProjectCodeField(queryset=Project.objects.all())
    kind = serializers.ChoiceField(
        choices=[c for c in AllocationKind.choices if c[0] != AllocationKind.TRANSFER], required=False
    )

    class Meta:
        model = CapitalAllocation
        fields = [
            "id",
            "project",
            "year",
            "source",
            "kind",
            "amount",
            "effective_on",
            "decision_number",
            "decision_date",
            "transfer",
            "note",
        ]
        read_only_fields = ["id", "transfer"]


class AllocationReadSerializer(AllocationSerializer):
    kind = serializers.ChoiceField(choices=AllocationKind.choices, read_only=True)


class TransferSerializer(serializers.ModelSerializer[CapitalTransfer]):
    from_project = ProjectCodeField(queryset=Project.objects.all())
    to_project = ProjectCodeField(queryset=Project.objects.all())

    class Meta:
        model = CapitalTransfer
        fields = [
            "id",
            "year",
            "source",
            "from_project",
            "to_project",
            "amount",
            "effective_on",
            "decision_number",
            "decision_date",
            "note",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        # The two projects' rule is the service's, in the user's words.
        validators: list[Any] = []


class DisbursementSerializer(serializers.ModelSerializer[Disbursement]):
    """One month's disbursement of a year's plan (million đồng), as the State Treasury reports it."""

    project = ProjectCodeField(queryset=Project.objects.all())

    class Meta:
        model = Disbursement
        fields = ["project", "plan_year", "source", "period", "amount"]
        validators: list[Any] = []


class SiteClearanceSerializer(serializers.ModelSerializer[SiteClearance]):
    """Site clearance of a project in one commune at the end of a month (running totals)."""

    project = ProjectCodeField(queryset=Project.objects.all())
    org_unit = UnitCodeField(on=lambda data: _month_end(data.get("period")))

    class Meta:
        model = SiteClearance
        fields = [
            "project",
            "org_unit",
            "period",
            "area_total",
            "area_handed_over",
            "households_total",
            "households_approved",
            "households_paid",
            "compensation_approved",
            "compensation_paid",
            "plots_needed",
            "plots_allocated",
        ]
        validators: list[Any] = []


def _month_end(period: Any) -> dt.date | None:
    text = str(period or "")
    if len(text) != 6 or not text.isdigit() or not 1 <= int(text[4:]) <= 12:
        return None
    year, month = int(text[:4]), int(text[4:])
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


class RowsSerializer(serializers.Serializer[Any]):
    rows = serializers.ListField(child=serializers.DictField(), allow_empty=False, max_length=50_000)


class WriteCountsSerializer(serializers.Serializer[Any]):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class ObstacleSerializer(serializers.ModelSerializer[Obstacle]):
    """An obstacle; its follow-up directive's id and status (as at today, by the directives' rules)
    are given when the reader may see that directive."""

    project = ProjectCodeField(queryset=Project.objects.all())
    category = serializers.ChoiceField(choices=ObstacleCategory.choices)
    resolving_agency = UnitCodeField(on=_today_of("reported_on"))
    resolving_agency_name = serializers.CharField(source="resolving_agency.name", read_only=True)
    org_unit = UnitCodeField(required=False, allow_null=True, on=_today_of("reported_on"))
    directive = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    class Meta:
        model = Obstacle
        fields = [
            "id",
            "project",
            "category",
            "description",
            "reported_on",
            "resolving_agency",
            "resolving_agency_name",
            "deadline",
            "org_unit",
            "resolved_on",
            "resolution",
            "directive",
            "status",
        ]
        read_only_fields = ["id", "resolved_on", "resolution", "directive", "status"]

    def get_directive(self, obj: Obstacle) -> int | None:
        visible: set[int] = self.context.get("visible", set())
        return obj.directive_id if obj.directive_id in visible else None

    def get_status(self, obj: Obstacle) -> str | None:
        state = self.context.get("states", {}).get(obj.directive_id)
        return str(state.status) if state is not None else None


class ResolveSerializer(serializers.Serializer[Any]):
    resolved_on = serializers.DateField()
    resolution = serializers.CharField()


class MilestoneSerializer(serializers.ModelSerializer[DisbursementMilestone]):
    class Meta:
        model = DisbursementMilestone
        fields = ["id", "year", "due_on", "percent", "note"]
        read_only_fields = ["id"]
        validators: list[Any] = []


class InvestorRowSerializer(serializers.Serializer[Any]):
    rank = serializers.IntegerField()
    investor = serializers.CharField()
    investor_name = serializers.CharField()
    plan = serializers.DecimalField(max_digits=18, decimal_places=3)
    disbursed = serializers.DecimalField(max_digits=18, decimal_places=3)
    percent = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    status = serializers.ChoiceField(choices=ScheduleStatus.choices)
    projects = serializers.IntegerField()
    behind = serializers.IntegerField()


class ProposalSerializer(serializers.Serializer[Any]):
    # A declared field named like a Field attribute: the serializer's metaclass takes it off the class.
    source = serializers.ChoiceField(choices=CapitalSource.choices)  # type: ignore[assignment]
    from_project = serializers.CharField()
    to_project = serializers.CharField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=3)


class CurvePointSerializer(serializers.Serializer[Any]):
    period = serializers.CharField()
    plan = serializers.DecimalField(max_digits=18, decimal_places=3)
    disbursed = serializers.DecimalField(max_digits=18, decimal_places=3, allow_null=True)
    pace = serializers.DecimalField(max_digits=18, decimal_places=3)
    required = serializers.DecimalField(max_digits=18, decimal_places=3)  # type: ignore[assignment]


class ProjectProgressSerializer(serializers.Serializer[Any]):
    """A project's year as at a date: its progress and its monthly curve."""

    year = serializers.IntegerField()
    on = serializers.DateField()
    progress = ProgressSerializer()
    curve = CurvePointSerializer(many=True)

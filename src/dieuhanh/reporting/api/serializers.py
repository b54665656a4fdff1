"""What the reporting calendar's API reads and writes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from dieuhanh.api import CodeRelatedField, ModelRulesSerializer
from dieuhanh.indicators.models import Indicator
from dieuhanh.orgunits.models import OrgUnitGroup
from dieuhanh.reporting.choices import ObligationState
from dieuhanh.reporting.models import DataSet, DataSetReport, ReportStep
from dieuhanh.reporting.selectors import data_set_indicator_problems


class DataSetSerializer(ModelRulesSerializer[DataSet]):
    """A data set, its units by kind or group, its indicators by code."""

    org_unit_group: CodeRelatedField[OrgUnitGroup] = CodeRelatedField(
        queryset=OrgUnitGroup.objects.all(),
        allow_null=True,
        required=False,
        error_messages={"does_not_exist": _("unknown group of units '{value}'.")},
    )
    indicators: CodeRelatedField[Indicator] = CodeRelatedField(
        queryset=Indicator.objects.all(),
        many=True,
        allow_empty=False,
        error_messages={"does_not_exist": _("unknown indicator '{value}'.")},
    )

    class Meta:
        model = DataSet
        fields = [
            "code",
            "name",
            "name_en",
            "description",
            "period_type",
            "org_unit_kind",
            "org_unit_group",
            "indicators",
            "due_day",
            "due_months_after",
            "reminder_days",
            "valid_from",
            "valid_to",
            "approval",
            "sort_order",
        ]

    def model_rules(self, attrs: Mapping[str, Any]) -> None:
        problems: dict[str, list[str]] = {}
        try:
            super().model_rules(attrs)
        except DjangoValidationError as exc:
            problems.update(exc.message_dict)
        period_type = attrs.get("period_type", self.instance.period_type if self.instance is not None else None)
        indicators = attrs.get("indicators")
        if period_type and indicators:
            found = data_set_indicator_problems(period_type=period_type, indicators=indicators)
            if found:
                problems.setdefault("indicators", []).extend(found)
        if problems:
            raise DjangoValidationError(problems)


class ObligationSerializer(serializers.Serializer[Any]):
    """One unit's report of one data set for one period, as it stands on the day asked."""

    data_set = serializers.CharField(source="data_set.code")
    org_unit = serializers.CharField(source="org_unit.code")
    org_unit_name = serializers.CharField(source="org_unit.name")
    period = serializers.CharField(source="period.code")
    due_date = serializers.DateField()
    state = serializers.ChoiceField(choices=ObligationState.choices)
    submitted_at = serializers.DateTimeField(allow_null=True)


class ReportStepSerializer(serializers.ModelSerializer[ReportStep]):
    user: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = ReportStep
        fields = ["action", "status_before", "status_after", "user", "at", "comment"]


class DataSetReportSerializer(serializers.ModelSerializer[DataSetReport]):
    """A unit's report of a data set for a period in data entry with approval, with its steps."""

    data_set = serializers.CharField(source="data_set.code", read_only=True)
    org_unit = serializers.CharField(source="org_unit.code", read_only=True)
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    submitted_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    decided_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    steps = ReportStepSerializer(many=True, read_only=True)

    class Meta:
        model = DataSetReport
        fields = [
            "id",
            "data_set",
            "org_unit",
            "org_unit_name",
            "period",
            "status",
            "submitted_at",
            "submitted_by",
            "decided_at",
            "decided_by",
            "comment",
            "steps",
        ]
        read_only_fields = fields


class ReportDecisionSerializer(serializers.Serializer[Any]):
    """A step's comment: required to return a report, as the reason to reopen one."""

    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

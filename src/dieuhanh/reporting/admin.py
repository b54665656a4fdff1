"""Admin of the reporting calendar: data sets (written by operators) and the reminders sent."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from dieuhanh.admin import ModelAdmin, TabularInline
from dieuhanh.reporting.models import DataSet, DataSetReport, ReportReminder, ReportStep
from dieuhanh.reporting.selectors import data_set_indicator_problems
from dieuhanh.reporting.services import DataSetInUseError, data_set_delete


class DataSetForm(forms.ModelForm[DataSet]):
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

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        period_type, indicators = data.get("period_type"), data.get("indicators")
        if period_type and indicators is not None:
            for problem in data_set_indicator_problems(period_type=period_type, indicators=indicators):
                self.add_error("indicators", problem)
        return data


@admin.register(DataSet)
class DataSetAdmin(ModelAdmin[DataSet]):
    form = DataSetForm
    list_display = [
        "code",
        "name",
        "period_type",
        "org_unit_kind",
        "org_unit_group",
        "due_day",
        "due_months_after",
        "approval",
    ]
    list_filter = ["period_type", "org_unit_kind", "approval"]
    search_fields = ["code", "name"]
    filter_horizontal = ["indicators"]

    def delete_model(self, request: HttpRequest, obj: DataSet) -> None:
        try:
            data_set_delete(data_set=obj)
        except DataSetInUseError as exc:
            self.message_user(request, str(exc), level=messages.ERROR)


@admin.register(ReportReminder)
class ReportReminderAdmin(ModelAdmin[ReportReminder]):
    list_display = ["data_set", "org_unit", "period", "kind", "due_date", "sent_at", "recipients"]
    list_filter = ["kind", "data_set"]
    raw_id_fields = ["org_unit"]
    readonly_fields = ["data_set", "org_unit", "period", "kind", "due_date", "sent_at", "recipients"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class ReportStepInline(TabularInline[ReportStep, DataSetReport]):
    model = ReportStep
    extra = 0
    fields = ["at", "action", "status_before", "status_after", "user", "comment"]
    readonly_fields = ["at", "action", "status_before", "status_after", "user", "comment"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DataSetReport)
class DataSetReportAdmin(ModelAdmin[DataSetReport]):
    """Read only: a report moves through the entry form and the approvals page, each step audited."""

    list_display = ["data_set", "org_unit", "period", "status", "submitted_at", "decided_at", "decided_by"]
    list_filter = ["status", "data_set"]
    search_fields = ["org_unit__code", "org_unit__name", "period"]
    list_select_related = ["data_set", "org_unit", "decided_by"]
    inlines = [ReportStepInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

"""Admin of the reporting calendar: data sets (written by operators) and the reminders sent."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from dieuhanh.reporting.models import DataSet, ReportReminder
from dieuhanh.reporting.selectors import data_set_indicator_problems
from dieuhanh.reporting.services import data_set_delete


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
class DataSetAdmin(admin.ModelAdmin[DataSet]):
    form = DataSetForm
    list_display = ["code", "name", "period_type", "org_unit_kind", "org_unit_group", "due_day", "due_months_after"]
    list_filter = ["period_type", "org_unit_kind"]
    search_fields = ["code", "name"]
    filter_horizontal = ["indicators"]

    def delete_model(self, request: HttpRequest, obj: DataSet) -> None:
        data_set_delete(data_set=obj)


@admin.register(ReportReminder)
class ReportReminderAdmin(admin.ModelAdmin[ReportReminder]):
    list_display = ["data_set", "org_unit", "period", "kind", "due_date", "sent_at", "recipients"]
    list_filter = ["kind", "data_set"]
    raw_id_fields = ["org_unit"]
    readonly_fields = ["data_set", "org_unit", "period", "kind", "due_date", "sent_at", "recipients"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

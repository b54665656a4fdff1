"""Admin for the reports kept: read them and, when a deployment must, delete them; never edit."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dieuhanh.admin import ModelAdmin
from dieuhanh.reports.models import GeneratedReport


@admin.register(GeneratedReport)
class GeneratedReportAdmin(ModelAdmin[GeneratedReport]):
    list_display = ("created_at", "org_unit", "period", "file_format", "trigger", "created_by", "size")
    list_filter = ("file_format", "trigger")
    search_fields = ("period", "org_unit__code", "org_unit__name")
    list_select_related = ("org_unit", "created_by")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # reports are made by the page, the command or the schedule

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a kept report is what was sent: never rewritten

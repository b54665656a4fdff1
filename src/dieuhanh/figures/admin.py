"""Admin of the figures' history and of the batches that wrote them: read-only, written by the system.

A data value's own admin page is the ingest app's: an edit there is checked as an imported row is.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dieuhanh.admin import ModelAdmin, admin_figure
from dieuhanh.figures.models import DataValueChange, ImportBatch


class ReadOnlyAdmin(ModelAdmin[Any]):
    """History is written by the system only."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DataValueChange)
class DataValueChangeAdmin(ReadOnlyAdmin):
    list_display = [
        "changed_at",
        "indicator",
        "org_unit",
        "period",
        "action",
        "shown_old_value",
        "shown_new_value",
        "changed_by",
        "batch",
    ]
    list_filter = ["action", "indicator"]
    search_fields = ["indicator__code", "org_unit__code", "period"]
    list_select_related = ["indicator", "org_unit", "changed_by", "batch"]

    @admin.display(description=_("old value"), ordering="old_value")
    def shown_old_value(self, obj: DataValueChange) -> str:
        return admin_figure(obj.old_value, obj.indicator.decimals)

    @admin.display(description=_("new value"), ordering="new_value")
    def shown_new_value(self, obj: DataValueChange) -> str:
        return admin_figure(obj.new_value, obj.indicator.decimals)


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "created_at",
        "source_name",
        "file_format",
        "status",
        "rows_total",
        "rows_created",
        "rows_updated",
        "created_by",
    ]
    list_filter = ["status", "file_format", "channel"]
    search_fields = ["source_name", "checksum"]
    list_select_related = ["created_by"]

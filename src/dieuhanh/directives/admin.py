"""Admin of the register: source documents, directives (read mostly; writes go through services),
agency contacts, reminders and notifications."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from dieuhanh.directives.models import (
    AgencyContact,
    Directive,
    EvidenceFile,
    Notification,
    ProgressUpdate,
    Reminder,
    SourceDocument,
)


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin[SourceDocument]):
    list_display = ["__str__", "kind", "number", "date", "issuer", "org_unit"]
    list_filter = ["kind"]
    search_fields = ["number", "title", "issuer"]
    date_hierarchy = "date"
    raw_id_fields = ["org_unit"]


class ProgressInline(admin.TabularInline[ProgressUpdate, Directive]):
    model = ProgressUpdate
    extra = 0
    fields = ("reported_on", "percent", "text", "occurrence_due", "review", "review_note", "created_by")
    readonly_fields = ("reported_on", "percent", "text", "occurrence_due", "review", "review_note", "created_by")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Directive)
class DirectiveAdmin(admin.ModelAdmin[Directive]):
    """Directives are added through the extraction page or the API (their status depends on the
    services); here they are looked up, and their text corrected."""

    list_display = ["id", "content", "lead_agency", "lead_group", "deadline", "recurrence", "due_date", "completed_on"]
    list_filter = ["recurrence", "lead_group"]
    search_fields = ["content"]
    list_select_related = ["lead_agency"]
    raw_id_fields = ["source", "parent", "lead_agency"]
    filter_horizontal = ["coordinating_agencies"]
    readonly_fields = [
        "lead_agency",
        "lead_group",
        "lead_agency_text",
        "coordinating_agencies_text",
        "deadline",
        "recurrence",
        "recurrence_day",
        "starts_on",
        "ends_on",
        "due_date",
        "completed_on",
        "completed_late",
        "progress",
    ]
    inlines = [ProgressInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Directive]:
        return super().get_queryset(request).select_related("lead_agency", "source")


@admin.register(AgencyContact)
class AgencyContactAdmin(admin.ModelAdmin[AgencyContact]):
    list_display = ["org_unit", "user", "email", "name"]
    list_select_related = ["org_unit", "user"]
    search_fields = ["org_unit__code", "org_unit__name", "user__username", "email", "name"]
    raw_id_fields = ["org_unit", "user"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin[Reminder]):
    list_display = ["directive", "due_date", "days_before", "sent_at", "recipients"]
    list_select_related = ["directive"]
    readonly_fields = ["directive", "due_date", "days_before", "sent_at", "recipients"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ["user", "message", "created_at", "read_at"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "directive"]


@admin.register(EvidenceFile)
class EvidenceFileAdmin(admin.ModelAdmin[EvidenceFile]):
    list_display = ["name", "size", "uploaded_at", "update"]
    list_select_related = ["update"]
    raw_id_fields = ["update"]

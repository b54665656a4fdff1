"""Admin of the register: source documents, directives (read mostly; writes go through services),
agency contacts, reminders and notifications."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from dieuhanh.admin import ModelAdmin, TabularInline
from dieuhanh.directives.models import (
    AgencyContact,
    Directive,
    DirectiveTransfer,
    EvidenceFile,
    Notification,
    ProgressUpdate,
    Reminder,
    SourceDocument,
)


@admin.register(SourceDocument)
class SourceDocumentAdmin(ModelAdmin[SourceDocument]):
    list_display = ["__str__", "kind", "number", "date", "issuer", "org_unit"]
    list_filter = ["kind"]
    search_fields = ["number", "title", "issuer"]
    date_hierarchy = "date"
    raw_id_fields = ["org_unit"]


class ProgressInline(TabularInline[ProgressUpdate, Directive]):
    model = ProgressUpdate
    extra = 0
    fields = ("reported_on", "percent", "text", "occurrence_due", "review", "review_note", "created_by")
    readonly_fields = ("reported_on", "percent", "text", "occurrence_due", "review", "review_note", "created_by")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Directive)
class DirectiveAdmin(ModelAdmin[Directive]):
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
class AgencyContactAdmin(ModelAdmin[AgencyContact]):
    list_display = ["org_unit", "user", "email", "name"]
    list_select_related = ["org_unit", "user"]
    search_fields = ["org_unit__code", "org_unit__name", "user__username", "email", "name"]
    raw_id_fields = ["org_unit", "user"]


@admin.register(Reminder)
class ReminderAdmin(ModelAdmin[Reminder]):
    list_display = ["directive", "due_date", "days_before", "sent_at", "recipients"]
    list_select_related = ["directive"]
    readonly_fields = ["directive", "due_date", "days_before", "sent_at", "recipients"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ModelAdmin[Notification]):
    list_display = ["user", "message", "created_at", "read_at"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "directive"]


@admin.register(EvidenceFile)
class EvidenceFileAdmin(ModelAdmin[EvidenceFile]):
    list_display = ["name", "size", "uploaded_at", "update"]
    list_select_related = ["update"]
    raw_id_fields = ["update"]


class DirectiveTransferForm(forms.ModelForm[DirectiveTransfer]):
    """A hand-over checked by the service's own rules before it is saved through the service."""

    class Meta:
        model = DirectiveTransfer
        fields = ["directive", "to_unit", "effective_date", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        directive, to_unit, day = data.get("directive"), data.get("to_unit"), data.get("effective_date")
        if directive is not None and to_unit is not None and day is not None:
            # The services import the text analysis (underthesea): not at every start, which imports the admin.
            from dieuhanh.directives.services import directive_transfer_problems  # noqa: PLC0415

            for problem in directive_transfer_problems(directive=directive, to_unit=to_unit, effective_date=day):
                self.add_error(None, problem)
        return data


@admin.register(DirectiveTransfer)
class DirectiveTransferAdmin(ModelAdmin[DirectiveTransfer]):
    """Hand-overs of directives (a split agency's, or any other): added here or by
    ``dieuhanh directives transfer``, through the service; kept as they are, as their own record."""

    form = DirectiveTransferForm
    list_display = ["directive", "from_unit", "to_unit", "effective_date", "created_by", "created_at"]
    list_select_related = ["directive", "from_unit", "to_unit", "created_by"]
    raw_id_fields = ["directive", "to_unit"]
    date_hierarchy = "effective_date"

    def get_readonly_fields(self, request: HttpRequest, obj: DirectiveTransfer | None = None) -> list[str]:
        if obj is not None:
            return ["directive", "from_unit", "to_unit", "effective_date", "note", "created_by", "created_at"]
        return []

    def has_delete_permission(self, request: HttpRequest, obj: DirectiveTransfer | None = None) -> bool:
        # A hand-over is undone by another one, so the record of both stays.
        return False

    def save_model(self, request: HttpRequest, obj: DirectiveTransfer, form: Any, change: bool) -> None:
        if change:
            return
        from dieuhanh.directives.services import directive_transfer  # noqa: PLC0415 - as in the form

        saved = directive_transfer(
            directive=obj.directive,
            to_unit=obj.to_unit,
            effective_date=obj.effective_date,
            note=obj.note,
            user=request.user,
        )
        obj.pk = saved.pk
        obj.from_unit = saved.from_unit

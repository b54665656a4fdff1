"""Admin of data values: an edit is checked as an imported row is, then written through the audited
service. (Their history and the import batches, read-only, are the figures app's admin.)"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dieuhanh.admin import ModelAdmin, admin_figure, plain_number
from dieuhanh.figures.models import DataValue
from dieuhanh.figures.services import FigureLockedError, figures_guard
from dieuhanh.ingest.parsers import RawRow
from dieuhanh.ingest.services import data_value_delete, data_value_set
from dieuhanh.ingest.validation import check_rows


class DataValueAdminForm(forms.ModelForm[DataValue]):
    """Runs the import checks (period type, min/max, validity) so errors show on the form."""

    class Meta:
        model = DataValue
        fields = ["indicator", "org_unit", "period", "value", "comment", "status"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and "value" not in self.data:
            self.initial["value"] = plain_number(self.instance.value)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        indicator = data.get("indicator") or getattr(self.instance, "indicator", None)
        org_unit = data.get("org_unit") or getattr(self.instance, "org_unit", None)
        period = data.get("period") or self.instance.period
        if indicator is None or org_unit is None or data.get("value") is None:
            return data
        row = RawRow(line=1, indicator=indicator.code, org_unit=org_unit.code, period=period, value=data["value"])
        checked, issues = check_rows([row])
        if issues:
            raise ValidationError([issue.message for issue in issues])
        try:
            # A figure of an approved report is locked (docs/calendar.md): say so on the form.
            figures_guard([(indicator.pk, org_unit.pk, checked[0].period.code)])
        except FigureLockedError as exc:
            raise ValidationError(str(exc)) from exc
        return data


@admin.register(DataValue)
class DataValueAdmin(ModelAdmin[DataValue]):
    list_display = ["indicator", "org_unit", "period", "shown_value", "status", "updated_by", "updated_at"]
    list_filter = ["status", "indicator__sector", "indicator"]
    search_fields = ["indicator__code", "org_unit__code", "org_unit__name", "period"]
    autocomplete_fields = ["indicator", "org_unit"]
    list_select_related = ["indicator", "org_unit", "updated_by"]
    fields = ["indicator", "org_unit", "period", "value", "comment", "status"]
    form = DataValueAdminForm
    show_full_result_count = False

    @admin.display(description=_("value"), ordering="value")
    def shown_value(self, obj: DataValue) -> str:
        return admin_figure(obj.value, obj.indicator.decimals)

    def get_readonly_fields(self, request: HttpRequest, obj: DataValue | None = None) -> list[str]:
        # The key of an existing value does not change: a different key is a different figure.
        return ["indicator", "org_unit", "period"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: DataValue, form: Any, change: bool) -> None:
        # The form has run the same checks, so the service does not refuse here.
        saved = data_value_set(
            indicator=obj.indicator,
            org_unit=obj.org_unit,
            period=obj.period,
            value=obj.value,
            comment=obj.comment,
            status=obj.status,
            user=request.user,
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: DataValue) -> None:
        try:
            data_value_delete(data_value=obj, user=request.user)
        except FigureLockedError as exc:
            self.message_user(request, str(exc), level=messages.ERROR)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[DataValue]) -> None:
        for value in queryset:
            try:
                data_value_delete(data_value=value, user=request.user)
            except FigureLockedError as exc:
                self.message_user(request, str(exc), level=messages.ERROR)

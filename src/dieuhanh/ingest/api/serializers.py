"""What the figures API reads and writes: data values (every digit kept), import batches, an upload."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from dieuhanh.figures.choices import DataValueStatus, ImportFormat
from dieuhanh.figures.models import DataValue, ImportBatch
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.api.serializers import UnitCodeField


def period_of(given: Mapping[str, Any]) -> tuple[dt.date, dt.date]:
    period = Period.parse(str(given["period"]))
    return period.start_date, period.end_date


class FigureField(serializers.DecimalField):
    """A figure as a number, or as text of the digits 0-9: other scripts' digits ("１２３") are refused,
    as an import refuses them, never read as a guess."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and not data.isascii():
            raise serializers.ValidationError(
                _("'%(value)s' is not a number; write it with the digits 0-9.") % {"value": data[:40]}
            )
        return super().to_internal_value(data)


class DataValueSerializer(serializers.ModelSerializer[DataValue]):
    indicator = serializers.SlugRelatedField(slug_field="code", queryset=Indicator.objects.all())
    # A value is a record about its period: its unit is the one the code names then, as in an import.
    org_unit = UnitCodeField(period_of=period_of, row=True)
    # Left out: decided by the data sets (docs/calendar.md, "Data entry and approval"); "approved"
    # only by an administrator.
    status = serializers.ChoiceField(choices=DataValueStatus.choices, required=False)
    value = FigureField(max_digits=24, decimal_places=6, label=DataValue._meta.get_field("value").verbose_name)
    updated_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = DataValue
        fields = ["id", "indicator", "org_unit", "period", "value", "comment", "status", "updated_by", "updated_at"]
        read_only_fields = ["id", "updated_by", "updated_at"]
        # Uniqueness is the service's business (an existing value is updated, not duplicated).
        validators: list[Any] = []


class ImportBatchSerializer(serializers.ModelSerializer[ImportBatch]):
    created_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "source_name",
            "file_format",
            "status",
            "channel",
            "checksum",
            "created_by",
            "created_at",
            "rows_total",
            "rows_created",
            "rows_updated",
            "rows_unchanged",
            "errors",
        ]


# POST /api/v1/imports/: a file, and how to read it.
IMPORT_UPLOAD = inline_serializer(
    "ImportUpload",
    {
        "file": serializers.FileField(),
        "dry_run": serializers.BooleanField(required=False),
        "format": serializers.ChoiceField(
            choices=[ImportFormat.CSV, ImportFormat.XLSX, ImportFormat.DHIS2_JSON, ImportFormat.DHIS2_CSV],
            required=False,
        ),
    },
)

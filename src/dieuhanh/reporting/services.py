"""Writes of the reporting calendar's data sets, one at a time (the API, the admin); a file of them
is loaded by ``loader.py``, each record checked by the API's serializer."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from dieuhanh.reporting.models import DataSet


def data_set_save(*, data_set: DataSet | None, data: dict[str, Any]) -> DataSet:
    """Create (``data_set`` None) or change a data set from checked fields (a serializer's
    ``validated_data``), its indicators included."""
    fields = dict(data)
    indicators = fields.pop("indicators", None)
    with transaction.atomic():
        record = data_set if data_set is not None else DataSet()
        for name, value in fields.items():
            setattr(record, name, value)
        record.save()
        if indicators is not None:
            record.indicators.set(indicators)
    return record


def data_set_delete(*, data_set: DataSet) -> None:
    """Delete a data set and the record of its reminders; no figure is touched."""
    with transaction.atomic():
        data_set.delete()

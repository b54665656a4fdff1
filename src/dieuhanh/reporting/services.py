"""Writes of the reporting calendar's data sets, one at a time (the API, the admin); a file of them
is loaded by ``loader.py``, each record checked by the API's serializer."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

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


class DataSetInUseError(ValueError):
    """The data set has reports entered and approved through it: their record is kept."""


def data_set_delete(*, data_set: DataSet) -> None:
    """Delete a data set and the record of its reminders; no figure is touched. A data set with
    reports entered (data entry with approval) is kept (DataSetInUseError): their steps are the
    record of who approved what; end its validity (``valid_to``) instead."""
    if data_set.reports.exists():
        raise DataSetInUseError(
            _(
                "“%(data_set)s” has reports entered and approved through it, whose history is kept: end its "
                "validity (valid to) instead of deleting it."
            )
            % {"data_set": data_set.name}
        )
    with transaction.atomic():
        data_set.delete()

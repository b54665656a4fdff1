"""Data sets from a file (``dieuhanh reporting load``, the demo): each record checked by the API's
serializer, all or nothing. Apart from ``services.py`` so that starting Django (the admin's
discovery) does not load the API's pieces."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from dieuhanh.api import RECORDS_BY_CODE
from dieuhanh.reporting.api.serializers import DataSetSerializer
from dieuhanh.reporting.models import DataSet
from dieuhanh.reporting.services import data_set_save

# The keys of one data set in a file are the API's fields (docs/calendar.md).
FILE_KEY = "data_sets"


class DataSetLoadError(ValueError):
    """A file of data sets was refused; ``messages`` say what to fix, each with where it is."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class DataSetLoadResult:
    created: int
    updated: int
    unchanged: int


def _snapshot(data_set: DataSet) -> tuple[Any, ...]:
    shown = DataSetSerializer(data_set).data
    return tuple(sorted((k, str(v) if not isinstance(v, list) else tuple(sorted(v))) for k, v in shown.items()))


def data_sets_load(*, records: Sequence[Any]) -> DataSetLoadResult:
    """Create or update data sets by code from ``records`` (dicts with the API's fields), all or
    nothing: every record is checked first, and every problem is reported at once."""
    if not isinstance(records, list):
        raise DataSetLoadError([_("'%(key)s' must be a list of data sets.") % {"key": FILE_KEY}])
    existing = {d.code: d for d in DataSet.objects.prefetch_related("indicators")}
    context: dict[str, Any] = {RECORDS_BY_CODE: {}}
    checked: list[tuple[DataSet | None, dict[str, Any]]] = []
    problems: list[str] = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            problems.append(_("Data set %(n)d: write it as a mapping of fields (code: …, name: …).") % {"n": number})
            continue
        code = str(record.get("code") or "")
        instance = existing.get(code)
        serializer = DataSetSerializer(instance, data=record, context=context)
        if not serializer.is_valid():
            where = _("Data set %(n)d (%(code)s)") % {"n": number, "code": code or "?"}
            for field, messages in serializer.errors.items():
                for message in messages if isinstance(messages, list) else [messages]:
                    problems.append(f"{where}, {field}: {message}")
            continue
        checked.append((instance, dict(serializer.validated_data)))
    if problems:
        raise DataSetLoadError(problems)
    created = updated = unchanged = 0
    with transaction.atomic():
        for instance, data in checked:
            before = _snapshot(instance) if instance is not None else None
            saved = data_set_save(data_set=instance, data=data)
            if before is None:
                created += 1
            elif _snapshot(saved) != before:
                updated += 1
            else:
                unchanged += 1
    return DataSetLoadResult(created, updated, unchanged)

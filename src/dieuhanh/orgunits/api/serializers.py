"""What the org units API reads and writes, and the field every API names a unit with."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import UnitLookupError, today, unit_among, unit_in, unit_lookup_error, units_by_code

# A period a record is about, read from the serializer's input: (first day, last day), or None.
PeriodOf = Callable[[Mapping[str, Any]], tuple[dt.date, dt.date] | None]


class UnitCodeField(serializers.SlugRelatedField[OrgUnit]):
    """A unit named by its code, resolved at a date (orgunits' resolver: a code names a unit only
    with a date).

    ``period_of`` reads the period the record is about from the input (a data value's period, a
    target's years): a record (``row=True``) goes to the unit valid on the period's first day, else
    the first that began within it, as an import row; a question to the unit valid on its last day.
    Without a period (or before it reads), today. ``on`` gives the date itself, for a caller
    that has one (a parent at its unit's ``valid_from``).
    """

    default_error_messages = {"does_not_exist": _("Unknown org unit '{value}'; check the code against the catalogue.")}

    def __init__(
        self,
        *,
        period_of: PeriodOf | None = None,
        on: Callable[[Mapping[str, Any]], dt.date | None] | None = None,
        row: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("queryset", None if kwargs.get("read_only") else OrgUnit.objects.all())
        super().__init__(slug_field="code", **kwargs)
        self.period_of, self.on, self.row = period_of, on, row

    def to_internal_value(self, data: Any) -> OrgUnit:
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        code = str(data).strip()
        given = self._input()
        units = units_by_code([code]).get(code, [])
        if not units:
            self.fail("does_not_exist", slug_name="code", value=code)
        period = self._read(self.period_of, given)
        day = self._read(self.on, given)
        try:
            if period is not None and self.row:
                unit = unit_in(units, *period)
                if unit is None:
                    raise unit_lookup_error(code, on=period[0], units=units)
                return unit
            if period is not None:
                return unit_among(units, code, on=period[1], since=period[0])
            return unit_among(units, code, on=day or today())
        except UnitLookupError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def _input(self) -> Mapping[str, Any]:
        data = getattr(self.root, "initial_data", None)
        return data if isinstance(data, Mapping) else {}

    @staticmethod
    def _read(reader: Callable[[Mapping[str, Any]], Any] | None, given: Mapping[str, Any]) -> Any:
        if reader is None:
            return None
        try:
            return reader(given)
        except (ValueError, TypeError, KeyError):
            return None  # the field that gives the date says what is wrong with it


def valid_from_of(given: Mapping[str, Any]) -> dt.date | None:
    """A unit's parent is named at the unit's ``valid_from`` (today for a unit without one)."""
    value = given.get("valid_from")
    return dt.date.fromisoformat(str(value)) if value else None


class OrgUnitSerializer(serializers.ModelSerializer[OrgUnit]):
    # DRF pops declared fields off the class, so this does not clash with Field.parent at run time.
    parent = UnitCodeField(on=valid_from_of, allow_null=True, required=False)  # type: ignore[assignment]
    id = serializers.IntegerField(read_only=True, help_text=_("Tells apart units that share a code at other times."))

    class Meta:
        model = OrgUnit
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "kind",
            "parent",
            "depth",
            "valid_from",
            "valid_to",
            "latitude",
            "longitude",
        ]
        read_only_fields = ["depth"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The model's own rules (a code shared only at other times, no cycle) on the would-be unit.
        instance = copy.copy(self.instance) if self.instance is not None else OrgUnit()
        for name, value in attrs.items():
            setattr(instance, name, value)
        try:
            instance.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            ) from exc
        return attrs

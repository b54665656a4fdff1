"""What the org units API reads and writes: units, their groups, their successions (checked by the
models' rules), and the field every API names a unit with: its code, at a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dieuhanh.api import RECORDS_BY_CODE, ModelRulesSerializer
from dieuhanh.orgunits.models import CatalogueChange, OrgUnit, OrgUnitGroup, Succession
from dieuhanh.orgunits.selectors import UnitLookupError, today, unit_among, unit_in, unit_lookup_error, units_by_code

# A period a record is about, read from the serializer's input: (first day, last day), or None.
PeriodOf = Callable[[Mapping[str, Any]], tuple[dt.date, dt.date] | None]
# A day read from the serializer's input, or None.
DayOf = Callable[[Mapping[str, Any]], dt.date | None]
# When a code is turned into a unit: ("row", first day, last day) for a record about a period, as an
# import row; ("question", day, since) for a question about a day (or the period [since, day]).
When = tuple[str, dt.date, dt.date | None]


class UnitCodeField(serializers.SlugRelatedField[OrgUnit]):
    """A unit named by its code, resolved at a date (orgunits' resolver: a code names a unit only
    with a date).

    ``period_of`` reads the period the record is about from the input (a data value's period, a
    target's years): a record (``row=True``) goes to the unit valid on the period's first day, else
    the first that began within it, as an import row; a question to the unit valid on its last day,
    else the last that ended within it. ``on`` gives the day itself (a parent at its unit's start, a
    succession's units around its date). Without either (or when the input gives no date): today,
    else the last unit with the code that ended before (an indicator's agency, a group's member).
    For a partial update, what the input leaves out is read from the record as it is.

    With a dict as ``context[RECORDS_BY_CODE]`` (the catalogue loader), the units carrying a code
    are looked up once, and each code is resolved once a date: the cache is keyed by code and date.
    """

    default_error_messages = {"does_not_exist": _("unknown unit '{value}'.")}

    def __init__(
        self,
        *,
        period_of: PeriodOf | None = None,
        on: DayOf | None = None,
        row: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("queryset", None if kwargs.get("read_only") else OrgUnit.objects.all())
        super().__init__(slug_field="code", **kwargs)
        self.period_of, self.on, self.row = period_of, on, row

    def to_internal_value(self, data: Any) -> OrgUnit:
        if isinstance(data, OrgUnit):
            return data  # a caller that holds the unit itself (the loader: a group's members as they are)
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        code = str(data).strip()
        try:
            unit = self.resolve(code, self._input(), known=self.context.get(RECORDS_BY_CODE))
        except UnitLookupError as exc:
            raise serializers.ValidationError(str(exc)) from exc
        if unit is None:
            self.fail("does_not_exist", slug_name="code", value=code)
        return unit

    def when(self, given: Mapping[str, Any]) -> When:
        """The date (or period) this field turns a code into a unit at, for the record ``given``."""
        period = _read(self.period_of, given)
        if period is not None:
            first, last = period
            return ("row", first, last) if self.row else ("question", last, first)
        day = _read(self.on, given)
        if day is not None:
            return ("question", day, None)
        return ("question", today(), dt.date.min)

    def resolve(
        self, code: str, given: Mapping[str, Any], *, known: MutableMapping[Any, Any] | None = None
    ) -> OrgUnit | None:
        """The unit ``code`` names for the record ``given``; None for a code no unit ever carried;
        UnitLookupError (with the units, their validity and successors) for one that names no unit then.

        ``known``: a dict in which the units of each code, and each (code, date)'s unit, are kept."""
        when = self.when(given)
        if known is None:
            return _unit_when(units_by_code([code]).get(code, []), code, when)
        key = (UnitCodeField, code, when)
        if key not in known:
            units = known.get((UnitCodeField, code))
            if units is None:
                units = known[(UnitCodeField, code)] = units_by_code([code]).get(code, [])
            known[key] = _unit_when(units, code, when)  # a code naming no unit then raises, and is not kept
        unit: OrgUnit | None = known[key]
        return unit

    def _input(self) -> Mapping[str, Any]:
        root = self.root
        data = getattr(root, "initial_data", None)
        given: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
        instance = getattr(root, "instance", None)
        if isinstance(instance, Model):
            return _Saved(given, instance)
        return given


def forget_code(known: MutableMapping[Any, Any], code: str | None) -> None:
    """Take a code's units out of a UnitCodeField cache (``known``), after one of them changed."""
    for key in [k for k in known if isinstance(k, tuple) and k[0] is UnitCodeField and k[1] == code]:
        del known[key]


def unit_code_field(serializer_class: type[serializers.Serializer[Any]], name: str) -> UnitCodeField:
    """A serializer's UnitCodeField, for a caller that resolves codes by its rule (the loader's keys)."""
    field = serializer_class().fields[name]
    if not isinstance(field, UnitCodeField):
        raise TypeError(f"{serializer_class.__name__}.{name} is not a UnitCodeField")
    return field


def _unit_when(units: list[OrgUnit], code: str, when: When) -> OrgUnit | None:
    if not units:
        return None
    kind, day, other = when
    if kind == "row" and other is not None:
        unit = unit_in(units, day, other)
        if unit is None:
            raise unit_lookup_error(code, on=day, units=units)
        return unit
    return unit_among(units, code, on=day, since=other)


def _read(reader: Callable[[Mapping[str, Any]], Any] | None, given: Mapping[str, Any]) -> Any:
    if reader is None:
        return None
    try:
        return reader(given)
    except (ValueError, TypeError, KeyError, OverflowError):
        return None  # the field that gives the date says what is wrong with it


class _Saved(Mapping[str, Any]):
    """The input of a partial update, over the record's own (not related) fields as they are saved."""

    def __init__(self, given: Mapping[str, Any], instance: Model) -> None:
        self.given, self.instance = given, instance

    def __getitem__(self, key: str) -> Any:
        if key in self.given:
            return self.given[key]
        try:
            field = self.instance._meta.get_field(key)
        except FieldDoesNotExist:
            raise KeyError(key) from None
        if field.is_relation or not hasattr(field, "attname"):
            raise KeyError(key)
        return getattr(self.instance, field.attname)

    def __iter__(self) -> Iterator[str]:
        saved = (f.name for f in self.instance._meta.concrete_fields if not f.is_relation)
        return iter(dict.fromkeys([*self.given, *saved]))

    def __len__(self) -> int:
        return sum(1 for _name in self)


def day_of(value: Any) -> dt.date | None:
    """A date as the input gives it (a date, or its ISO text); None for none."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def unit_start(given: Mapping[str, Any]) -> dt.date | None:
    """The day a unit's parent is named at: the unit's ``valid_from``; for a unit without one, its
    ``valid_to``; for a unit of all times, None (today)."""
    return day_of(given.get("valid_from")) or day_of(given.get("valid_to"))


def day_before_effective(given: Mapping[str, Any]) -> dt.date | None:
    """A succession's predecessor is the unit of the day before it takes effect."""
    day = day_of(given.get("effective_date"))
    return day - dt.timedelta(days=1) if day is not None else None


def effective(given: Mapping[str, Any]) -> dt.date | None:
    """A succession's successor is the unit of the day it takes effect."""
    return day_of(given.get("effective_date"))


class OrgUnitSerializer(ModelRulesSerializer[OrgUnit]):
    # DRF pops declared fields off the class, so this does not clash with Field.parent at run time.
    parent = UnitCodeField(on=unit_start, allow_null=True, required=False)  # type: ignore[assignment]
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
            "sort_order",
        ]
        read_only_fields = ["depth"]


class OrgUnitGroupSerializer(ModelRulesSerializer[OrgUnitGroup]):
    # A group has no date: each member is the unit its code names today, else the last that ended.
    members = UnitCodeField(many=True, required=False)

    class Meta:
        model = OrgUnitGroup
        fields = ["code", "name", "members"]


class SuccessionSerializer(ModelRulesSerializer[Succession]):
    predecessor = UnitCodeField(on=day_before_effective)
    successor = UnitCodeField(on=effective)

    class Meta:
        model = Succession
        fields = ["id", "predecessor", "successor", "effective_date", "merge_type", "share", "note"]


class CatalogueChangeSerializer(serializers.ModelSerializer[CatalogueChange]):
    """One change of the catalogue's history (read only)."""

    user = serializers.SerializerMethodField()
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField(), min_length=2, max_length=2),
        help_text=_("Each changed field: [old value, new value]; a related record by its code."),
    )

    class Meta:
        model = CatalogueChange
        fields = ["id", "at", "user", "way", "source", "action", "model", "object_id", "code", "key", "changes"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_user(self, obj: CatalogueChange) -> str | None:
        return obj.user.get_username() if obj.user is not None else None

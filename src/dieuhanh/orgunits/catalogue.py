"""The org units' sections of a catalogue document: ``org_units``, ``org_unit_groups``, ``successions``.

Each record goes through the serializer the API uses (``orgunits/api/serializers.py``), so a record
is refused by the same rules, in the same words, as a request. The sections load in this order: the
units, each after its parent; the groups, whose members they are; the successions between them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _

from dieuhanh.orgunits.api.serializers import (
    OrgUnitGroupSerializer,
    OrgUnitSerializer,
    SuccessionSerializer,
    UnitCodeField,
    day_of,
    forget_code,
    unit_code_field,
)
from dieuhanh.orgunits.documents import CatalogueLoad, Names, Record, Where, code, dependency_order, export_records
from dieuhanh.orgunits.models import OrgUnit, OrgUnitGroup, Succession, validity_text
from dieuhanh.orgunits.selectors import UnitLookupError, units_by_code

ORG_UNITS, ORG_UNIT_GROUPS, SUCCESSIONS = "org_units", "org_unit_groups", "successions"

# The document's names for the serializers' fields where they differ from the API's: none here.
# Beside them a unit may list its `groups`, which the groups' section reads (membership is theirs).
NAMES: dict[str, Names] = {ORG_UNITS: {}, ORG_UNIT_GROUPS: {}, SUCCESSIONS: {}}
UNIT_GROUPS = "groups"


def _twice(key: Any) -> str:
    return _("code '%(code)s' appears twice.") % {"code": key}


@dataclass
class _Unit:
    """A record of the ``org_units`` section, with the code and validity it gives and the unit of
    the database it is (None: a new one)."""

    record: Record
    code: str | None
    start: dt.date | None
    end: dt.date | None
    start_given: bool
    end_given: bool
    existing: OrgUnit | None = None
    refused: bool = False

    @property
    def interval(self) -> tuple[dt.date, dt.date]:
        """The validity the unit will have: the document's, else (left out) the unit's as it is."""
        start = self.start if self.start_given or self.existing is None else self.existing.valid_from
        end = self.end if self.end_given or self.existing is None else self.existing.valid_to
        return start or dt.date.min, end or dt.date.max

    def key_of(self, name: str) -> str:
        return self.record.origin.get(name, name)


def _day(record: Record, name: str) -> tuple[dt.date | None, bool]:
    """A date the record gives (None: none, or one the serializer will refuse) and whether it gives it."""
    if name not in record.data:
        return None, False
    try:
        return day_of(record.data[name]), True
    except (ValueError, TypeError):
        return None, False


def _overlap(a: tuple[dt.date, dt.date], b: tuple[dt.date, dt.date]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _unit_text(unit: OrgUnit) -> str:
    return f"{unit.name}, {unit.validity_text()}"


def org_units_load(load: CatalogueLoad) -> None:
    """Upsert the units, each after its parent, so that its place in the tree is right when it is saved.

    A code may repeat, its units valid at different times: a unit is known by its code and
    ``valid_from`` (``_match``). Its ``parent`` is named at its ``valid_from`` (``unit_start``), by
    the serializer: the units of the document that carry the parent's code are saved first."""
    records = load.records(ORG_UNITS, OrgUnitSerializer, NAMES[ORG_UNITS], extra={UNIT_GROUPS})
    units: list[_Unit] = []
    for record in records:
        start, start_given = _day(record, "valid_from")
        end, end_given = _day(record, "valid_to")
        units.append(_Unit(record, code(record.data.get("code")), start, end, start_given, end_given))
    by_code: dict[str, list[int]] = {}
    for index, unit in enumerate(units):
        if unit.code is not None:
            by_code.setdefault(unit.code, []).append(index)
    existing = units_by_code(by_code)
    for key, indices in by_code.items():
        _match(load, [units[i] for i in indices], existing.get(key, []))
        _refuse_overlaps(load, [units[i] for i in indices])

    def needs(index: int) -> list[int]:
        unit = units[index]
        parent = code(unit.record.data.get("parent"))
        # Every unit of the document with the parent's code, so that their validity is final when
        # the serializer names the parent at this unit's start.
        wanted = [i for i in by_code.get(parent, []) if i != index] if parent else []
        # A unit moving into the time another unit with its code leaves: after that one.
        same = by_code.get(unit.code, []) if unit.code is not None else []
        wanted += [
            i
            for i in same
            if i != index
            and (other := units[i].existing) is not None
            and _overlap((other.valid_from or dt.date.min, other.valid_to or dt.date.max), unit.interval)
        ]
        return wanted

    loadable = [i for i, unit in enumerate(units) if not unit.refused]
    order, cyclic = dependency_order(loadable, needs)
    unsettled: dict[int, list[str]] = {}  # the records no order saves, and the fields that are why
    for index in cyclic:
        unit = units[index]
        parent = code(unit.record.data.get("parent"))
        if parent is not None and any(i in cyclic for i in by_code.get(parent, [])):
            # A cycle inside the document (A under B under A) would never settle.
            message = _("the parents form a cycle through '%(code)s'.") % {"code": parent}
            load.problems.add(unit.record.where, message)
            unsettled[index] = ["parent"]
        else:
            message = _(
                "the units with code %(code)s change places in time; load the file in two steps: first "
                "the units whose validity shrinks, then the others."
            ) % {"code": unit.code}
            load.problems.add(unit.record.where.at(unit.key_of("valid_from")), message)
            unsettled[index] = ["parent", "valid_from", "valid_to"]
        load.problems.fail(ORG_UNITS, unit.code)
    # The parents looked up so far (UnitCodeField's cache), kept right here: a unit's entries go when
    # it is saved, all of them when a unit moves (the paths of its subtree change). A parent's units
    # are all saved before its children, so each parent's code is looked up about once.
    parents: dict[Any, Any] = {}
    for index in order:
        unit = units[index]
        # Read afresh, not from one query for all: moving a unit above moves its subtree's paths.
        instance = OrgUnit.objects.filter(pk=unit.existing.pk).first() if unit.existing is not None else None
        path = instance.path if instance is not None else None
        saved = load.upsert(
            ORG_UNITS,
            unit.record,
            OrgUnitSerializer,
            instance,
            references={"parent": ORG_UNITS},
            names=NAMES[ORG_UNITS],
            remember=parents,
        )
        if saved is None:
            load.problems.fail(ORG_UNITS, unit.code)
        elif path and getattr(saved, "path", path) != path:
            parents.clear()
        else:
            forget_code(parents, unit.code)
    for index, unit in enumerate(units):
        if unit.refused:
            # Its validity is what is wrong, and its parent is named at its start.
            unsettled[index] = ["parent", "valid_from", "valid_to"]
    for index, fields in unsettled.items():
        unit = units[index]
        instance = OrgUnit.objects.filter(pk=unit.existing.pk).first() if unit.existing is not None else None
        load.check_without(
            ORG_UNITS, unit.record, fields, OrgUnitSerializer, instance, names=NAMES[ORG_UNITS], remember=False
        )


def _match(load: CatalogueLoad, units: list[_Unit], existing: list[OrgUnit]) -> None:
    """Which unit of the database each record of one code is. First by the key, code and
    ``valid_from`` (a record without one is the unit without one); else the one unit with the code
    whose validity overlaps the record's (its start moves); none: a new unit. A record that
    overlaps several, or the unit another record took that way, is refused: it must say which."""
    taken: dict[int, _Unit] = {}
    for unit in units:
        same = next((u for u in existing if u.valid_from == unit.start and u.pk not in taken), None)
        if same is not None:
            unit.existing, taken[same.pk] = same, unit
    keyed = set(taken)
    for unit in units:
        if unit.existing is not None:
            continue
        span = (unit.start or dt.date.min, unit.end or dt.date.max)
        overlapping = [
            u
            for u in existing
            if u.pk not in keyed and _overlap((u.valid_from or dt.date.min, u.valid_to or dt.date.max), span)
        ]
        where = unit.record.where.at(unit.key_of("valid_from"))
        if len(overlapping) > 1:
            load.problems.add(
                where,
                _(
                    "which unit with code %(code)s is this? Its validity overlaps %(units)s; give the "
                    "valid_from of the one to change, or a validity that overlaps only it."
                )
                % {"code": unit.code, "units": "; ".join(_unit_text(u) for u in overlapping)},
            )
        elif overlapping and overlapping[0].pk in taken:
            other = taken[overlapping[0].pk]
            load.problems.add(
                where,
                _(
                    "%(where)s already changes %(unit)s, whose validity this record's overlaps too; give "
                    "each unit with code %(code)s its own valid_from."
                )
                % {"where": other.record.where, "unit": _unit_text(overlapping[0]), "code": unit.code},
            )
        elif overlapping:
            unit.existing, taken[overlapping[0].pk] = overlapping[0], unit
            continue
        else:
            continue
        unit.refused = True
        load.problems.fail(ORG_UNITS, unit.code)


def _refuse_overlaps(load: CatalogueLoad, units: list[_Unit]) -> None:
    """Units of the document sharing a code must not be valid on the same day: the later record
    is refused, naming the earlier one."""
    for later, unit in enumerate(units):
        if unit.refused:
            continue
        other = next(
            (u for u in units[:later] if not u.refused and _overlap(u.interval, unit.interval)),
            None,
        )
        if other is None:
            continue
        if other.start == unit.start:
            load.problems.add(unit.record.where, _twice(unit.code))
        else:
            start, end = other.interval
            validity = validity_text(None if start == dt.date.min else start, None if end == dt.date.max else end)
            load.problems.add(
                unit.record.where.at(unit.key_of("valid_from")),
                _(
                    "code %(code)s is also given at %(where)s, %(validity)s; units sharing a code must not "
                    "be valid at the same time: end one before the other starts."
                )
                % {"code": unit.code, "where": other.record.where, "validity": validity},
            )
        unit.refused = True
        load.problems.fail(ORG_UNITS, unit.code)


def org_unit_groups_load(load: CatalogueLoad) -> None:
    """Upsert the groups by code. A group's ``members`` become the units it lists, and the units that
    list the group in their own ``groups`` (a unit's ``groups`` adds it, and takes it out of none)."""
    records = load.records(ORG_UNIT_GROUPS, OrgUnitGroupSerializer, NAMES[ORG_UNIT_GROUPS])
    groups = load.keyed(records, lambda r: code(r.data.get("code")), _twice)
    existing = {g.code: g for g in OrgUnitGroup.objects.filter(code__in=[k for k in groups if isinstance(k, str)])}
    joining, first_where = _units_joining(load, set(groups))
    for key, record in groups.items():
        instance = existing.get(key)
        gained = joining.pop(key, []) if isinstance(key, str) else []
        if gained:
            given = record.data.get("members")
            if isinstance(given, list):
                record.data["members"] = [*given, *gained]
            elif "members" not in record.data:
                record.data["members"] = [*_members(instance), *gained]
        saved = load.upsert(
            ORG_UNIT_GROUPS,
            record,
            OrgUnitGroupSerializer,
            instance,
            references={"members": ORG_UNITS},
            names=NAMES[ORG_UNIT_GROUPS],
        )
        if saved is None:
            load.problems.fail(ORG_UNIT_GROUPS, key)
    # Groups the document names only in its units' `groups`: they gain those units.
    for group in OrgUnitGroup.objects.filter(code__in=joining):
        where = first_where[group.code]
        record = Record(
            where.at(UNIT_GROUPS),
            {},
            data={"members": [*_members(group), *joining[group.code]]},
            origin={"members": UNIT_GROUPS},
        )
        load.upsert(ORG_UNIT_GROUPS, record, OrgUnitGroupSerializer, group, references={"members": ORG_UNITS})


def _units_joining(load: CatalogueLoad, in_document: set[Any]) -> tuple[dict[str, list[OrgUnit]], dict[str, Where]]:
    """The units each group gains from the units' own ``groups`` (the very units of those records,
    whatever other unit carries their code), and where the first of them is."""
    raw = load.document.get(ORG_UNITS)
    items = [(i, item) for i, item in enumerate(raw if isinstance(raw, list) else []) if isinstance(item, dict)]
    named = {code(g) for _i, item in items if isinstance(item.get(UNIT_GROUPS), list) for g in item[UNIT_GROUPS]}
    known = in_document | set(OrgUnitGroup.objects.filter(code__in=named - in_document).values_list("code", flat=True))
    joining: dict[str, list[OrgUnit]] = {}
    first_where: dict[str, Where] = {}
    for index, item in items:
        if item.get(UNIT_GROUPS) is None:
            continue
        where = Where(ORG_UNITS, index)
        if not isinstance(item[UNIT_GROUPS], list):
            load.problems.add(where.at(UNIT_GROUPS), _("must be a list of group codes."))
            continue
        unit = load.loaded.get(where)
        for value in item[UNIT_GROUPS]:
            group = code(value)
            if group not in known:
                load.problems.add(where.at(UNIT_GROUPS), _("unknown group '%(code)s'.") % {"code": value})
            elif isinstance(unit, OrgUnit):
                joining.setdefault(group, []).append(unit)  # type: ignore[arg-type]
                first_where.setdefault(group, where)  # type: ignore[arg-type]
    return joining, first_where


def _members(group: OrgUnitGroup | None) -> list[OrgUnit]:
    """A group's members as they are: the units themselves, not their codes, which may name other
    units today."""
    return list(group.members.all()) if group is not None else []


def successions_load(load: CatalogueLoad) -> None:
    """Upsert the successions by their two units: the predecessor the unit its code names on the
    day before ``effective_date``, the successor the one its code names on it (so 25747 → 25747 on
    1/7/2025 links Phường Phú Cường to Phường Thủ Dầu Một)."""
    records = load.records(SUCCESSIONS, SuccessionSerializer, NAMES[SUCCESSIONS])
    fields = {name: unit_code_field(SuccessionSerializer, name) for name in ("predecessor", "successor")}

    def pair(record: Record) -> tuple[int, int] | None:
        # None when a code names no unit then: the serializer says why.
        units = []
        for name in ("predecessor", "successor"):
            given = code(record.data.get(name))
            try:
                unit = fields[name].resolve(given, record.data, known=load.known) if given else None
            except UnitLookupError:
                return None
            if unit is None:
                return None
            units.append(unit.pk)
        return units[0], units[1]

    successions = load.keyed(records, pair, lambda _key: _("this succession is given twice."))
    pairs = [key for key in successions if isinstance(key, tuple)]
    existing = {
        (s.predecessor_id, s.successor_id): s
        for s in Succession.objects.filter(
            predecessor_id__in={p for p, _s in pairs}, successor_id__in={s for _p, s in pairs}
        )
    }

    def lowers_a_share(item: tuple[Any, Record]) -> bool:
        key, record = item
        before, given = existing.get(key), record.data.get("share")
        try:
            return before is not None and given is not None and Decimal(str(given)) < (before.share or 0)
        except ArithmeticError:
            return False

    # A unit's part shares must never add up to more than 1, after each record as at the end: a file
    # moving 0.6/0.4 to 0.7/0.3 lowers 0.4 first, then raises 0.6 (each step within the final total).
    ordered = sorted(successions.items(), key=lambda item: not lowers_a_share(item))
    for key, record in ordered:
        load.upsert(
            SUCCESSIONS,
            record,
            SuccessionSerializer,
            existing.get(key),
            references={"predecessor": ORG_UNITS, "successor": ORG_UNITS},
            names=NAMES[SUCCESSIONS],
        )


def org_units_export() -> list[dict[str, Any]]:
    # Parents before children, and an order that does not depend on database ids.
    units = list(
        OrgUnit.objects.select_related("parent").order_by(
            "depth", "sort_order", "code", F("valid_from").asc(nulls_first=True)
        )
    )
    records = export_records(OrgUnitSerializer, units, NAMES[ORG_UNITS], omit={"sort_order": 0})
    elsewhere = _members_named_elsewhere()
    for unit, record in zip(units, records, strict=True):
        if unit.pk in elsewhere:
            record[UNIT_GROUPS] = sorted(elsewhere[unit.pk])
    return records


def org_unit_groups_export() -> list[dict[str, Any]]:
    groups = export_records(
        OrgUnitGroupSerializer,
        OrgUnitGroup.objects.prefetch_related("members"),
        NAMES[ORG_UNIT_GROUPS],
        keep={"members"},
    )
    elsewhere = _members_named_elsewhere()
    named = {(group, member) for member, groups_of in elsewhere.items() for group in groups_of}
    listed: dict[str, list[str]] = {}
    for group, member, member_code in OrgUnit.groups.through.objects.values_list(
        "orgunitgroup__code", "orgunit_id", "orgunit__code"
    ):
        if (group, member) not in named:
            listed.setdefault(group, []).append(member_code)
    return [{**group, "members": sorted(listed.get(group["code"], []))} for group in groups]


def _members_named_elsewhere() -> dict[int, list[str]]:
    """The groups' members that their code would not name in the file (an old unit whose code a
    later unit carries: a member's code names the unit of today), by unit, with their groups' codes.
    The export lists them in their own record's ``groups``, which the loader reads as that very unit."""
    memberships = OrgUnit.groups.through.objects.values_list("orgunitgroup__code", "orgunit_id", "orgunit__code")
    named = UnitCodeField()
    known: dict[Any, Any] = {}
    out: dict[int, list[str]] = {}
    for group, member, member_code in memberships:
        try:
            unit = named.resolve(member_code, {}, known=known)
        except UnitLookupError:
            unit = None
        if unit is None or unit.pk != member:
            out.setdefault(member, []).append(group)
    return out


def successions_export() -> list[dict[str, Any]]:
    successions = Succession.objects.select_related("predecessor", "successor").order_by(
        "predecessor__code", "successor__code", "effective_date"
    )
    return export_records(SuccessionSerializer, successions, NAMES[SUCCESSIONS])

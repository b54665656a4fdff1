"""The org units' sections of a catalogue document: ``org_units``, ``org_unit_groups``, ``successions``.

Each record goes through the serializer the API uses (``orgunits/api/serializers.py``), so a record
is refused by the same rules, in the same words, as a request. The sections load in this order: the
units, each after its parent; the groups, whose members they are; the successions between them.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from dieuhanh.orgunits.api.serializers import OrgUnitGroupSerializer, OrgUnitSerializer, SuccessionSerializer
from dieuhanh.orgunits.documents import CatalogueLoad, Names, Record, Where, code, dependency_order, export_records
from dieuhanh.orgunits.models import OrgUnit, OrgUnitGroup, Succession

ORG_UNITS, ORG_UNIT_GROUPS, SUCCESSIONS = "org_units", "org_unit_groups", "successions"

# The document's names for the serializers' fields where they differ from the API's: none here.
# Beside them a unit may list its `groups`, which the groups' section reads (membership is theirs).
NAMES: dict[str, Names] = {ORG_UNITS: {}, ORG_UNIT_GROUPS: {}, SUCCESSIONS: {}}
UNIT_GROUPS = "groups"


def _twice(key: Any) -> str:
    return _("code '%(code)s' appears twice.") % {"code": key}


def org_units_load(load: CatalogueLoad) -> None:
    """Upsert the units by code, each after its parent, so that its place in the tree is right when it is saved."""
    records = load.records(ORG_UNITS, OrgUnitSerializer, NAMES[ORG_UNITS], extra={UNIT_GROUPS})
    units = load.keyed(records, lambda r: code(r.data.get("code")), _twice)
    parent_of = {key: code(record.data.get("parent")) for key, record in units.items()}
    order, cyclic = dependency_order(units, lambda key: [parent_of[key]] if parent_of[key] else [])
    for key in cyclic:
        # A cycle inside the document (A under B under A) would never settle.
        load.problems.add(
            units[key].where, _("the parents form a cycle through '%(code)s'.") % {"code": parent_of[key]}
        )
        load.problems.fail(ORG_UNITS, key)
    for key in order:
        # Read afresh, not from one query for all: moving a unit above moves its subtree's paths.
        instance = OrgUnit.objects.filter(code=key).first() if isinstance(key, str) else None
        saved = load.upsert(
            ORG_UNITS,
            units[key],
            OrgUnitSerializer,
            instance,
            references={"parent": ORG_UNITS},
            names=NAMES[ORG_UNITS],
            remember=False,  # a parent's path changes when a unit above it moves
        )
        if saved is None:
            load.problems.fail(ORG_UNITS, key)
    for key in cyclic:
        instance = OrgUnit.objects.filter(code=key).first()
        load.check_without(
            ORG_UNITS, units[key], ["parent"], OrgUnitSerializer, instance, names=NAMES[ORG_UNITS], remember=False
        )


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
                record.data["members"] = [*_member_codes(instance), *gained]
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
            data={"members": [*_member_codes(group), *joining[group.code]]},
            origin={"members": UNIT_GROUPS},
        )
        load.upsert(ORG_UNIT_GROUPS, record, OrgUnitGroupSerializer, group, references={"members": ORG_UNITS})


def _units_joining(load: CatalogueLoad, in_document: set[Any]) -> tuple[dict[str, list[str]], dict[str, Where]]:
    """The units each group gains from the units' own ``groups``, and where the first of them is."""
    raw = load.document.get(ORG_UNITS)
    items = [(i, item) for i, item in enumerate(raw if isinstance(raw, list) else []) if isinstance(item, dict)]
    named = {code(g) for _i, item in items if isinstance(item.get(UNIT_GROUPS), list) for g in item[UNIT_GROUPS]}
    known = in_document | set(OrgUnitGroup.objects.filter(code__in=named - in_document).values_list("code", flat=True))
    joining: dict[str, list[str]] = {}
    first_where: dict[str, Where] = {}
    for index, item in items:
        if item.get(UNIT_GROUPS) is None:
            continue
        where = Where(ORG_UNITS, index)
        if not isinstance(item[UNIT_GROUPS], list):
            load.problems.add(where.at(UNIT_GROUPS), _("must be a list of group codes."))
            continue
        unit = code(item.get("code"))
        for value in item[UNIT_GROUPS]:
            group = code(value)
            if group not in known:
                load.problems.add(where.at(UNIT_GROUPS), _("unknown group '%(code)s'.") % {"code": value})
            elif unit is not None and not load.problems.has_failed(ORG_UNITS, unit):
                joining.setdefault(group, []).append(unit)  # type: ignore[arg-type]
                first_where.setdefault(group, where)  # type: ignore[arg-type]
    return joining, first_where


def _member_codes(group: OrgUnitGroup | None) -> list[str]:
    return list(group.members.values_list("code", flat=True)) if group is not None else []


def successions_load(load: CatalogueLoad) -> None:
    """Upsert the successions by their two units."""
    records = load.records(SUCCESSIONS, SuccessionSerializer, NAMES[SUCCESSIONS])

    def pair(record: Record) -> tuple[str, str] | None:
        predecessor, successor = code(record.data.get("predecessor")), code(record.data.get("successor"))
        return (predecessor, successor) if predecessor and successor else None

    successions = load.keyed(records, pair, lambda _key: _("this succession is given twice."))
    pairs = [key for key in successions if isinstance(key, tuple)]
    existing = {
        (s.predecessor.code, s.successor.code): s
        for s in Succession.objects.select_related("predecessor", "successor").filter(
            predecessor__code__in={p for p, _s in pairs}, successor__code__in={s for _p, s in pairs}
        )
    }
    for key, record in successions.items():
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
    units = OrgUnit.objects.select_related("parent").order_by("depth", "sort_order", "code")
    return export_records(OrgUnitSerializer, units, NAMES[ORG_UNITS], omit={"sort_order": 0})


def org_unit_groups_export() -> list[dict[str, Any]]:
    groups = export_records(
        OrgUnitGroupSerializer,
        OrgUnitGroup.objects.prefetch_related("members"),
        NAMES[ORG_UNIT_GROUPS],
        keep={"members"},
    )
    return [{**group, "members": sorted(group["members"])} for group in groups]


def successions_export() -> list[dict[str, Any]]:
    successions = Succession.objects.select_related("predecessor", "successor").order_by(
        "predecessor__code", "successor__code"
    )
    return export_records(SuccessionSerializer, successions, NAMES[SUCCESSIONS])

"""The indicators' sections of a catalogue document: ``sectors``, ``indicators``, ``targets``.

Each record goes through the serializer the API uses (``indicators/api/serializers.py``), whose
checks include the model's own rules (a ratio's operands: ``Indicator.clean``), so a record is
refused by the same rules, in the same words, as a request. The sections load after the org units
(an indicator's agency, a target's unit), in this order: the sectors; the indicators, each after
its numerator and denominator; the targets.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from dieuhanh.indicators.api.serializers import IndicatorSerializer, SectorSerializer, TargetSerializer
from dieuhanh.indicators.choices import Aggregation
from dieuhanh.indicators.models import (
    Indicator,
    Sector,
    Target,
    public_user_problem,
    public_users_checked_later,
    public_users_of,
)
from dieuhanh.orgunits.api.serializers import unit_code_field
from dieuhanh.orgunits.catalogue import ORG_UNITS
from dieuhanh.orgunits.documents import CatalogueLoad, Names, Record, Spread, code, dependency_order, export_records
from dieuhanh.orgunits.selectors import UnitLookupError

SECTORS, INDICATORS, TARGETS = "sectors", "indicators", "targets"


def _one_year(value: Any) -> tuple[Any, Any]:
    return value, value


def _plan_period(value: Any) -> tuple[int, int]:
    text = str(value).strip()
    parts = text.replace("–", "-").split("-")
    if len(parts) == 2 and all(p.strip().isdigit() for p in parts):
        return int(parts[0]), int(parts[1])
    raise ValueError(_("'%(value)s' must look like 2021-2025.") % {"value": text})


# The catalogue file's own names for the API's fields: document key → serializer field(s). A record
# may use either name (not both); the export writes these. Every other key is the API's own name.
NAMES: dict[str, Names] = {
    SECTORS: {},
    INDICATORS: {"min": "min_value", "max": "max_value", "public": "is_public", "rate": "is_rate"},
    TARGETS: {
        "year": Spread(("year_from", "year_to"), _one_year),  # an annual plan: 2023
        "plan_period": Spread(("year_from", "year_to"), _plan_period),  # a plan period: "2021-2025"
    },
}


def _by_code(record: Record) -> str | None:
    return code(record.data.get("code"))


def _twice(key: Any) -> str:
    return _("code '%(code)s' appears twice.") % {"code": key}


def sectors_load(load: CatalogueLoad) -> None:
    sectors = load.keyed(load.records(SECTORS, SectorSerializer, NAMES[SECTORS]), _by_code, _twice)
    existing = {s.code: s for s in Sector.objects.filter(code__in=[k for k in sectors if isinstance(k, str)])}
    for key, record in sectors.items():
        if load.upsert(SECTORS, record, SectorSerializer, existing.get(key), names=NAMES[SECTORS]) is None:
            load.problems.fail(SECTORS, key)


def indicators_load(load: CatalogueLoad) -> None:
    """Upsert the indicators by code, each after its numerator and denominator: a ratio is checked
    against its operands as they will be."""
    names = NAMES[INDICATORS]
    indicators = load.keyed(load.records(INDICATORS, IndicatorSerializer, names), _by_code, _twice)
    operands = {
        key: [c for c in (code(r.data.get("numerator")), code(r.data.get("denominator"))) if c]
        for key, r in indicators.items()
    }
    order, cyclic = dependency_order(indicators, operands.__getitem__)
    existing = {
        i.code: i
        for i in Indicator.objects.select_related("numerator", "denominator").filter(
            code__in=[k for k in indicators if isinstance(k, str)]
        )
    }
    references = {
        "numerator": INDICATORS,
        "denominator": INDICATORS,
        "sector": SECTORS,
        "responsible_agency": ORG_UNITS,
    }
    looping: dict[Any, list[str]] = {}
    for key in cyclic:
        # No order saves these: each needs another saved first.
        record = indicators[key]
        looping[key] = []
        for name in ("numerator", "denominator"):
            operand = code(record.data.get(name))
            if operand == key:
                message = _("a ratio cannot use itself.")
            elif operand in cyclic:
                message = _("'%(code)s' uses this indicator in turn: the operands of a ratio cannot be ratios.") % {
                    "code": operand
                }
            else:
                continue
            load.problems.add(record.where.at(record.origin.get(name, name)), message)
            looping[key].append(name)
        load.problems.fail(INDICATORS, key)
    # Whether a public indicator uses one made non-public is asked once all are saved (below): the
    # ratio may be made non-public by the same file, after its parts.
    with public_users_checked_later():
        for key in order:
            saved = load.upsert(
                INDICATORS, indicators[key], IndicatorSerializer, existing.get(key), references=references, names=names
            )
            if saved is None:
                load.problems.fail(INDICATORS, key)
    _refuse_public_users(load, {key: indicators[key] for key in order if key in existing})
    for key, fields in looping.items():
        load.check_without(
            INDICATORS,
            indicators[key],
            fields,
            IndicatorSerializer,
            existing.get(key),
            references=references,
            names=names,
        )


def _refuse_public_users(load: CatalogueLoad, records: dict[Any, Record]) -> None:
    """Refuse an indicator of the file made non-public while a public indicator is computed from it
    (``Indicator.publicity_problems``), as the catalogue stands once the file's indicators are saved."""
    hidden = {
        saved.pk: record
        for record in records.values()
        if isinstance(saved := load.loaded.get(record.where), Indicator) and not saved.is_public
    }
    if not hidden:
        return
    for user in public_users_of(hidden):
        for pk in (user.numerator_id, user.denominator_id):
            record = hidden.get(pk) if pk is not None else None
            if record is not None:
                load.problems.add(
                    record.where.at(record.origin.get("is_public", "public")), public_user_problem(user.code)
                )


def targets_load(load: CatalogueLoad) -> None:
    """Upsert the targets by indicator, unit and years."""
    records = load.records(TARGETS, TargetSerializer, NAMES[TARGETS])
    for record in records:
        if not {"year_from", "year_to"} & (set(record.origin) | record.claimed):
            load.problems.add(record.where, _("needs year (e.g. 2023) or plan_period (e.g. 2021-2025)."))
            record.claimed.update(("year_from", "year_to"))

    unit_field = unit_code_field(TargetSerializer, "org_unit")

    def key_of(record: Record) -> tuple[str, int, int, int] | None:
        # The unit as the serializer will name it, at the target's years; None when the code names
        # none then (the serializer says why).
        indicator, unit_code = code(record.data.get("indicator")), code(record.data.get("org_unit"))
        year_from, year_to = _year(record.data.get("year_from")), _year(record.data.get("year_to"))
        if indicator is None or unit_code is None or year_from is None or year_to is None:
            return None
        try:
            unit = unit_field.resolve(unit_code, record.data, known=load.known)
        except UnitLookupError:
            return None
        return (indicator, unit.pk, year_from, year_to) if unit is not None else None

    targets = load.keyed(records, key_of, lambda _key: _("this target is given twice."))
    keys = [key for key in targets if isinstance(key, tuple)]
    existing = {
        (t.indicator.code, t.org_unit_id, t.year_from, t.year_to): t
        for t in Target.objects.select_related("indicator").filter(
            indicator__code__in={k[0] for k in keys}, org_unit_id__in={k[1] for k in keys}
        )
    }
    for key, record in targets.items():
        load.upsert(
            TARGETS,
            record,
            TargetSerializer,
            existing.get(key),
            references={"indicator": INDICATORS, "org_unit": ORG_UNITS},
            names=NAMES[TARGETS],
        )


def _year(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def sectors_export() -> list[dict[str, Any]]:
    return export_records(SectorSerializer, Sector.objects.all(), NAMES[SECTORS])


def indicators_export() -> list[dict[str, Any]]:
    indicators = Indicator.objects.select_related("numerator", "denominator", "sector", "responsible_agency")
    rows = export_records(IndicatorSerializer, indicators, NAMES[INDICATORS], omit={"is_rate": False, "sort_order": 0})
    for row in rows:
        if row.get("aggregation") != Aggregation.RATIO:
            row.pop("factor", None)  # only a ratio has one
    return rows


def targets_export() -> list[dict[str, Any]]:
    rows = export_records(TargetSerializer, Target.objects.select_related("indicator", "org_unit"), NAMES[TARGETS])
    out = []
    for row in rows:
        # The years as the document names them: `year` for an annual plan, else `plan_period`.
        first, last = row.pop("year_from"), row.pop("year_to")
        years = {"year": first} if first == last else {"plan_period": f"{first}-{last}"}
        out.append({"indicator": row.pop("indicator"), "org_unit": row.pop("org_unit"), **years, **row})
    return out

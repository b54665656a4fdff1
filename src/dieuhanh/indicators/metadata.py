"""Load and export the catalogue (org units, indicators, targets) as one JSON or YAML document.

The document has the keys ``sectors``, ``org_unit_groups``, ``org_units``,
``successions``, ``indicators`` and ``targets`` (all optional). Loading upserts by
code, checks the whole document first and writes nothing unless all of it is
right, so a province's catalogue can be kept in a file under version control.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from dieuhanh.indicators.choices import Aggregation, CollectionLevel, Direction, IndicatorPeriodType
from dieuhanh.indicators.models import Indicator, Sector, Target, ratio_operand_problem
from dieuhanh.orgunits.choices import OrgUnitKind
from dieuhanh.orgunits.models import OrgUnit, OrgUnitGroup, Succession

T = TypeVar("T")


class MetadataError(Exception):
    """The document cannot be loaded; ``errors`` lists every problem with where it is."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class MetadataLoadResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, *, created: bool) -> None:
        bucket = self.created if created else self.updated
        bucket[kind] = bucket.get(kind, 0) + 1


def metadata_read_file(path: Path) -> dict[str, Any]:
    """Parse a JSON or YAML file into a document, with a readable error if it is neither."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise MetadataError([_("File %(path)s does not exist.") % {"path": path}]) from exc
    except UnicodeDecodeError as exc:
        raise MetadataError([_("File %(path)s is not UTF-8 text.") % {"path": path}]) from exc
    try:
        document = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise MetadataError([_("File %(path)s cannot be read: %(error)s") % {"path": path, "error": exc}]) from exc
    if not isinstance(document, dict):
        raise MetadataError([_("The document must be an object with keys such as org_units, indicators, targets.")])
    return document


KEYS = {
    "sectors": {"code", "name", "name_en", "sort_order"},
    "org_unit_groups": {"code", "name", "members"},
    "org_units": {
        "code", "name", "name_en", "parent", "kind", "valid_from", "valid_to", "latitude", "longitude",
        "sort_order", "groups",
    },
    "successions": {"predecessor", "successor", "effective_date", "share", "note"},
    "indicators": {
        "code", "name", "name_en", "short_name", "description", "unit", "unit_en", "period_type", "aggregation",
        "numerator", "denominator", "factor", "direction", "decimals", "min", "max", "sector",
        "responsible_agency", "public", "legal_source", "sort_order", "rate", "collected_at",
    },
    "targets": {"indicator", "org_unit", "year", "plan_period", "value", "note", "source"},
}  # fmt: skip


class _Checker:
    """Collects every problem in a document instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def items(self, document: Mapping[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
        raw = document.get(key) or []
        if not isinstance(raw, list):
            self.error(key, _("must be a list."))
            return []
        out = []
        for i, item in enumerate(raw):
            where = f"{key}[{i}]"
            if not isinstance(item, dict):
                self.error(where, _("must be an object."))
                continue
            for unknown in sorted(set(map(str, item)) - KEYS.get(key, set(map(str, item)))):
                # Often a comma inside an unquoted YAML value, which splits it into a second key.
                self.error(
                    f"{where}.{unknown}",
                    _("unknown key; check the spelling, and quote a value that contains a comma."),
                )
            out.append((where, item))
        return out

    def text(self, where: str, item: Mapping[str, Any], key: str, *, required: bool, max_length: int) -> str | None:
        value = item.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(f"{where}.{key}", _("is required."))
            return None
        text = str(value).strip()
        if len(text) > max_length:
            self.error(f"{where}.{key}", _("is longer than %(n)d characters.") % {"n": max_length})
            return None
        return text

    def choice(self, where: str, item: Mapping[str, Any], key: str, choices: Iterable[str]) -> str | None:
        value = item.get(key)
        if value is None:
            return None
        allowed = list(choices)
        if str(value) not in allowed:
            self.error(
                f"{where}.{key}",
                _("'%(value)s' is not one of: %(allowed)s.") % {"value": value, "allowed": ", ".join(allowed)},
            )
            return None
        return str(value)

    def number(self, where: str, item: Mapping[str, Any], key: str) -> Decimal | None:
        value = item.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            self.error(f"{where}.{key}", _("'%(value)s' is not a number.") % {"value": value})
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.error(f"{where}.{key}", _("'%(value)s' is not a number.") % {"value": value})
            return None
        if not number.is_finite():
            self.error(f"{where}.{key}", _("'%(value)s' is not a number.") % {"value": value})
            return None
        return number

    def integer(self, where: str, item: Mapping[str, Any], key: str, *, low: int, high: int) -> int | None:
        value = item.get(key)
        if value is None or value == "":
            return None
        try:
            number = int(str(value).strip())
        except ValueError:
            self.error(f"{where}.{key}", _("'%(value)s' is not a whole number.") % {"value": value})
            return None
        if not low <= number <= high:
            self.error(f"{where}.{key}", _("must be between %(low)d and %(high)d.") % {"low": low, "high": high})
            return None
        return number

    def date(self, where: str, item: Mapping[str, Any], key: str) -> dt.date | None:
        value = item.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.error(f"{where}.{key}", _("'%(value)s' is not a date in the form 2025-07-01.") % {"value": value})
            return None

    def boolean(self, where: str, item: Mapping[str, Any], key: str) -> bool | None:
        value = item.get(key)
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"true", "1", "yes", "có"}:
            return True
        if text in {"false", "0", "no", "không"}:
            return False
        self.error(f"{where}.{key}", _("'%(value)s' is not true or false.") % {"value": value})
        return None


def _apply(instance: T, values: Mapping[str, Any]) -> T:
    for name, value in values.items():
        setattr(instance, name, value)
    return instance


def _upsert(
    model: type[Any], lookup: Mapping[str, Any], values: Mapping[str, Any], result: MetadataLoadResult, kind: str
) -> Any:
    instance = model.objects.filter(**lookup).first()
    created = instance is None
    if created:
        instance = model(**lookup)
    elif all(getattr(instance, k) == v for k, v in values.items()):
        return instance
    _apply(instance, values)
    instance.full_clean(validate_unique=False, validate_constraints=False)
    instance.save()
    result.count(kind, created=created)
    return instance


def _present(values: dict[str, Any]) -> dict[str, Any]:
    """Keep only the fields the document actually gave, so an upsert leaves the rest alone."""
    return {k: v for k, v in values.items() if v is not None}


def metadata_load(*, document: Mapping[str, Any]) -> MetadataLoadResult:
    """Check the whole document, then upsert it in one transaction; raise MetadataError if anything is wrong."""
    check = _Checker()
    unknown = set(document) - {"sectors", "org_unit_groups", "org_units", "successions", "indicators", "targets"}
    for key in sorted(unknown):
        check.error(
            key, _("unknown key; expected sectors, org_unit_groups, org_units, successions, indicators, targets.")
        )

    sectors = _check_sectors(check, document)
    groups = _check_groups(check, document)
    units = _check_org_units(check, document, set(groups))
    successions = _check_successions(check, document, set(units))
    indicators = _check_indicators(check, document, set(sectors), set(units))
    targets = _check_targets(check, document, set(indicators), set(units))
    if check.errors:
        raise MetadataError(check.errors)

    result = MetadataLoadResult()
    with transaction.atomic():
        sector_by_code = {s.code: s for s in Sector.objects.all()}
        for code, values in sectors.items():
            sector_by_code[code] = _upsert(Sector, {"code": code}, values, result, "sectors")

        group_members: dict[str, list[str]] = {}
        group_by_code = {g.code: g for g in OrgUnitGroup.objects.all()}
        for code, (values, members) in groups.items():
            group_by_code[code] = _upsert(OrgUnitGroup, {"code": code}, values, result, "org_unit_groups")
            group_members[code] = members

        unit_by_code = _load_org_units(units, result)
        for code, members in group_members.items():
            member_units = [unit_by_code.get(m) or OrgUnit.objects.get(code=m) for m in members]
            group_by_code[code].members.add(*member_units)
        for code, unit_values in units.items():
            for group_code in unit_values.get("_groups", []):
                unit_by_code[code].groups.add(
                    group_by_code.get(group_code) or OrgUnitGroup.objects.get(code=group_code)
                )

        for (predecessor, successor), values in successions.items():
            _upsert(
                Succession,
                {"predecessor": _unit(unit_by_code, predecessor), "successor": _unit(unit_by_code, successor)},
                values,
                result,
                "successions",
            )

        _load_indicators(indicators, sector_by_code, unit_by_code, result)

        indicator_by_code = {i.code: i for i in Indicator.objects.filter(code__in={t[0] for t in targets})}
        for (indicator, unit, year_from, year_to), values in targets.items():
            _upsert(
                Target,
                {
                    "indicator": indicator_by_code[indicator],
                    "org_unit": _unit(unit_by_code, unit),
                    "year_from": year_from,
                    "year_to": year_to,
                },
                values,
                result,
                "targets",
            )
    return result


def _unit(cache: dict[str, OrgUnit], code: str) -> OrgUnit:
    if code not in cache:
        cache[code] = OrgUnit.objects.get(code=code)
    return cache[code]


def _check_sectors(check: _Checker, document: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for where, item in check.items(document, "sectors"):
        code = check.text(where, item, "code", required=True, max_length=32)
        name = check.text(where, item, "name", required=True, max_length=200)
        values = _present(
            {
                "name": name,
                "name_en": check.text(where, item, "name_en", required=False, max_length=200),
                "sort_order": check.integer(where, item, "sort_order", low=-(10**6), high=10**6),
            }
        )
        if code:
            if code in out:
                check.error(where, _("code '%(code)s' appears twice.") % {"code": code})
            out[code] = values
    return out


def _check_groups(check: _Checker, document: Mapping[str, Any]) -> dict[str, tuple[dict[str, Any], list[str]]]:
    out: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for where, item in check.items(document, "org_unit_groups"):
        code = check.text(where, item, "code", required=True, max_length=32)
        name = check.text(where, item, "name", required=True, max_length=200)
        members = item.get("members") or []
        if not isinstance(members, list):
            check.error(f"{where}.members", _("must be a list of unit codes."))
            members = []
        if code:
            out[code] = (_present({"name": name}), [str(m) for m in members])
    return out


def _check_org_units(check: _Checker, document: Mapping[str, Any], group_codes: set[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    wheres: dict[str, str] = {}
    for where, item in check.items(document, "org_units"):
        code = check.text(where, item, "code", required=True, max_length=32)
        values: dict[str, Any] = _present(
            {
                "name": check.text(where, item, "name", required=True, max_length=200),
                "name_en": check.text(where, item, "name_en", required=False, max_length=200),
                "kind": check.choice(where, item, "kind", OrgUnitKind.values),
                "valid_from": check.date(where, item, "valid_from"),
                "valid_to": check.date(where, item, "valid_to"),
                "latitude": _float(check, where, item, "latitude"),
                "longitude": _float(check, where, item, "longitude"),
                "sort_order": check.integer(where, item, "sort_order", low=-(10**6), high=10**6),
            }
        )
        if "parent" in item:
            values["_parent"] = str(item["parent"]).strip() if item["parent"] not in (None, "") else None
        if values.get("valid_from") and values.get("valid_to") and values["valid_to"] < values["valid_from"]:
            check.error(f"{where}.valid_to", _("is before valid_from."))
        groups = item.get("groups") or []
        if not isinstance(groups, list):
            check.error(f"{where}.groups", _("must be a list of group codes."))
            groups = []
        values["_groups"] = [str(g) for g in groups]
        if code:
            if code in out:
                check.error(where, _("code '%(code)s' appears twice.") % {"code": code})
            out[code] = values
            wheres[code] = where

    known = set(
        OrgUnit.objects.filter(code__in={v.get("_parent") for v in out.values()} - set(out)).values_list(
            "code", flat=True
        )
    )
    for code, values in out.items():
        parent = values.get("_parent")
        if parent and parent not in out and parent not in known:
            check.error(
                f"{wheres[code]}.parent",
                _("unit '%(code)s' is neither in the document nor in the catalogue.") % {"code": parent},
            )
        for group in values["_groups"]:
            if group not in group_codes and not OrgUnitGroup.objects.filter(code=group).exists():
                check.error(f"{wheres[code]}.groups", _("unknown group '%(code)s'.") % {"code": group})
    # A cycle inside the document (A under B under A) would never settle.
    for code, values in out.items():
        seen = {code}
        parent = values.get("_parent")
        while parent in out:
            if parent in seen:
                check.error(wheres[code], _("the parents form a cycle through '%(code)s'.") % {"code": parent})
                break
            seen.add(parent)
            parent = out[parent].get("_parent")
    # Not check.items again: that would report the groups' own problems a second time.
    raw_groups = document.get("org_unit_groups")
    group_items: list[Any] = raw_groups if isinstance(raw_groups, list) else []
    for i, item in enumerate(group_items):
        where = f"org_unit_groups[{i}]"
        members = item.get("members") if isinstance(item, dict) else None
        for member in members if isinstance(members, list) else []:
            if str(member) not in out and not OrgUnit.objects.filter(code=str(member)).exists():
                check.error(f"{where}.members", _("unknown unit '%(code)s'.") % {"code": member})
    return out


def _float(check: _Checker, where: str, item: Mapping[str, Any], key: str) -> float | None:
    number = check.number(where, item, key)
    return float(number) if number is not None else None


def _load_org_units(units: dict[str, dict[str, Any]], result: MetadataLoadResult) -> dict[str, OrgUnit]:
    """Upsert units parents first, so each one's path is right when it is saved."""
    cache: dict[str, OrgUnit] = {}
    done: set[str] = set()

    def visit(code: str) -> None:
        if code in done:
            return
        done.add(code)
        values = units[code]
        parent_code = values.get("_parent")
        if parent_code in units:
            visit(parent_code)
        fields = {k: v for k, v in values.items() if not k.startswith("_")}
        if "_parent" in values:
            fields["parent"] = _unit(cache, parent_code) if parent_code else None
        cache[code] = _upsert(OrgUnit, {"code": code}, fields, result, "org_units")

    for code in units:
        visit(code)
    return cache


def _check_successions(
    check: _Checker, document: Mapping[str, Any], unit_codes: set[str]
) -> dict[tuple[str, str], dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for where, item in check.items(document, "successions"):
        predecessor = check.text(where, item, "predecessor", required=True, max_length=32)
        successor = check.text(where, item, "successor", required=True, max_length=32)
        effective = check.date(where, item, "effective_date")
        if effective is None and "effective_date" not in item:
            check.error(f"{where}.effective_date", _("is required."))
        share = check.number(where, item, "share")
        if share is not None and not (0 < share <= 1):
            check.error(f"{where}.share", _("must be greater than 0 and at most 1."))
        for key, code in (("predecessor", predecessor), ("successor", successor)):
            if code and code not in unit_codes and not OrgUnit.objects.filter(code=code).exists():
                check.error(f"{where}.{key}", _("unknown unit '%(code)s'.") % {"code": code})
        if predecessor and successor:
            out[(predecessor, successor)] = {
                "effective_date": effective,
                "share": share,
                "note": check.text(where, item, "note", required=False, max_length=200) or "",
            }
    return out


def _check_indicators(
    check: _Checker, document: Mapping[str, Any], sector_codes: set[str], unit_codes: set[str]
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    wheres: dict[str, str] = {}
    for where, item in check.items(document, "indicators"):
        code = check.text(where, item, "code", required=True, max_length=64)
        values: dict[str, Any] = _present(
            {
                "name": check.text(where, item, "name", required=True, max_length=300),
                "name_en": check.text(where, item, "name_en", required=False, max_length=300),
                "short_name": check.text(where, item, "short_name", required=False, max_length=100),
                "description": check.text(where, item, "description", required=False, max_length=5000),
                "unit": check.text(where, item, "unit", required=False, max_length=50),
                "unit_en": check.text(where, item, "unit_en", required=False, max_length=50),
                "period_type": check.choice(where, item, "period_type", IndicatorPeriodType.values),
                "aggregation": check.choice(where, item, "aggregation", Aggregation.values),
                "direction": check.choice(where, item, "direction", Direction.values),
                "decimals": check.integer(where, item, "decimals", low=0, high=6),
                "factor": check.number(where, item, "factor"),
                "min_value": check.number(where, item, "min"),
                "max_value": check.number(where, item, "max"),
                "is_public": check.boolean(where, item, "public"),
                "is_rate": check.boolean(where, item, "rate"),
                "collected_at": check.choice(where, item, "collected_at", CollectionLevel.values),
                "legal_source": check.text(where, item, "legal_source", required=False, max_length=300),
                "sort_order": check.integer(where, item, "sort_order", low=-(10**6), high=10**6),
            }
        )
        for key in ("numerator", "denominator", "sector", "responsible_agency"):
            if key in item:
                values[f"_{key}"] = str(item[key]).strip() if item[key] not in (None, "") else None
        if (
            values.get("min_value") is not None
            and values.get("max_value") is not None
            and values["min_value"] > values["max_value"]
        ):
            check.error(f"{where}.max", _("is below min."))
        if code:
            if code in out:
                check.error(where, _("code '%(code)s' appears twice.") % {"code": code})
            out[code] = values
            wheres[code] = where

    existing = {
        i.code: i
        for i in Indicator.objects.filter(
            code__in=set(out) | {v.get(k) for v in out.values() for k in ("_numerator", "_denominator")}
        )
    }
    for code, values in out.items():
        where = wheres[code]
        aggregation = values.get("aggregation") or (existing[code].aggregation if code in existing else Aggregation.SUM)
        period_type = values.get("period_type") or (existing[code].period_type if code in existing else "monthly")
        if aggregation == Aggregation.RATIO:
            for key in ("numerator", "denominator"):
                operand = (
                    values.get(f"_{key}")
                    if f"_{key}" in values
                    else (
                        getattr(existing[code], key).code
                        if code in existing and getattr(existing[code], f"{key}_id")
                        else None
                    )
                )
                if not operand:
                    check.error(f"{where}.{key}", _("is required for a ratio indicator."))
                    continue
                if operand == code:
                    operand_aggregation, operand_period = aggregation, period_type
                elif operand in out:
                    operand_aggregation = out[operand].get("aggregation") or (
                        existing[operand].aggregation if operand in existing else Aggregation.SUM
                    )
                    operand_period = out[operand].get("period_type") or (
                        existing[operand].period_type if operand in existing else "monthly"
                    )
                elif operand in existing:
                    operand_aggregation = existing[operand].aggregation
                    operand_period = existing[operand].period_type
                else:
                    check.error(f"{where}.{key}", _("unknown indicator '%(code)s'.") % {"code": operand})
                    continue
                problem = ratio_operand_problem(
                    ratio_code=code,
                    period_type=period_type,
                    operand_code=operand,
                    operand_aggregation=operand_aggregation,
                    operand_period_type=operand_period,
                )
                if problem is not None:
                    check.error(f"{where}.{key}", problem)
        sector = values.get("_sector")
        if sector and sector not in sector_codes and not Sector.objects.filter(code=sector).exists():
            check.error(f"{where}.sector", _("unknown sector '%(code)s'.") % {"code": sector})
        agency = values.get("_responsible_agency")
        if agency and agency not in unit_codes and not OrgUnit.objects.filter(code=agency).exists():
            check.error(f"{where}.responsible_agency", _("unknown unit '%(code)s'.") % {"code": agency})
    return out


def _load_indicators(
    indicators: dict[str, dict[str, Any]],
    sectors: dict[str, Sector],
    units: dict[str, OrgUnit],
    result: MetadataLoadResult,
) -> None:
    def fields_of(values: dict[str, Any]) -> dict[str, Any]:
        fields = {k: v for k, v in values.items() if not k.startswith("_")}
        if "_sector" in values:
            fields["sector"] = (
                (sectors.get(values["_sector"]) or Sector.objects.get(code=values["_sector"]))
                if values["_sector"]
                else None
            )
        if "_responsible_agency" in values:
            code = values["_responsible_agency"]
            fields["responsible_agency"] = _unit(units, code) if code else None
        return fields

    # Plain indicators first, ratios after: a ratio's operands must exist when it is saved.
    ordered = sorted(indicators.items(), key=lambda kv: kv[1].get("aggregation") == Aggregation.RATIO)
    by_code: dict[str, Indicator] = {}
    for code, values in ordered:
        fields = fields_of(values)
        for key in ("numerator", "denominator"):
            if f"_{key}" in values:
                operand = values[f"_{key}"]
                fields[key] = (by_code.get(operand) or Indicator.objects.get(code=operand)) if operand else None
        by_code[code] = _upsert(Indicator, {"code": code}, fields, result, "indicators")


def _check_targets(
    check: _Checker, document: Mapping[str, Any], indicator_codes: set[str], unit_codes: set[str]
) -> dict[tuple[str, str, int, int], dict[str, Any]]:
    out: dict[tuple[str, str, int, int], dict[str, Any]] = {}
    items = check.items(document, "targets")
    known_indicators = set(
        Indicator.objects.filter(code__in={str(i.get("indicator")) for _w, i in items}).values_list("code", flat=True)
    )
    for where, item in items:
        indicator = check.text(where, item, "indicator", required=True, max_length=64)
        unit = check.text(where, item, "org_unit", required=True, max_length=32)
        value = check.number(where, item, "value")
        if value is None and "value" not in item:
            check.error(f"{where}.value", _("is required."))
        years = _target_years(check, where, item)
        if indicator and indicator not in indicator_codes and indicator not in known_indicators:
            check.error(f"{where}.indicator", _("unknown indicator '%(code)s'.") % {"code": indicator})
        if unit and unit not in unit_codes and not OrgUnit.objects.filter(code=unit).exists():
            check.error(f"{where}.org_unit", _("unknown unit '%(code)s'.") % {"code": unit})
        if indicator and unit and years and value is not None:
            key = (indicator, unit, years[0], years[1])
            if key in out:
                check.error(where, _("this target is given twice."))
            out[key] = {
                "value": value,
                "note": check.text(where, item, "note", required=False, max_length=300) or "",
                "source": check.text(where, item, "source", required=False, max_length=300) or "",
            }
    return out


def _target_years(check: _Checker, where: str, item: Mapping[str, Any]) -> tuple[int, int] | None:
    if "year" in item and "plan_period" in item:
        check.error(where, _("give either year or plan_period, not both."))
        return None
    if "year" in item:
        year = check.integer(where, item, "year", low=1900, high=2200)
        return (year, year) if year is not None else None
    if "plan_period" in item:
        text = str(item["plan_period"]).strip()
        parts = text.replace("–", "-").split("-")
        if len(parts) == 2 and all(p.strip().isdigit() for p in parts):
            start, end = int(parts[0]), int(parts[1])
            if 1900 <= start <= end <= 2200:
                return start, end
        check.error(f"{where}.plan_period", _("'%(value)s' must look like 2021-2025.") % {"value": text})
        return None
    check.error(where, _("needs year (e.g. 2023) or plan_period (e.g. 2021-2025)."))
    return None


def _decimal_out(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    normal = value.normalize()
    return int(normal) if normal == normal.to_integral_value() else float(normal)


def metadata_export() -> dict[str, Any]:
    """The whole catalogue as a document that ``metadata_load`` takes back unchanged."""
    # Parents before children, and an order that does not depend on database ids.
    units = list(OrgUnit.objects.select_related("parent").order_by("depth", "sort_order", "code"))
    indicators = Indicator.objects.select_related("numerator", "denominator", "sector", "responsible_agency")

    def drop_empty(d: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in d.items() if v not in (None, "", [])}

    def iso(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    code_of: Callable[[Any], str | None] = lambda obj: obj.code if obj is not None else None  # noqa: E731
    return {
        "sectors": [
            drop_empty({"code": s.code, "name": s.name, "name_en": s.name_en, "sort_order": s.sort_order})
            for s in Sector.objects.all()
        ],
        "org_unit_groups": [
            {"code": g.code, "name": g.name, "members": sorted(g.members.values_list("code", flat=True))}
            for g in OrgUnitGroup.objects.all()
        ],
        "org_units": [
            drop_empty(
                {
                    "code": u.code,
                    "name": u.name,
                    "name_en": u.name_en,
                    "parent": code_of(u.parent),
                    "kind": u.kind,
                    "valid_from": iso(u.valid_from),
                    "valid_to": iso(u.valid_to),
                    "latitude": u.latitude,
                    "longitude": u.longitude,
                    "sort_order": u.sort_order or None,
                }
            )
            for u in units
        ],
        "successions": [
            drop_empty(
                {
                    "predecessor": s.predecessor.code,
                    "successor": s.successor.code,
                    "effective_date": iso(s.effective_date),
                    "share": _decimal_out(s.share),
                    "note": s.note,
                }
            )
            for s in Succession.objects.select_related("predecessor", "successor").order_by(
                "predecessor__code", "successor__code"
            )
        ],
        "indicators": [
            drop_empty(
                {
                    "code": i.code,
                    "name": i.name,
                    "name_en": i.name_en,
                    "short_name": i.short_name,
                    "description": i.description,
                    "unit": i.unit,
                    "unit_en": i.unit_en,
                    "period_type": i.period_type,
                    "aggregation": i.aggregation,
                    "numerator": code_of(i.numerator),
                    "denominator": code_of(i.denominator),
                    "factor": _decimal_out(i.factor) if i.is_ratio else None,
                    "direction": i.direction,
                    "decimals": i.decimals,
                    "min": _decimal_out(i.min_value),
                    "max": _decimal_out(i.max_value),
                    "sector": code_of(i.sector),
                    "responsible_agency": code_of(i.responsible_agency),
                    "public": i.is_public,
                    "rate": i.is_rate or None,
                    "collected_at": i.collected_at or None,
                    "legal_source": i.legal_source,
                    "sort_order": i.sort_order or None,
                }
            )
            for i in indicators
        ],
        "targets": [
            drop_empty(
                {
                    "indicator": t.indicator.code,
                    "org_unit": t.org_unit.code,
                    **({"year": t.year_from} if t.is_annual else {"plan_period": t.years_label}),
                    "value": _decimal_out(t.value),
                    "note": t.note,
                    "source": t.source,
                }
            )
            for t in Target.objects.select_related("indicator", "org_unit")
        ],
    }


def metadata_dump(document: Mapping[str, Any], *, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(dict(document), allow_unicode=True, sort_keys=False, width=120)

"""The reform scenario (issue 14): the national set's 34 provinces and 3,321 communes from 1 July 2025,
and the map before it — 63 provinces, about 700 districts and 10,000 communes until 30 June 2025 —
linked by successions, so that 2026 is compared with a 2025 that is re-based onto the new map.

The old map is drawn from the new one: each new commune takes one to five old communes, most of them
whole (about three on average), some split with the next new commune by a share (a ``part`` merge),
a few ``unchanged`` or ``renamed``; each new province takes one to three whole old provinces, the first
of which gives it its code (as Hồ Chí Minh City 79), and about half the new communes take the code of
their first predecessor (as Phường Thủ Dầu Một 25747). Old units have monthly figures for
2024-01 … 2025-06, new ones for 2025-07 … 2026-06; a new commune's figures follow from its
predecessors' (the shares' sum of their sizes), grown, so a re-based 2025 is plausible against 2026.

Everything is a pure function of the seed, as in ``datasets.py`` (whose hash and trend it uses).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from bench.datasets import (
    _OVERVIEW_MIX,
    _TARGET,
    GAP_RATE,
    OVERVIEW_SIZE,
    WRITE_BUFFER,
    DataSetSpec,
    IndicatorDef,
    _build_indicators,
    _build_units,
    _mix,
    _uniform,
)

FIRST_YEAR = 2024
CHANGE = "2025-07-01"  # the day the new map begins
LAST_OLD_DAY = "2025-06-30"
OLD_MONTHS = [(2024, m) for m in range(1, 13)] + [(2025, m) for m in range(1, 7)]
NEW_MONTHS = [(2025, m) for m in range(7, 13)] + [(2026, m) for m in range(1, 7)]
OVERVIEW_PERIOD = "202606"  # June 2026 against June 2025, re-based
RANKING_PERIOD = "2026S1"  # the first half of 2026 against the first half of 2025, re-based
RANKING_MEASURE = "yoy_pct"
TARGET_YEARS = (2024, 2025, 2026)

# Stream tags of this module (datasets.py uses 1..6).
_PREDECESSORS, _SPLIT, _SHARE, _RENAME, _REUSE, _PROVINCES, _DRIFT, _OLD_WEIGHT = range(101, 109)
# How many old communes a new one takes: cumulative probabilities of 1, 2, 3, 4, 5 (mean about 3).
_TAKES = ((0.07, 1), (0.24, 2), (0.66, 3), (0.90, 4), (1.0, 5))
PART_RATE = 0.08  # of the new communes that split their last old commune with the next one
REUSE_RATE = 0.5  # of the new communes of several old ones that take the first one's code
DISTRICT_SIZE = 14  # old communes per old district, about


@dataclass(frozen=True)
class ReformSpec:
    name: str
    seed: int
    new_provinces: int
    new_communes: int
    old_provinces: int
    indicators: int
    sqlite: bool = False  # whether the suite also runs on SQLite at this size
    part_rate: float = PART_RATE

    @property
    def base(self) -> DataSetSpec:
        """The national-shaped spec the new map is drawn from (the national set's tree at full size)."""
        return DataSetSpec(
            name=self.name,
            seed=2025 if self.name == "reform" else self.seed,
            top_code="VN",
            top_name="Cả nước (thử nghiệm)",
            top_kind="other",
            middle_kind="province",
            middles=self.new_provinces,
            communes=self.new_communes,
            indicators=self.indicators,
            sqlite=False,
            ranking_depth=2,
        )


SEED_TINY = 16
REFORM_SPECS: dict[str, ReformSpec] = {
    # For CI: seconds.
    "reform-tiny": ReformSpec(
        name="reform-tiny",
        seed=SEED_TINY,
        new_provinces=2,
        new_communes=6,
        old_provinces=3,
        indicators=12,
        sqlite=True,
        part_rate=0.6,
    ),
    # The national set's new map (same seed, so the same 34 provinces and 3,321 communes with the same
    # sizes) with about 10,000 old communes; 40 indicators keep the run under an hour on two cores.
    "reform": ReformSpec(
        name="reform", seed=2026, new_provinces=34, new_communes=3321, old_provinces=63, indicators=40
    ),
}


@dataclass
class RUnit:
    """A unit of either map. ``id`` is unique; ``code`` may be shared by an old and a new unit."""

    id: int
    code: str
    name: str
    kind: str
    era: str  # "top", "old" or "new"
    parent: int | None
    province: int | None = None  # the province it is in (itself for a province)
    district: int | None = None  # an old commune's district
    weight: float = 1.0

    @property
    def valid_from(self) -> str | None:
        return CHANGE if self.era == "new" else None

    @property
    def valid_to(self) -> str | None:
        return LAST_OLD_DAY if self.era == "old" else None


@dataclass(frozen=True)
class Succession:
    predecessor: int
    successor: int
    merge_type: str  # whole, part, unchanged, renamed
    share: Decimal  # 1 but for a part


@dataclass
class ReformData:
    spec: ReformSpec
    units: list[RUnit] = field(default_factory=list)
    successions: list[Succession] = field(default_factory=list)
    indicators: list[IndicatorDef] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.indicators = _build_indicators(self.spec.base)
        self._by_code = {i.code: i for i in self.indicators}
        self._build_maps()
        self._by_id = {u.id: u for u in self.units}
        self._preds: dict[int, list[Succession]] = {}
        for s in self.successions:
            self._preds.setdefault(s.successor, []).append(s)
        self._factors: dict[tuple[int, int], float] = {}

    # --- the two maps ---------------------------------------------------------------------------

    def _build_maps(self) -> None:
        seed = self.spec.seed
        national = _build_units(self.spec.base)
        top = RUnit(0, "VN", national[0].name, "other", "top", None)
        units = [top]
        next_id = 1
        new_provinces: list[RUnit] = []
        communes_of: dict[str, list[Any]] = {}
        for u in national[1:]:
            if u.depth == 1:
                p = RUnit(next_id, u.code, f"Tỉnh mới {u.code}", "province", "new", top.id)
                p.province = p.id
                new_provinces.append(p)
                units.append(p)
                next_id += 1
            else:
                communes_of.setdefault(u.middle or "", []).append(u)
        # Old provinces per new province: one each, then the rest handed out two at a time or one,
        # so that some new provinces keep one old province and others merge two or three.
        extra = self.spec.old_provinces - len(new_provinces)
        olds_per = [1] * len(new_provinces)
        order = sorted(range(len(new_provinces)), key=lambda i: _uniform(seed, _PROVINCES, i))
        k = 0
        while extra > 0:
            i = order[k % len(order)]
            if olds_per[i] < 3:
                olds_per[i] += 1
                extra -= 1
            k += 1
        old_province_number = len(new_provinces)
        district_number = 0
        old_commune_number = 0
        fresh_number = 0
        pending: list[tuple[RUnit, list[tuple[int, str, Decimal]]]] = []  # new commune, [(old id, type, share)]
        index: dict[int, RUnit] = {}
        for p_index, province in enumerate(new_provinces):
            news = communes_of[province.code]
            # How many old communes each new one takes, and which boundaries split an old commune.
            takes = []
            for c in news:
                u = _uniform(seed, _PREDECESSORS, c.index)
                takes.append(next(t for limit, t in _TAKES if u < limit))
            links: list[list[tuple[int, str, Decimal]]] = [[] for _ in news]
            position = 0
            for n in range(len(news)):
                first = position
                # The previous one may have split its last old commune with this one: one fewer of its own.
                own = max(1, takes[n] - len(links[n]))
                for j in range(own):
                    links[n].append((first + j, "whole", Decimal(1)))
                position = first + own
                split = (
                    n + 1 < len(news)
                    and len(links[n]) >= 2
                    and links[n][-1][1] == "whole"
                    and takes[n + 1] >= 2
                    and _uniform(seed, _SPLIT, news[n].index) < self.spec.part_rate
                )
                if split:
                    old, _, _ = links[n].pop()
                    share = Decimal(round(20 + 60 * _uniform(seed, _SHARE, news[n].index))) / 100
                    links[n].append((old, "part", share))
                    links[n + 1].append((old, "part", Decimal(1) - share))
            olds_here = position
            # The old provinces of this new province: contiguous runs of its old communes.
            count = olds_per[p_index]
            cuts = [round(olds_here * (j + 1) / count) for j in range(count)]
            old_provinces: list[tuple[RUnit, int]] = []
            for j, cut in enumerate(cuts):
                if j == 0:
                    code = province.code  # the new province keeps the code of its first old one
                else:
                    old_province_number += 1
                    code = f"{old_province_number:02d}"
                op = RUnit(next_id, code, f"Tỉnh cũ {code}", "province", "old", top.id)
                op.province = op.id
                next_id += 1
                units.append(op)
                self.successions.append(Succession(op.id, province.id, "whole", Decimal(1)))
                old_provinces.append((op, cut))
            # Districts and communes of each old province.
            old_ids: list[int] = []
            start = 0
            for op, cut in old_provinces:
                size = cut - start
                districts = max(1, round(size / DISTRICT_SIZE))
                for d in range(districts):
                    district_number += 1
                    dcode = f"{100 + district_number:03d}" if district_number < 900 else f"D{district_number}"
                    du = RUnit(next_id, dcode, f"Huyện {dcode}", "district", "old", op.id, province=op.id)
                    next_id += 1
                    units.append(du)
                    lo = start + round(size * d / districts)
                    hi = start + round(size * (d + 1) / districts)
                    for _ in range(lo, hi):
                        old_commune_number += 1
                        ccode = f"{10000 + old_commune_number:05d}"
                        z = sum(_uniform(seed, _OLD_WEIGHT, old_commune_number, q) for q in range(3)) - 1.5
                        cu = RUnit(
                            next_id,
                            ccode,
                            f"Xã cũ {ccode}",
                            "commune",
                            "old",
                            du.id,
                            province=op.id,
                            district=du.id,
                            weight=math.exp(1.2 * z),
                        )
                        next_id += 1
                        units.append(cu)
                        index[cu.id] = cu
                        old_ids.append(cu.id)
                start = cut
            for n, c in enumerate(news):
                preds = [(old_ids[i], t, s) for i, t, s in links[n]]
                whole = [i for i, t, _ in preds if t == "whole"]
                host = index[whole[0] if whole else preds[0][0]]
                if len(preds) == 1:
                    renamed = _uniform(seed, _RENAME, c.index) < 0.5
                    code, name = host.code, (f"Xã {host.code} (tên mới)" if renamed else host.name)
                    preds = [(preds[0][0], "renamed" if renamed else "unchanged", Decimal(1))]
                elif whole and _uniform(seed, _REUSE, c.index) < REUSE_RATE:
                    code, name = host.code, f"Xã mới {host.code}"
                else:
                    fresh_number += 1
                    code, name = f"{fresh_number:05d}", f"Xã mới {fresh_number:05d}"
                nu = RUnit(next_id, code, name, "commune", "new", province.id, province=province.id)
                next_id += 1
                units.append(nu)
                pending.append((nu, preds))
        weights = {u.id: u.weight for u in units}
        for nu, preds in pending:
            nu.weight = sum(float(s) * weights[i] for i, _, s in preds)
            for i, t, s in preds:
                self.successions.append(Succession(i, nu.id, t, s))
        self.units = units

    @property
    def top(self) -> RUnit:
        return self.units[0]

    def of(self, era: str, kind: str) -> list[RUnit]:
        return [u for u in self.units if u.era == era and u.kind == kind]

    def predecessors(self, unit: RUnit) -> list[Succession]:
        return self._preds.get(unit.id, [])

    # --- figures --------------------------------------------------------------------------------

    def stored_indicators(self) -> list[IndicatorDef]:
        return [i for i in self.indicators if i.aggregation != "ratio"]

    def storing_units(self, indicator: IndicatorDef) -> list[RUnit]:
        kind = "province" if indicator.aggregation == "none" else "commune"
        return [u for u in self.units if u.kind == kind and u.era != "top"]

    def _factor(self, indicator: IndicatorDef, unit: RUnit) -> float:
        """As ``DataSet._cell_factor`` for old units; a new unit's follows from its predecessors'."""
        key = (indicator.index, unit.id)
        found = self._factors.get(key)
        if found is not None:
            return found
        u = _uniform(self.spec.seed, _DRIFT, indicator.index, unit.id)
        if unit.era == "new":
            preds = self.predecessors(unit)
            parts = [self._factor(indicator, self._by_id[s.predecessor]) for s in preds]
            if indicator.aggregation in ("sum", "last"):
                found = sum(float(s.share) * f for s, f in zip(preds, parts, strict=True)) * (0.97 + 0.06 * u)
            else:
                found = sum(parts) / len(parts) * (0.98 + 0.04 * u)
        elif indicator.aggregation in ("sum", "last"):
            found = unit.weight * (0.7 + 0.6 * u)
        elif indicator.aggregation == "average":
            found = 0.8 + 0.4 * u
        else:
            found = 1.0 + 0.04 * (u - 0.5)
        self._factors[key] = found
        return found

    def months(self, unit: RUnit) -> list[tuple[int, int]]:
        return OLD_MONTHS if unit.era == "old" else NEW_MONTHS

    def _trend(self, indicator: IndicatorDef, year: int, month: int) -> float:
        t = (year - FIRST_YEAR) + (month - 1) / 12
        return indicator.season[month - 1] * (1 + indicator.growth) ** t

    def series(self, indicator: IndicatorDef, unit: RUnit) -> Iterator[tuple[str, str]]:
        base = indicator.level * self._factor(indicator, unit)
        seed = _mix(_mix(self.spec.seed * 1_000_003 + indicator.index) ^ (unit.id << 20))
        gaps = indicator.aggregation != "none"
        fmt = f".{indicator.decimals}f"
        for year, month in self.months(unit):
            h = _mix(seed ^ (year * 12 + month))
            if gaps and (h & 0xFFFF) < GAP_RATE * 0x10000:
                continue
            noise = 1 + indicator.noise * ((h >> 11) / float(1 << 53) - 0.5)
            yield f"{year}{month:02d}", format(base * self._trend(indicator, year, month) * noise, fmt)

    def write_values(self, out: TextIO) -> int:
        out.write("indicator,org_unit,period,value\n")
        count = 0
        for indicator in self.stored_indicators():
            for unit in self.storing_units(indicator):
                prefix = f"{indicator.code},{unit.code},"
                lines = [f"{prefix}{period},{value}\n" for period, value in self.series(indicator, unit)]
                out.write("".join(lines))
                count += len(lines)
        return count

    # --- catalogue and questions ----------------------------------------------------------------

    def _expected_year(self, indicator: IndicatorDef, units: list[RUnit], year: int) -> float:
        """About the year's value over ``units`` (a rough plan: targets need not be exact)."""
        if indicator.aggregation == "ratio":
            n = self._expected_year(self._by_code[indicator.numerator or ""], units, year)
            d = self._expected_year(self._by_code[indicator.denominator or ""], units, year)
            return indicator.factor * n / d if d else 0.0
        kind = "province" if indicator.aggregation == "none" else "commune"
        cells = [self._factor(indicator, u) for u in units if u.kind == kind]
        if not cells:
            return 100.0
        season = sum(self._trend(indicator, year, m) for m in range(1, 13))
        if indicator.aggregation == "sum":
            return indicator.level * sum(cells) * season
        if indicator.aggregation == "average":
            return indicator.level * sum(cells) / len(cells) * season / 12
        return indicator.level * sum(cells) * self._trend(indicator, year, 12)

    def targets(self) -> list[dict[str, Any]]:
        """Every indicator at the top for 2024–2026, and at each new province for 2026."""
        out = []
        new_communes = self.of("new", "commune")
        places: list[tuple[RUnit, int, list[RUnit]]] = [(self.top, y, new_communes) for y in TARGET_YEARS]
        for p in self.of("new", "province"):
            places.append((p, 2026, [p] + [c for c in new_communes if c.province == p.id]))
        for indicator in self.indicators:
            for unit, year, units in places:
                expected = self._expected_year(indicator, units, year)
                u = _uniform(self.spec.seed, _TARGET, indicator.index, unit.id, year)
                value = round(expected * (0.94 + 0.14 * u), 2)
                out.append({"indicator": indicator.code, "org_unit": unit.code, "year": year, "value": value})
        return out

    def catalogue(self) -> dict[str, Any]:
        org_units = []
        for unit in self.units:
            entry: dict[str, Any] = {"code": unit.code, "name": unit.name, "kind": unit.kind, "sort_order": unit.id}
            if unit.parent is not None:
                entry["parent"] = self._by_id[unit.parent].code
            if unit.valid_from:
                entry["valid_from"] = unit.valid_from
            if unit.valid_to:
                entry["valid_to"] = unit.valid_to
            org_units.append(entry)
        successions = []
        for s in self.successions:
            entry = {
                "predecessor": self._by_id[s.predecessor].code,
                "successor": self._by_id[s.successor].code,
                "effective_date": CHANGE,
                "merge_type": s.merge_type,
            }
            if s.merge_type == "part":
                entry["share"] = str(s.share)
            successions.append(entry)
        indicators = []
        for i in self.indicators:
            entry = {
                "code": i.code,
                "name": i.name,
                "unit": i.unit,
                "period_type": "monthly",
                "aggregation": i.aggregation,
                "direction": i.direction,
                "decimals": i.decimals,
                "sector": i.sector,
                "public": True,
                "sort_order": i.index,
            }
            if i.aggregation == "ratio":
                entry.update(numerator=i.numerator, denominator=i.denominator, factor=i.factor)
            elif i.aggregation != "none":
                entry["min"] = 0
            indicators.append(entry)
        sectors = sorted({i.sector for i in self.indicators})
        return {
            "sectors": [{"code": s, "name": f"Lĩnh vực {s}", "sort_order": n} for n, s in enumerate(sectors)],
            "org_units": org_units,
            "successions": successions,
            "indicators": indicators,
            "targets": self.targets(),
        }

    def overview_indicators(self) -> list[str]:
        by_kind: dict[str, list[str]] = {}
        for i in self.indicators:
            by_kind.setdefault(i.aggregation, []).append(i.code)
        if len(self.indicators) <= OVERVIEW_SIZE:
            return [i.code for i in self.indicators]
        chosen: list[str] = []
        for kind, count in _OVERVIEW_MIX.items():
            chosen += by_kind.get(kind, [])[:count]
        chosen += by_kind["sum"][: OVERVIEW_SIZE - len(chosen)]
        wanted = set(chosen)
        return [i.code for i in self.indicators if i.code in wanted]

    def province_asked(self) -> RUnit:
        """The new province asked about: the one of the most old communes (a merger of old provinces)."""
        sizes = {p.id: 0 for p in self.of("new", "province")}
        for s in self.successions:
            successor = self._by_id[s.successor]
            if successor.kind == "commune":
                sizes[successor.province or 0] += 1
        best = max(sorted(sizes), key=lambda i: sizes[i])
        return self._by_id[best]

    def queries(self) -> dict[str, Any]:
        ups = [i.code for i in self.indicators if i.aggregation == "sum" and i.direction == "up"]
        overview = self.overview_indicators()
        province = self.province_asked()
        return {
            "top": self.top.code,
            "overview": {"indicators": overview, "org_unit": self.top.code, "period": OVERVIEW_PERIOD},
            "overview_province": {
                "indicators": overview,
                "org_unit": province.code,
                "unit_id": province.id,
                "period": OVERVIEW_PERIOD,
            },
            "ranking": {
                "indicator": ups[0],
                "org_unit": self.top.code,
                "period": RANKING_PERIOD,
                "measure": RANKING_MEASURE,
                "depth": 2,
                "units": len(self.of("new", "commune")),
            },
        }


REFORM_QUERIES = ("ranking", "overview", "overview_province")


def generate_reform(spec: ReformSpec, directory: Path) -> dict[str, Any]:
    """Write the catalogue (both maps and the successions), the values CSV, the reference tables and
    the manifest; return the manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    data = ReformData(spec)
    catalogue = data.catalogue()
    (directory / "catalogue.json").write_text(json.dumps(catalogue, ensure_ascii=False, indent=1), encoding="utf-8")
    values_path = directory / "values.csv"
    with values_path.open("w", encoding="utf-8", newline="", buffering=WRITE_BUFFER) as out:
        values = data.write_values(out)
    _write_reference_tables(data, catalogue, directory)
    parts = [s for s in data.successions if s.merge_type == "part"]
    commune_links = [s for s in data.successions if data._by_id[s.successor].kind == "commune"]
    reused = {u.code for u in data.units if u.era == "new"} & {u.code for u in data.units if u.era == "old"}
    manifest = {
        "set": spec.name,
        "scenario": "reform",
        "seed": spec.seed,
        "units": len(data.units),
        "new_provinces": len(data.of("new", "province")),
        "new_communes": len(data.of("new", "commune")),
        "old_provinces": len(data.of("old", "province")),
        "old_districts": len(data.of("old", "district")),
        "old_communes": len(data.of("old", "commune")),
        "successions": len(data.successions),
        "commune_successions": len(commune_links),
        "merge_types": {
            t: sum(1 for s in commune_links if s.merge_type == t) for t in ("whole", "part", "unchanged", "renamed")
        },
        "split_old_communes": len({s.predecessor for s in parts}),
        "reused_codes": len(reused),
        "indicators": len(data.indicators),
        "aggregations": {
            k: sum(1 for i in data.indicators if i.aggregation == k)
            for k in ("sum", "average", "last", "none", "ratio")
        },
        "targets": len(catalogue["targets"]),
        "values": values,
        "values_bytes": values_path.stat().st_size,
        "months": "old units 202401..202506, new units 202507..202606",
        **data.queries(),
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def _write_reference_tables(data: ReformData, catalogue: dict[str, Any], directory: Path) -> None:
    """Both maps, the successions and the targets as CSVs for the DuckDB reference."""
    with (directory / "units.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "code", "kind", "era", "parent", "province", "district", "valid_from", "valid_to"])
        for u in data.units:
            writer.writerow(
                [
                    u.id,
                    u.code,
                    u.kind,
                    u.era,
                    u.parent if u.parent is not None else "",
                    u.province or "",
                    u.district or "",
                    u.valid_from or "",
                    u.valid_to or "",
                ]
            )
    with (directory / "successions.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["predecessor", "successor", "merge_type", "share"])
        for s in data.successions:
            writer.writerow([s.predecessor, s.successor, s.merge_type, s.share])
    with (directory / "indicators.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "aggregation", "direction", "numerator", "denominator", "factor"])
        for i in data.indicators:
            writer.writerow([i.code, i.aggregation, i.direction, i.numerator or "", i.denominator or "", i.factor])
    with (directory / "targets.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["indicator", "org_unit", "year", "value"])
        for t in catalogue["targets"]:
            writer.writerow([t["indicator"], t["org_unit"], t["year"], t["value"]])

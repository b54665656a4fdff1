"""The benchmark data sets: a unit tree, a catalogue of monthly indicators and their figures.

Everything is a pure function of the set's seed: every random number is a hash of
(seed, what it is for), so the figures of one unit and month can be produced without
producing the rest (the "new month" files of the refresh step use this), and two runs
write byte-identical files.

Shape of every set: a top unit (depth 0), a middle level (depth 1: districts of a
province, or the provinces of the country after the 2025 reform), and communes
(depth 2). Figures of sum, average and last indicators are stored at the communes
only; figures of ``none`` indicators (indices that cannot be added up) at
province-kind units only; ratio indicators are computed from two sum indicators and
never stored.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

FIRST_YEAR = 2019
YEARS = 6  # 2019-01 .. 2024-12: 72 months
GAP_RATE = 0.002  # share of commune figures that were never reported (gaps are skipped, not zero)
WRITE_BUFFER = 1 << 20

_MASK = (1 << 64) - 1


def _mix(x: int) -> int:
    """SplitMix64's finaliser: a well-spread 64-bit hash of a 64-bit integer."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _uniform(*parts: int) -> float:
    """A number in [0, 1) determined by ``parts``."""
    h = 0
    for part in parts:
        h = _mix(h ^ part)
    return (h >> 11) / float(1 << 53)


# Stream tags: what a random number is for, so two purposes never share one.
_UNIT_WEIGHT, _PARTITION, _INDICATOR, _SERIES, _TARGET, _SHUFFLE = range(1, 7)


@dataclass(frozen=True)
class DataSetSpec:
    """How big a set is. ``middle_kind`` names the units at depth 1."""

    name: str
    seed: int
    top_code: str
    top_name: str
    top_kind: str
    middle_kind: str
    middles: int
    communes: int
    indicators: int
    sqlite: bool  # whether the suite also runs on SQLite at this size
    ranking_depth: int
    new_month_runs: int = 5  # the refresh step imports this many new months, after one warm-up month


SPECS: dict[str, DataSetSpec] = {
    # For CI: seconds. Shaped like the province set, ranked two levels down like the national one.
    "tiny": DataSetSpec(
        name="tiny",
        seed=7,
        top_code="90",
        top_name="Tỉnh Thử Nghiệm Nhỏ",
        top_kind="province",
        middle_kind="district",
        middles=2,
        communes=6,
        indicators=12,
        sqlite=True,
        ranking_depth=2,
        new_month_runs=2,
    ),
    "province": DataSetSpec(
        name="province",
        seed=2019,
        top_code="80",
        top_name="Tỉnh Thử Nghiệm",
        top_kind="province",
        middle_kind="district",
        middles=9,
        communes=91,
        indicators=300,
        sqlite=True,
        ranking_depth=1,
    ),
    "national": DataSetSpec(
        name="national",
        seed=2025,
        top_code="VN",
        top_name="Cả nước (thử nghiệm)",
        top_kind="other",
        middle_kind="province",
        middles=34,
        communes=3321,
        indicators=200,
        sqlite=False,
        ranking_depth=2,
    ),
}

# The mix of aggregations (the rest are sums), as shares of the catalogue.
_MIX = {"ratio": 0.025, "none": 0.025, "last": 0.05, "average": 0.06}
# The overview's 30 indicators: this many of each aggregation, sums for the rest.
_OVERVIEW_MIX = {"ratio": 2, "none": 2, "last": 3, "average": 3}
OVERVIEW_SIZE = 30
OVERVIEW_PERIOD = "202406"  # a month mid-year: ytd is January..June, projection uses 2021..2023
RANKING_PERIOD = "202406"


@dataclass(frozen=True)
class Unit:
    index: int
    code: str
    name: str
    kind: str
    depth: int
    parent: str | None
    middle: str | None  # the depth-1 unit above (itself at depth 1)
    weight: float = 1.0  # a commune's size (population-like), shared by its figures


@dataclass(frozen=True)
class IndicatorDef:
    index: int
    code: str
    name: str
    aggregation: str
    direction: str
    decimals: int
    unit: str
    sector: str
    level: float = 0.0
    growth: float = 0.0
    season: tuple[float, ...] = ()
    noise: float = 0.0
    numerator: str | None = None
    denominator: str | None = None
    factor: int = 1


@dataclass
class DataSet:
    """A generated set: its units, indicators, targets and (lazily) figures."""

    spec: DataSetSpec
    units: list[Unit] = field(default_factory=list)
    indicators: list[IndicatorDef] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.units = _build_units(self.spec)
        self.indicators = _build_indicators(self.spec)
        self._by_code = {i.code: i for i in self.indicators}
        self._factor_cache: dict[tuple[int, int], float] = {}

    # --- structure -------------------------------------------------------------------------------

    @property
    def top(self) -> Unit:
        return self.units[0]

    @property
    def middles(self) -> list[Unit]:
        return [u for u in self.units if u.depth == 1]

    @property
    def communes(self) -> list[Unit]:
        return [u for u in self.units if u.depth == 2]

    def stored_indicators(self) -> list[IndicatorDef]:
        return [i for i in self.indicators if i.aggregation != "ratio"]

    def storing_units(self, indicator: IndicatorDef) -> list[Unit]:
        """Where the indicator's figures are stored: communes, or province-kind units for ``none``."""
        if indicator.aggregation == "none":
            return [u for u in self.units if u.kind == "province"]
        return self.communes

    def months(self) -> list[tuple[int, int]]:
        return [(FIRST_YEAR + m // 12, m % 12 + 1) for m in range(YEARS * 12)]

    def new_months(self) -> list[tuple[int, int]]:
        """The months the refresh step imports, one warm-up month first (2025-01, 2025-02, …)."""
        year = FIRST_YEAR + YEARS
        return [(year, m) for m in range(1, self.spec.new_month_runs + 2)]

    def subtree(self, unit: Unit) -> list[Unit]:
        if unit.depth == 0:
            return list(self.units)
        if unit.depth == 1:
            return [u for u in self.units if u.middle == unit.code]
        return [unit]

    def refresh_province(self) -> Unit:
        """The province whose new month is imported: the top unit, or the largest province."""
        if self.top.kind == "province":
            return self.top
        sizes: dict[str, int] = {}
        for commune in self.communes:
            sizes[commune.middle or ""] = sizes.get(commune.middle or "", 0) + 1
        code = max(sorted(sizes), key=lambda c: sizes[c])
        return next(u for u in self.units if u.code == code)

    def queries(self) -> dict[str, Any]:
        """What the suite asks: the overview's indicators, the ranking, the trend."""
        by_kind: dict[str, list[str]] = {}
        for indicator in self.indicators:
            by_kind.setdefault(indicator.aggregation, []).append(indicator.code)
        if len(self.indicators) <= OVERVIEW_SIZE:
            overview = [i.code for i in self.indicators]
        else:
            overview = []
            for kind, count in _OVERVIEW_MIX.items():
                overview += by_kind.get(kind, [])[:count]
            overview += by_kind["sum"][: OVERVIEW_SIZE - len(overview)]
            overview = [i.code for i in self.indicators if i.code in set(overview)]
        ups = [c for c in by_kind["sum"] if self._by_code[c].direction == "up"]
        ranked = ups[0]
        trend = ups[1]
        return {
            "top": self.top.code,
            "overview": {"indicators": overview, "org_unit": self.top.code, "period": OVERVIEW_PERIOD},
            "ranking": {
                "indicator": ranked,
                "org_unit": self.top.code,
                "period": RANKING_PERIOD,
                "depth": self.spec.ranking_depth,
                "units": sum(1 for u in self.units if u.depth == self.spec.ranking_depth),
            },
            "trend": {
                "indicator": trend,
                "org_unit": self.top.code,
                "periods": [f"{y}{m:02d}" for y, m in self.months()],
            },
        }

    # --- figures ---------------------------------------------------------------------------------

    def _cell_factor(self, indicator: IndicatorDef, unit: Unit) -> float:
        """How this unit's figures of this indicator differ from the indicator's level (fixed over time)."""
        key = (indicator.index, unit.index)
        if key not in self._factor_cache:
            u = _uniform(self.spec.seed, _SERIES, indicator.index, unit.index, 0xFFFF)
            if indicator.aggregation in ("sum", "last"):
                self._factor_cache[key] = unit.weight * (0.7 + 0.6 * u)
            elif indicator.aggregation == "average":
                self._factor_cache[key] = 0.8 + 0.4 * u
            else:
                self._factor_cache[key] = 1.0 + 0.04 * (u - 0.5)
        return self._factor_cache[key]

    def _trend(self, indicator: IndicatorDef, year: int, month: int) -> float:
        t = (year - FIRST_YEAR) + (month - 1) / 12
        return indicator.season[month - 1] * (1 + indicator.growth) ** t

    def series(self, indicator: IndicatorDef, unit: Unit, months: list[tuple[int, int]]) -> Iterator[tuple[str, str]]:
        """(period, value text) of one indicator at one unit over ``months``, gaps left out."""
        base = indicator.level * self._cell_factor(indicator, unit)
        seed = _mix(_mix(self.spec.seed * 1_000_003 + indicator.index) ^ (unit.index << 20))
        gaps = indicator.aggregation != "none"
        spread = indicator.noise
        fmt = f".{indicator.decimals}f"
        for year, month in months:
            h = _mix(seed ^ (year * 12 + month))
            if gaps and (h & 0xFFFF) < GAP_RATE * 0x10000:
                continue
            noise = 1 + spread * ((h >> 11) / float(1 << 53) - 0.5)
            yield f"{year}{month:02d}", format(base * self._trend(indicator, year, month) * noise, fmt)

    def write_values(self, out: TextIO, *, units: list[Unit] | None = None, months: list[tuple[int, int]]) -> int:
        """Stream ``indicator,org_unit,period,value`` rows (indicator-major); return how many."""
        only = None if units is None else {u.code for u in units}
        out.write("indicator,org_unit,period,value\n")
        count = 0
        for indicator in self.stored_indicators():
            for unit in self.storing_units(indicator):
                if only is not None and unit.code not in only:
                    continue
                prefix = f"{indicator.code},{unit.code},"
                lines = [f"{prefix}{period},{value}\n" for period, value in self.series(indicator, unit, months)]
                out.write("".join(lines))
                count += len(lines)
        return count

    # --- catalogue -------------------------------------------------------------------------------

    def _expected(self, indicator: IndicatorDef, units: list[Unit], year: int) -> float:
        """The year's value at a unit whose subtree holds ``units``, without the noise (for targets)."""
        if indicator.aggregation == "ratio":
            numerator = self._expected(self._by_code[indicator.numerator or ""], units, year)
            denominator = self._expected(self._by_code[indicator.denominator or ""], units, year)
            return indicator.factor * numerator / denominator if denominator else 0.0
        storing = {u.code for u in self.storing_units(indicator)}
        cells = [self._cell_factor(indicator, u) for u in units if u.code in storing]
        if not cells:
            return 0.0
        months = range(1, 13)
        if indicator.aggregation == "sum":
            return indicator.level * sum(cells) * sum(self._trend(indicator, year, m) for m in months)
        if indicator.aggregation == "average":
            return (
                indicator.level * (sum(cells) / len(cells)) * sum(self._trend(indicator, year, m) for m in months) / 12
            )
        return indicator.level * sum(cells) * self._trend(indicator, year, 12)  # last, none: the year-end figure

    def targets(self) -> list[dict[str, Any]]:
        """Annual plans: every indicator at the top for each year; at the provinces below a country, the last year."""
        out: list[dict[str, Any]] = []
        last_year = FIRST_YEAR + YEARS - 1
        subtree = {self.top.code: self.units}
        places = [(self.top, year) for year in range(FIRST_YEAR, last_year + 1)]
        if self.top.kind != "province":
            for middle in self.middles:
                subtree[middle.code] = self.subtree(middle)
                places.append((middle, last_year))
        for indicator in self.indicators:
            for unit, year in places:
                expected = self._expected(indicator, subtree[unit.code], year)
                u = _uniform(self.spec.seed, _TARGET, indicator.index, unit.index, year)
                # Plans between 6 % below and 8 % above the expected year, so every status occurs.
                value = round(expected * (0.94 + 0.14 * u), 2)
                out.append({"indicator": indicator.code, "org_unit": unit.code, "year": year, "value": value})
        return out

    def catalogue(self) -> dict[str, Any]:
        """The document ``dieuhanh load-metadata`` reads (docs/catalogue.md)."""
        sectors = sorted({i.sector for i in self.indicators})
        org_units = []
        for unit in self.units:
            entry: dict[str, Any] = {"code": unit.code, "name": unit.name, "kind": unit.kind, "sort_order": unit.index}
            if unit.parent is not None:
                entry["parent"] = unit.parent
            org_units.append(entry)
        indicators = []
        for indicator in self.indicators:
            entry = {
                "code": indicator.code,
                "name": indicator.name,
                "unit": indicator.unit,
                "period_type": "monthly",
                "aggregation": indicator.aggregation,
                "direction": indicator.direction,
                "decimals": indicator.decimals,
                "sector": indicator.sector,
                "public": True,
                "sort_order": indicator.index,
            }
            if indicator.aggregation == "ratio":
                entry.update(numerator=indicator.numerator, denominator=indicator.denominator, factor=indicator.factor)
            elif indicator.aggregation != "none":
                entry["min"] = 0
            indicators.append(entry)
        return {
            "sectors": [{"code": s, "name": f"Lĩnh vực {s}", "sort_order": n} for n, s in enumerate(sectors)],
            "org_units": org_units,
            "indicators": indicators,
            "targets": self.targets(),
        }


def _build_units(spec: DataSetSpec) -> list[Unit]:
    units = [Unit(0, spec.top_code, spec.top_name, spec.top_kind, 0, None, None)]
    # Communes per middle unit: unequal, like real provinces and districts, summing exactly.
    shares = [0.4 + _uniform(spec.seed, _PARTITION, n) for n in range(spec.middles)]
    sizes = [max(1, int(spec.communes * s / sum(shares))) for s in shares]
    for n in range(spec.communes - sum(sizes)):
        sizes[n % spec.middles] += 1
    middle_name = "Tỉnh" if spec.middle_kind == "province" else "Huyện"
    index = 1
    commune_number = 0
    for m, size in enumerate(sizes):
        middle_code = f"{m + 1:02d}" if spec.middle_kind == "province" else f"{spec.top_code}{m + 1}"
        name = f"{middle_name} {middle_code}"
        units.append(Unit(index, middle_code, name, spec.middle_kind, 1, spec.top_code, middle_code))
        index += 1
        for _ in range(size):
            commune_number += 1
            code = f"{commune_number:05d}" if spec.middle_kind == "province" else f"{spec.top_code}{commune_number:03d}"
            # A log-normal-ish size: a few large wards, many small communes.
            z = sum(_uniform(spec.seed, _UNIT_WEIGHT, index, k) for k in range(3)) - 1.5
            units.append(Unit(index, code, f"Xã {code}", "commune", 2, middle_code, middle_code, math.exp(1.2 * z)))
            index += 1
    return units


def _build_indicators(spec: DataSetSpec) -> list[IndicatorDef]:
    n = spec.indicators
    counts = {kind: max(1, round(share * n)) for kind, share in _MIX.items()}
    kinds = [kind for kind, count in counts.items() for _ in range(count)]
    kinds += ["sum"] * (n - len(kinds))
    # A fixed shuffle, so each kind is spread through the catalogue.
    order = sorted(range(n), key=lambda i: _uniform(spec.seed, _SHUFFLE, i))
    kinds = [kinds[i] for i in order]
    width = len(str(n))
    out: list[IndicatorDef] = []
    for index, kind in enumerate(kinds):
        u = [_uniform(spec.seed, _INDICATOR, index, k) for k in range(6)]
        code = f"B{index + 1:0{width}d}"
        sector = f"S{index % 6 + 1}"
        direction = "down" if u[5] < 0.15 else "up"
        amplitude, phase = 0.35 * u[2], 12 * u[3]
        if kind == "sum":
            level, growth, decimals, unit = 10 ** (1 + 3 * u[0]), -0.02 + 0.14 * u[1], index % 3, "tỷ đồng"
            noise = 0.12
        elif kind == "average":
            level, growth, decimals, unit = 20 + 60 * u[0], -0.01 + 0.03 * u[1], 2, "%"
            amplitude, noise = amplitude / 5, 0.06
        elif kind == "last":
            level, growth, decimals, unit = 10 ** (1 + 2 * u[0]), 0.06 * u[1], 0, "cơ sở"
            amplitude, noise = 0.0, 0.02
        elif kind == "none":
            level, growth, decimals, unit = 100.0, 0.01 + 0.03 * u[1], 2, "chỉ số"
            amplitude, noise = amplitude / 10, 0.03
        else:  # ratio: operands chosen below
            level, growth, decimals, unit, noise = 0.0, 0.0, 1, "%", 0.0
        season = tuple(1 + amplitude * math.sin(2 * math.pi * (m + phase) / 12) for m in range(12))
        name = f"Chỉ tiêu thử nghiệm {index + 1:0{width}d} ({kind})"
        out.append(
            IndicatorDef(index, code, name, kind, direction, decimals, unit, sector, level, growth, season, noise)
        )
    sums = [i for i in out if i.aggregation == "sum"]
    for r, ratio in enumerate([i for i in out if i.aggregation == "ratio"]):
        # A part over its whole (dossiers online over all dossiers): the smaller level on top.
        numerator, denominator = sorted(
            (sums[(2 * r) % len(sums)], sums[(2 * r + 1) % len(sums)]), key=lambda i: i.level
        )
        out[ratio.index] = IndicatorDef(
            ratio.index,
            ratio.code,
            ratio.name,
            "ratio",
            ratio.direction,
            ratio.decimals,
            ratio.unit,
            ratio.sector,
            numerator=numerator.code,
            denominator=denominator.code,
            factor=100,
        )
    return out


@dataclass(frozen=True)
class Files:
    """Where a generated set lives, and what is in it."""

    directory: Path

    @property
    def catalogue(self) -> Path:
        return self.directory / "catalogue.json"

    @property
    def values(self) -> Path:
        return self.directory / "values.csv"

    @property
    def manifest(self) -> Path:
        return self.directory / "manifest.json"

    @property
    def units(self) -> Path:
        return self.directory / "units.csv"

    @property
    def indicators(self) -> Path:
        return self.directory / "indicators.csv"

    @property
    def targets(self) -> Path:
        return self.directory / "targets.csv"

    def month(self, year: int, month: int) -> Path:
        return self.directory / f"month-{year}{month:02d}.csv"


def generate(spec: DataSetSpec, directory: Path) -> dict[str, Any]:
    """Write the catalogue, the values CSV, the new-month CSVs and the reference tables; return the manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    files = Files(directory)
    data = DataSet(spec)
    catalogue = data.catalogue()
    files.catalogue.write_text(json.dumps(catalogue, ensure_ascii=False, indent=1), encoding="utf-8")
    with files.values.open("w", encoding="utf-8", newline="", buffering=WRITE_BUFFER) as out:
        values = data.write_values(out, months=data.months())
    province = data.refresh_province()
    in_province = data.subtree(province)
    new_months = []
    for year, month in data.new_months():
        with files.month(year, month).open("w", encoding="utf-8", newline="") as out:
            count = data.write_values(out, units=in_province, months=[(year, month)])
        new_months.append({"period": f"{year}{month:02d}", "file": files.month(year, month).name, "values": count})
    _write_reference_tables(data, catalogue, files)
    manifest = {
        "set": spec.name,
        "seed": spec.seed,
        "units": len(data.units),
        "middles": len(data.middles),
        "communes": len(data.communes),
        "indicators": len(data.indicators),
        "aggregations": {k: sum(1 for i in data.indicators if i.aggregation == k) for k in _MIX | {"sum": 0}},
        "targets": len(catalogue["targets"]),
        "values": values,
        "values_bytes": files.values.stat().st_size,
        "months": f"{FIRST_YEAR}01..{FIRST_YEAR + YEARS - 1}12",
        "refresh": {"province": province.code, "units": len(in_province), "months": new_months},
        **data.queries(),
    }
    files.manifest.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def _write_reference_tables(data: DataSet, catalogue: dict[str, Any], files: Files) -> None:
    """The catalogue as three small CSVs for the DuckDB reference."""
    with files.units.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "parent", "depth", "middle"])
        for unit in data.units:
            writer.writerow([unit.code, unit.parent or "", unit.depth, unit.middle or ""])
    with files.indicators.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "aggregation", "direction", "numerator", "denominator", "factor"])
        for i in data.indicators:
            writer.writerow([i.code, i.aggregation, i.direction, i.numerator or "", i.denominator or "", i.factor])
    with files.targets.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["indicator", "org_unit", "year", "value"])
        for t in catalogue["targets"]:
            writer.writerow([t["indicator"], t["org_unit"], t["year"], t["value"]])

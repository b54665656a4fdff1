"""How synthetic figures are made: time shapes, spatial splits, rounding, gaps.

Pure Python over ``random.Random``: the same seed gives the same figures on every
machine. ``generate.py`` says *what* Bình Dương's figures look like (annual totals,
shocks, which level reports what); this module says *how* a province-wide annual
figure becomes monthly values of districts or communes.

The guiding rule is that annual totals are anchors: a flow's months are its annual
total spread by a seasonal shape, so the province's yearly figures (and hence the
demo's statuses against the plan) do not depend on the seed, while the monthly
pattern and the split across units do.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

from dieuhanh.demo.units import PROVINCE_CODE, AdminUnits, Commune

Level = Literal["province", "district", "commune"]
Key = tuple[str, str]  # (org unit code, period code)
TimeShape = Callable[[int, int], float]  # (year, month or quarter) → relative weight

YEARS: tuple[int, ...] = (2019, 2020, 2021, 2022, 2023)
MONTHS = tuple(range(1, 13))
QUARTERS = (1, 2, 3, 4)
# Above this many events a month, scattering them one by one costs time and adds nothing.
MULTINOMIAL_LIMIT = 2_000


@dataclass(frozen=True)
class IndicatorRules:
    """What the catalogue says a stored value of an indicator must look like."""

    code: str
    period_type: str
    decimals: int
    min_value: Decimal | None = None
    max_value: Decimal | None = None


@dataclass(frozen=True, order=True)
class GeneratedValue:
    indicator: str
    org_unit: str
    period: str
    value: Decimal


def month_code(year: int, month: int) -> str:
    return f"{year}{month:02d}"


def quarter_code(year: int, quarter: int) -> str:
    return f"{year}Q{quarter}"


def interpolate(points: Mapping[float, float], x: float) -> float:
    """Piecewise-linear through ``points``; flat beyond the first and last."""
    xs = sorted(points)
    if x <= xs[0]:
        return points[xs[0]]
    if x >= xs[-1]:
        return points[xs[-1]]
    for left, right in itertools.pairwise(xs):
        if left <= x <= right:
            share = (x - left) / (right - left)
            return points[left] + share * (points[right] - points[left])
    raise AssertionError("unreachable")  # pragma: no cover


class Synth:
    """Accumulates generated series; every public method stores one indicator."""

    def __init__(self, *, units: AdminUnits, rules: Mapping[str, IndicatorRules], seed: int) -> None:
        self.units = units
        self.rules = rules
        self.rng = random.Random(seed)  # noqa: S311 - sample data, not secrets
        self.series: dict[str, dict[Key, float]] = {}
        self.levels: dict[str, Level] = {}
        # Each commune's weight within its district, fixed for the whole run so that a
        # big ward stays big in every indicator and every month.
        self._commune_base: dict[tuple[str, str], float] = {}

    # -- units and weights ------------------------------------------------------------

    def unit_codes(self, level: Level) -> list[str]:
        if level == "province":
            return [PROVINCE_CODE]
        if level == "district":
            return [d.code for d in self.units.districts]
        return [c.code for c in self.units.communes]

    def commune_weight(self, commune: Commune, kind: str) -> float:
        """Relative size of a commune inside its district for ``kind`` ("urban" or "rural")."""
        key = (commune.code, kind)
        if key not in self._commune_base:
            if kind == "rural":
                type_factor = {"Xã": 1.6, "Thị trấn": 0.9}.get(commune.type, 0.5)
            else:
                type_factor = {"Phường": 1.4, "Thị trấn": 1.1}.get(commune.type, 0.7)
            self._commune_base[key] = type_factor * self.rng.lognormvariate(0, 0.35)
        return self._commune_base[key]

    def unit_weights(self, level: Level, profile: Mapping[str, float], *, kind: str = "urban") -> dict[str, float]:
        """Nominal shares of the province for each unit of ``level`` (summing to 1)."""
        if level == "province":
            return {PROVINCE_CODE: 1.0}
        if level == "district":
            raw = {code: profile.get(code, 0.0) for code in self.unit_codes("district")}
        else:
            raw = {}
            for district in self.units.districts:
                communes = self.units.communes_of(district.code)
                inner = {c.code: self.commune_weight(c, kind) for c in communes}
                inner_total = sum(inner.values())
                for code, weight in inner.items():
                    raw[code] = profile.get(district.code, 0.0) * weight / inner_total
        total = sum(raw.values())
        return {code: weight / total for code, weight in raw.items() if weight > 0}

    def jitter(self, weights: Mapping[str, float], sigma: float) -> dict[str, float]:
        """A unit-specific tilt: each unit's share moved by a lognormal factor, renormalised."""
        tilted = {code: w * self.rng.lognormvariate(0, sigma) for code, w in weights.items()}
        total = sum(tilted.values())
        return {code: w / total for code, w in tilted.items()}

    # -- flows (sum) ------------------------------------------------------------------

    def time_split(
        self, annual: float, year: int, shape: TimeShape, *, parts: int = 12, noise: float = 0.03, lumpy: bool = False
    ) -> list[float]:
        """Spread an annual total over months (or quarters) by ``shape``, with noise."""
        raw = []
        for part in range(1, parts + 1):
            base = max(shape(year, part), 0.0)
            factor = self.rng.gammavariate(1.3, 1 / 1.3) if lumpy else max(0.2, 1 + self.rng.gauss(0, noise))
            raw.append(base * factor)
        total = sum(raw)
        return [annual * r / total for r in raw]

    def flow(
        self,
        code: str,
        *,
        level: Level,
        annual: Mapping[int, float],
        shape: TimeShape,
        profile: Mapping[str, float] | None = None,
        kind: str = "urban",
        noise: float = 0.03,
        unit_sigma: float = 0.06,
        month_sigma: float = 0.04,
        lumpy: bool = False,
        integer: bool = False,
    ) -> dict[Key, float]:
        """A flow indicator (sum): annual province totals → periods → units."""
        quarterly = self.rules[code].period_type == "quarterly"
        parts = 4 if quarterly else 12
        weights = self.jitter(self.unit_weights(level, profile or {}, kind=kind), unit_sigma)
        out: dict[Key, float] = {}
        for year in sorted(annual):
            totals = self.time_split(annual[year], year, shape, parts=parts, noise=noise, lumpy=lumpy)
            for part, total in enumerate(totals, start=1):
                period = quarter_code(year, part) if quarterly else month_code(year, part)
                if integer:
                    counts = self.allocate_counts(round(total), weights)
                    out.update({(unit, period): float(n) for unit, n in counts.items()})
                else:
                    shares = self.jitter(weights, month_sigma) if len(weights) > 1 else weights
                    out.update({(unit, period): total * share for unit, share in shares.items()})
        return self.put(code, out, level=level)

    def allocate_counts(self, total: int, weights: Mapping[str, float]) -> dict[str, int]:
        """Split a whole number over units by weight, keeping the total exact.

        Few events (accidents, new firms) are scattered one by one at random, so small
        units often get 0, as in life; large totals are split proportionally with noise.
        """
        codes = list(weights)
        total = max(total, 0)
        if total <= MULTINOMIAL_LIMIT:
            counts = dict.fromkeys(codes, 0)
            for code in self.rng.choices(codes, weights=[weights[c] for c in codes], k=total):
                counts[code] += 1
            return counts
        shares = self.jitter(weights, 0.04)
        exact = {code: total * shares[code] for code in codes}
        counts = {code: math.floor(value) for code, value in exact.items()}
        by_remainder = sorted(codes, key=lambda c: exact[c] - counts[c], reverse=True)
        for code in by_remainder[: total - sum(counts.values())]:
            counts[code] += 1
        return counts

    def part_of(
        self,
        code: str,
        source: str,
        share: Callable[[str, str], float],
        *,
        noise: float = 0.02,
        integer: bool = False,
    ) -> dict[Key, float]:
        """A series that is a share of another one, unit by unit and period by period."""
        out: dict[Key, float] = {}
        for (unit, period), value in self.series[source].items():
            part = value * share(unit, period) * max(0.0, 1 + self.rng.gauss(0, noise))
            out[(unit, period)] = float(round(part)) if integer else part
        return self.put(code, out, level=self.levels[source])

    # -- stocks (last), levels (none, average) ----------------------------------------

    def stock(
        self,
        code: str,
        *,
        level: Level,
        year_end: Mapping[int, float],
        profile: Mapping[str, float] | None = None,
        kind: str = "urban",
        unit_sigma: float = 0.08,
        noise: float = 0.003,
        first_period: str | None = None,
    ) -> dict[Key, float]:
        """A stock indicator (last): the province level moves linearly between year-end anchors."""
        period_type = self.rules[code].period_type
        weights = self.jitter(self.unit_weights(level, profile or {}, kind=kind), unit_sigma)
        out: dict[Key, float] = {}
        for year in YEARS:
            for period, fraction in _period_ends(year, period_type):
                if first_period is not None and _sortable(period) < _sortable(first_period):
                    continue
                level_value = year_end[year - 1] + fraction * (year_end[year] - year_end[year - 1])
                for unit, share in weights.items():
                    out[(unit, period)] = level_value * share * (1 + self.rng.gauss(0, noise))
        return self.put(code, out, level=level)

    def path(
        self, code: str, *, points: Mapping[str, float], noise: float = 0.0, first_period: str | None = None
    ) -> dict[Key, float]:
        """A province-level figure that follows anchor points (period code → value), e.g. a growth rate.

        Anchors are met exactly; periods between them are interpolated with ``noise``.
        """
        period_type = self.rules[code].period_type
        anchors = {_position(p): v for p, v in points.items()}
        out: dict[Key, float] = {}
        for year in YEARS:
            for period, _fraction in _period_ends(year, period_type):
                if first_period is not None and _sortable(period) < _sortable(first_period):
                    continue
                x = _position(period)
                value = interpolate(anchors, x)
                if x not in anchors:
                    value += self.rng.gauss(0, noise)
                out[(PROVINCE_CODE, period)] = value
        return self.put(code, out, level="province")

    def put(self, code: str, values: Mapping[Key, float], *, level: Level) -> dict[Key, float]:
        """Store a series made by hand (or by one of the methods above)."""
        if code not in self.rules:
            raise KeyError(f"{code} is not a stored indicator of the catalogue")
        self.series[code] = dict(values)
        self.levels[code] = level
        return self.series[code]

    def report_none(self, codes: Sequence[str], *, level: Level) -> None:
        """The units of ``level`` without any of a stock report 0 for every period the others report:
        an office says "0 ha", it does not leave the form blank (completeness expects it)."""
        for code in codes:
            series = self.series[code]
            periods = sorted({period for _unit, period in series})
            missing = [u for u in self.unit_codes(level) if not any((u, p) in series for p in periods)]
            for unit in missing:
                for period in periods:
                    series[(unit, period)] = 0.0

    # -- gaps and output --------------------------------------------------------------

    def drop(self, codes: Sequence[str], keys: Iterable[Key]) -> None:
        """Remove values a unit did not report (the same gap in every listed indicator)."""
        doomed = set(keys)
        for code in codes:
            for key in doomed:
                self.series[code].pop(key, None)

    def random_keys(self, code: str, *, share: float, years: Sequence[int] = YEARS) -> list[Key]:
        """A random ``share`` of an indicator's keys within ``years``, in a stable order."""
        candidates = sorted(k for k in self.series[code] if int(k[1][:4]) in years)
        return self.rng.sample(candidates, k=round(len(candidates) * share))

    def values(self) -> list[GeneratedValue]:
        """Every series rounded to its indicator's decimals and kept within its min/max."""
        return series_values(self.series, self.rules)


def series_values(
    series: Mapping[str, Mapping[Key, float]], rules: Mapping[str, IndicatorRules]
) -> list[GeneratedValue]:
    """Series as stored: each value rounded to its indicator's decimals and kept within its min/max."""
    out: list[GeneratedValue] = []
    for code in sorted(series):
        rule = rules[code]
        quantum = Decimal(1).scaleb(-rule.decimals)
        for (unit, period), raw in sorted(series[code].items()):
            value = quantize(raw, rule.decimals)
            if rule.min_value is not None and value < rule.min_value:
                value = rule.min_value.quantize(quantum)
            if rule.max_value is not None and value > rule.max_value:
                value = rule.max_value.quantize(quantum)
            out.append(GeneratedValue(indicator=code, org_unit=unit, period=period, value=value + 0))
    return out


def quantize(raw: float, decimals: int) -> Decimal:
    """A generated number as it is stored: rounded half-even to ``decimals`` places."""
    return Decimal(repr(raw)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)


def rounded(series: Mapping[Key, float], decimals: int) -> dict[Key, float]:
    """Round values exactly as they will be stored, so sums and differences of stored figures agree."""
    return {key: float(quantize(value, decimals)) for key, value in series.items()}


def _period_ends(year: int, period_type: str) -> list[tuple[str, float]]:
    """Periods of a year with the fraction of the year elapsed at their end."""
    if period_type == "monthly":
        return [(month_code(year, m), m / 12) for m in MONTHS]
    if period_type == "quarterly":
        return [(quarter_code(year, q), q / 4) for q in QUARTERS]
    return [(str(year), 1.0)]


def _sortable(period: str) -> tuple[int, int]:
    if "Q" in period:
        year, quarter = period.split("Q")
        return int(year), int(quarter) * 3
    if len(period) == 6:
        return int(period[:4]), int(period[4:])
    return int(period), 12


def _position(period: str) -> float:
    """A period's end on a continuous time axis in years (202306 → 2023.5)."""
    year, month = _sortable(period)
    return year + month / 12

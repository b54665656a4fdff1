"""The demo in the present: the three former provinces until 30 June 2025, the new Hồ Chí Minh City since.

**Synthetic sample data, not official statistics**, as all of the demo's figures. ``generate.py`` makes
Bình Dương's figures of 2019–2023 (unchanged: same seed, same values). This module adds, from them:

1. **The two other former provinces, 2019–2023** (``HISTORY_START_YEAR``): the former Hồ Chí Minh
   City (79) and Bà Rịa – Vũng Tàu (77), on their own districts and communes, by scaling Bình
   Dương's province totals period by period (its seasons, Tết, COVID shocks) with a size factor per
   kind of figure (``SCALES``: an illustrative assumption, not a published ratio) and splitting them
   over the province's units with fixed weights (urban wards weigh more in the economy, rural
   communes in farming).
2. **All three, from 2024 to a fixed horizon (December 2027)**: each unit's 2023 figures carried
   forward with a yearly growth per indicator (``GROWTH``), 2023's seasons and noise.
3. **The new city and its 168 communes, from 1 July 2025**: their figures are derived from the old
   units' series through the successions — a new commune's value is Σ share × value of its
   predecessors, with the demo's shares (``data/demo/hcmc_2025_part_shares.csv``, area-weighted); what
   districts reported (budget revenue, retail sales …) the city reports, as the sum of the old districts'
   series, since there are no districts after 1/7/2025; the city's province-level figures are the sum
   (or, for a rate, the weighted mean) of the three provinces'. So the new city's first half of 2026 is
   the re-based first half of 2025 times the growth, as analytics re-bases it.

All three former provinces begin in 2019, so every re-based figure of the new city holds the three.

The old units keep what ends by 30/6/2025; the new ones what begins on 1/7/2025 and ends by the
cut-off month (by default the last complete month before today). Every value depends only on the
seed, the unit and the period — never on the cut-off — so a later cut-off adds months and changes
none (the noise is a hash of those, not a draw from a stream whose length would depend on the data).
"""

from __future__ import annotations

import functools
import hashlib
import math
import struct
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from dieuhanh.demo.reform import CITY_CODE, Reform, part_shares_by_area
from dieuhanh.demo.synth import IndicatorRules, Key, Level, Synth, quantize
from dieuhanh.orgunits.choices import MergeType

# The old map's last month and the new map's first, as month numbers (year × 12 + month).
LAST_OLD_MONTH = 2025 * 12 + 6
FIRST_NEW_MONTH = LAST_OLD_MONTH + 1
# Every series is generated to this month; the cut-off only decides how much of it is kept.
HORIZON = (2027, 12)
TEMPLATE_YEAR = 2023
BASE_YEARS = (2019, 2020, 2021, 2022, 2023)

EXTENSION_YEARS = tuple(range(TEMPLATE_YEAR + 1, HORIZON[0] + 1))
OTHER_PROVINCES = ("79", "77")

# Size of the former HCMC and Bà Rịa – Vũng Tàu against Bình Dương, by kind of figure: illustrative
# assumptions for synthetic data, not published ratios. They are chosen so that the merged city's
# magnitudes land near what the city said of itself: an economy of "about 3 million billion VND"
# (ttbc-hcm.gov.vn, 4/2/2026), exports of about 96 billion USD in 2025 (PLO, 6/1/2026), a 2025 budget
# revenue near 700,000 billion (its 2026 estimate of 807,526 is "about 15 % above 2025", Znews,
# 4/2/2026); population about 3.3 and 0.4 times Bình Dương's.
SCALES: dict[str, dict[str, float]] = {
    "79": {"economy": 3.2, "budget": 6.0, "trade": 1.4, "people": 3.3, "rural": 0.35, "land": 0.5},
    "77": {"economy": 1.1, "budget": 1.0, "trade": 0.35, "people": 0.42, "rural": 1.0, "land": 1.0},
}
# The other two provinces' history starts here, with Bình Dương's: a re-based figure of the new city
# before it would hold Bình Dương's alone (a five-year trend of 2026 reaches back to 2020).
HISTORY_START_YEAR = 2019
BUDGET = {"BUDGET_REV", "BUDGET_REV_DOMESTIC", "BUDGET_EXP"}
TRADE = {"EXPORT", "EXPORT_FDI", "IMPORT"}
PEOPLE = {
    "POPULATION", "HOUSEHOLDS", "POOR_HH", "STUDENTS", "SCHOOLS_PUBLIC", "SCHOOLS_STD", "HOSPITAL_BEDS",
    "DOCTORS", "HI_PARTICIPANTS", "SI_PARTICIPANTS", "LABOR_FORCE", "JOBS_NEW", "WORKERS_SUPPORTED",
    "UNEMPLOYMENT_BENEFIT", "TRAFFIC_ACCIDENTS", "TRAFFIC_DEATHS", "TRAFFIC_INJURIES", "TRAFFIC_VIOLATIONS",
    "DOSSIERS_RECEIVED", "DOSSIERS_ONLINE", "DOSSIERS_RESOLVED", "DOSSIERS_ONTIME", "VNEID_ACTIVATED",
    "PASSENGERS",
}  # fmt: skip
RURAL = {"PIGS", "POULTRY"}
LAND = {"IZ_LAND", "IZ_LEASED"}
# A part moves with its whole: the same weights, growth and noise, so that a part never exceeds it.
FAMILY = {
    "IZ_LEASED": "IZ_LAND", "RETAIL_GOODS": "RETAIL", "ACCOM_FOOD_REV": "RETAIL", "EXPORT_FDI": "EXPORT",
    "BUDGET_REV_DOMESTIC": "BUDGET_REV", "ENT_NEW_CAPITAL": "ENT_NEW", "SCHOOLS_STD": "SCHOOLS_PUBLIC",
    "DOCTORS": "POPULATION", "HI_PARTICIPANTS": "POPULATION", "DOSSIERS_ONLINE": "DOSSIERS_RECEIVED",
    "DOSSIERS_RESOLVED": "DOSSIERS_RECEIVED", "DOSSIERS_ONTIME": "DOSSIERS_RECEIVED",
}  # fmt: skip
# Nominal yearly growth after 2023 (a part takes its whole's); illustrative.
GROWTH = {
    "GRDP": 0.105, "BUDGET_REV": 0.09, "BUDGET_EXP": 0.08, "EXPORT": 0.10, "IMPORT": 0.09, "RETAIL": 0.10,
    "INVEST_TOTAL": 0.09, "PI_PLAN": 0.10, "PI_DISB": 0.10, "ELECTRICITY": 0.07, "FDI_REG": 0.05,
    "FDI_PROJECTS_NEW": 0.05, "DOMESTIC_CAPITAL_REG": 0.07, "TOURISTS": 0.10, "PASSENGERS": 0.05, "FREIGHT": 0.05,
    "ENT_NEW": 0.06, "ENT_DISSOLVED": 0.03, "ENT_SUSPENDED": 0.03, "ENT_ACTIVE": 0.05,
    "TRAFFIC_ACCIDENTS": -0.04, "TRAFFIC_DEATHS": -0.04, "TRAFFIC_INJURIES": -0.04, "TRAFFIC_VIOLATIONS": 0.03,
    "POPULATION": 0.02, "HOUSEHOLDS": 0.02, "POOR_HH": -0.15, "STUDENTS": 0.02, "SCHOOLS_PUBLIC": 0.01,
    "HOSPITAL_BEDS": 0.03, "JOBS_NEW": 0.03, "WORKERS_SUPPORTED": 0.03, "UNEMPLOYMENT_BENEFIT": 0.02,
    "SI_PARTICIPANTS": 0.03, "LABOR_FORCE": 0.015, "DOSSIERS_RECEIVED": 0.03, "VNEID_ACTIVATED": 0.05,
    "IZ_LAND": 0.02, "PIGS": 0.01, "POULTRY": 0.01, "SOCIAL_HOUSING": 0.15, "GRDP_PER_CAPITA": 0.09,
}  # fmt: skip
DEFAULT_GROWTH = {"sum": 0.06, "last": 0.02}
# How much a flow's month (or quarter) strays from its season, unit by unit (a part takes its whole's).
FLOW_NOISE = {"GRDP": 0.01, "INVEST_TOTAL": 0.02, "FDI_REG": 0.25, "FDI_PROJECTS_NEW": 0.2, "SOCIAL_HOUSING": 0.3}
DEFAULT_FLOW_NOISE = 0.03
# Growth rates (%, against the same period a year before) are set, not carried from 2023's slump.
RATE_LEVELS = {"GRDP_GROWTH": 7.8, "IIP": 8.5}
# Flags of a commune (0 or 1 of 1): carried as they are.
FLAGS = {"RURAL_COMMUNES", "NTM_ADV"}
# Indicators the generator computes from others (after rounding, so that stored figures add up).
COMPUTED = {"TRADE_BALANCE", "BUDGET_REV_TRADE"}


@functools.cache
def _month_span(period: str) -> tuple[int, int]:
    """A period code's first and last month as month numbers (year × 12 + month)."""
    year = int(period[:4])
    if len(period) == 4:
        return year * 12 + 1, year * 12 + 12
    if "Q" in period:
        quarter = int(period[5])
        return year * 12 + 3 * quarter - 2, year * 12 + 3 * quarter
    month = int(period[4:6])
    return year * 12 + month, year * 12 + month


def _in_year(period: str, year: int) -> str:
    return f"{year}{period[4:]}"


def _fraction(period: str) -> float:
    """The part of its year elapsed at a period's end (June → 0.5, Q3 → 0.75, a year → 1)."""
    return (_month_span(period)[1] - 1) % 12 / 12 + 1 / 12


def _gauss(*key: object) -> float:
    """A standard normal number that depends only on ``key`` (a hash, not a random stream)."""
    digest = hashlib.blake2b(repr(key).encode(), digest_size=16).digest()
    first, second = struct.unpack("<QQ", digest)
    u1 = (first + 1) / 2**64
    u2 = second / 2**64
    return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)


def _uniform(*key: object) -> float:
    """A number in [0, 1) that depends only on ``key``."""
    digest = hashlib.blake2b(repr(key).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") / 2**64


def _category(code: str) -> str:
    root = FAMILY.get(code, code)
    if root in PEOPLE:
        return "people"
    if root in RURAL:
        return "rural"
    if root in LAND:
        return "land"
    if root in BUDGET:
        return "budget"
    if root in TRADE:
        return "trade"
    return "economy"


URBAN_TYPES = {"Quận", "Thành phố", "Thị xã", "Phường", "Thị trấn", "Đặc khu"}


@dataclass(frozen=True)
class OldMap:
    """The units of the three former provinces that report figures, by province and level."""

    provinces: tuple[str, ...]
    districts: dict[str, list[str]]  # province → district codes
    reporters: dict[str, list[str]]  # province → commune-level reporters (communes, and a district without any)
    district_of: dict[str, str]  # commune-level reporter → its district (a district without communes: itself)
    province_of: dict[str, str]  # district → province
    types: dict[str, str]

    @classmethod
    def of(cls, reform: Reform) -> OldMap:
        districts: dict[str, list[str]] = defaultdict(list)
        reporters: dict[str, list[str]] = defaultdict(list)
        district_of: dict[str, str] = {}
        province_of: dict[str, str] = {}
        types = {u.code: u.type for u in (*reform.districts, *reform.communes)}
        with_communes = {c.parent for c in reform.communes}
        for district in reform.districts:
            districts[district.parent].append(district.code)
            province_of[district.code] = district.parent
            if district.code not in with_communes:
                reporters[district.parent].append(district.code)
                district_of[district.code] = district.code
        for commune in reform.communes:
            reporters[province_of[commune.parent]].append(commune.code)
            district_of[commune.code] = commune.parent
        return cls(
            provinces=tuple(p.code for p in reform.provinces),
            districts=dict(districts),
            reporters={p: sorted(codes) for p, codes in reporters.items()},
            district_of=district_of,
            province_of=province_of,
            types=types,
        )

    def units(self, province: str, level: Level) -> list[str]:
        if level == "province":
            return [province]
        if level == "district":
            return self.districts[province]
        return self.reporters[province]

    def weight(self, unit: str, category: str) -> float:
        """A unit's fixed relative size for a kind of figure (before normalising within its set)."""
        urban = self.types.get(unit) in URBAN_TYPES
        factor = {"rural": 0.4 if urban else 1.6, "people": 1.2 if urban else 0.9}.get(category, 1.4 if urban else 0.7)
        return factor * math.exp(0.35 * _gauss("weight", unit, category))

    def weights(self, units: Iterable[str], category: str) -> dict[str, float]:
        raw = {unit: self.weight(unit, category) for unit in units}
        total = sum(raw.values())
        return {unit: w / total for unit, w in raw.items()}


class Present:
    """The series of the demo beyond Bình Dương's 2019–2023, built from it (see the module's docstring)."""

    def __init__(
        self,
        *,
        base: Synth,
        reform: Reform,
        rules: Mapping[str, IndicatorRules],
        aggregations: Mapping[str, str],
        shares: Mapping[tuple[str, str], Decimal | None],
        seed: int,
    ) -> None:
        self.base, self.reform, self.rules, self.seed = base, reform, rules, seed
        self.aggregations = aggregations
        self.map = OldMap.of(reform)
        # The split of every part, the demo's own where the shares file withholds it (a figure must
        # go somewhere; analytics will not know the share and will say so).
        area = part_shares_by_area(reform)
        self.shares = {key: float(share if share is not None else area[key]) for key, share in shares.items()}
        # Old series: code → (unit, period) → value, for every old unit through the horizon.
        self.old: dict[str, dict[Key, float]] = {code: {} for code in base.series}

    # -- helpers ----------------------------------------------------------------------

    def level(self, code: str) -> Level:
        return self.base.levels[code]

    def aggregation(self, code: str) -> str:
        return self.aggregations.get(code, "sum")

    def growth(self, code: str) -> float:
        root = FAMILY.get(code, code)
        return GROWTH.get(root, DEFAULT_GROWTH.get(self.aggregation(code), 0.0))

    def noise(self, code: str, unit: str, period: str, amplitude: float) -> float:
        """1 plus a small normal noise, shared by an indicator's family (a part and its whole)."""
        if amplitude == 0:
            return 1.0
        return max(0.2, 1 + amplitude * _gauss(self.seed, FAMILY.get(code, code), unit, period))

    # -- 1. the two other provinces, 2019–2023, scaled from Bình Dương -----------------

    def scale_history(self) -> None:
        for code, series in self.base.series.items():
            self.old[code].update(series)
            if code in COMPUTED:
                continue
            level, aggregation = self.level(code), self.aggregation(code)
            totals: dict[str, float] = defaultdict(float)
            counts: dict[str, int] = defaultdict(int)
            for (_unit, period), value in series.items():
                if int(period[:4]) >= HISTORY_START_YEAR:
                    totals[period] += value
                    counts[period] += 1
            for province in OTHER_PROVINCES:
                units = self.map.units(province, level)
                category = _category(code)
                if code in FLAGS:
                    self._flags_history(code, province, units)
                    continue
                if aggregation in {"sum", "last"}:
                    scale = SCALES[province][category]
                    weights = self.map.weights(units, category)
                    amplitude = 0.003 if aggregation == "last" else 0.05
                    for period, total in totals.items():
                        key = period[:4] if code == "PI_PLAN" else period  # a year's plan is fixed all year
                        for unit, weight in weights.items():
                            value = scale * total * weight * self.noise(code, unit, key, amplitude)
                            self.old[code][(unit, period)] = value
                else:
                    factor = 1.0
                    if code == "GRDP_PER_CAPITA":
                        factor = SCALES[province]["economy"] / SCALES[province]["people"]
                    for period, total in totals.items():
                        mean = total / counts[period]
                        for unit in units:
                            self.old[code][(unit, period)] = mean * factor * self.noise(code, unit, period, 0.02)
        self._computed(self.old)

    def _flags_history(self, code: str, province: str, units: list[str]) -> None:
        rural = [u for u in units if self.map.types.get(u) == "Xã"]
        if code == "RURAL_COMMUNES":
            for year in BASE_YEARS:
                if year < HISTORY_START_YEAR:
                    continue
                for unit in units:
                    self.old[code][(unit, str(year))] = float(unit in rural)
            return
        # NTM_ADV: the share of rural communes that reached the standard, as in Bình Dương.
        bd_rural = sum(v for (_u, p), v in self.base.series["RURAL_COMMUNES"].items() if p == str(TEMPLATE_YEAR))
        order = sorted(rural, key=lambda u: _gauss(self.seed, "ntm", u))
        for year in BASE_YEARS:
            if year < HISTORY_START_YEAR:
                continue
            reached = sum(v for (_u, p), v in self.base.series[code].items() if p == str(year))
            count = round(len(rural) * reached / bd_rural) if bd_rural else 0
            for unit in units:
                self.old[code][(unit, str(year))] = float(unit in order[:count])

    # -- 2. all three provinces, 2024 to the horizon -----------------------------------

    def extend(self) -> None:
        for code in self.base.series:
            if code in COMPUTED:
                continue
            series = self.old[code]
            template = {key: value for key, value in series.items() if key[1][:4] == str(TEMPLATE_YEAR)}
            aggregation = self.aggregation(code)
            growth = self.growth(code)
            if code in FLAGS:
                for (unit, period), value in template.items():
                    for year in EXTENSION_YEARS:
                        series[(unit, _in_year(period, year))] = value
            elif code in RATE_LEVELS:
                for (unit, period), _value in template.items():
                    for year in EXTENSION_YEARS:
                        later = _in_year(period, year)
                        series[(unit, later)] = RATE_LEVELS[code] + 0.4 * _gauss(self.seed, code, unit, later)
            elif aggregation == "sum" and code != "PI_PLAN":
                self._extend_flow(code, template, growth)
            elif aggregation in {"sum", "last"}:
                # A stock grows smoothly from its December 2023 level (PI_PLAN: the year's plan, fixed all year).
                last_period = max(p for _u, p in template)
                for (unit, period), _value in template.items():
                    end = template.get((unit, last_period), _value)
                    for year in EXTENSION_YEARS:
                        later = _in_year(period, year)
                        years: float
                        if code == "PI_PLAN":
                            years, key, amplitude = float(year - TEMPLATE_YEAR), str(year), 0.05
                        else:
                            years, key, amplitude = year - TEMPLATE_YEAR - 1 + _fraction(period), later, 0.003
                        series[(unit, later)] = end * (1 + growth) ** years * self.noise(code, unit, key, amplitude)
            else:
                for (unit, period), value in template.items():
                    for year in EXTENSION_YEARS:
                        later = _in_year(period, year)
                        series[(unit, later)] = value * self.noise(code, unit, later, 0.02)
        self._computed(self.old)

    def _extend_flow(self, code: str, template: Mapping[Key, float], growth: float) -> None:
        """A flow's months: the unit's 2023 total spread by its province's 2023 season (the whole's, for
        a part), grown each year, with noise."""
        root = FAMILY.get(code, code)
        root_template = (
            template if root == code else {k: v for k, v in self.old[root].items() if k[1][:4] == str(TEMPLATE_YEAR)}
        )
        season: dict[tuple[str, str], float] = defaultdict(float)  # (province, period) → total
        for (unit, period), value in root_template.items():
            season[(self._province(unit, code), period)] += value
        yearly: dict[str, float] = defaultdict(float)
        for (province, _period), value in season.items():
            yearly[province] += value
        annual: dict[str, float] = defaultdict(float)
        for (unit, _period), value in template.items():
            annual[unit] += value
        series = self.old[code]
        for (province, period), value in season.items():
            share = value / yearly[province] if yearly[province] else 0.0
            for unit in self._units_of(province, code):
                for year in EXTENSION_YEARS:
                    later = _in_year(period, year)
                    grown = annual[unit] * share * (1 + growth) ** (year - TEMPLATE_YEAR)
                    amplitude = FLOW_NOISE.get(root, DEFAULT_FLOW_NOISE)
                    series[(unit, later)] = grown * self.noise(code, unit, later, amplitude)

    def _province(self, unit: str, code: str) -> str:
        level = self.level(code)
        if level == "province":
            return unit
        if level == "district":
            return self.map.province_of[unit]
        return self.map.province_of[self.map.district_of[unit]]

    def _units_of(self, province: str, code: str) -> list[str]:
        return self.map.units(province, self.level(code))

    def counted(self, series: dict[str, dict[Key, float]], *, keep: Mapping[str, Mapping[Key, float]]) -> None:
        """Communes' counts (a sum stored without decimals) rounded up or down at random, with the odds of their
        fraction: a commune expecting 0.3 accidents a month reports 0 or 1, and the city's total is
        what was expected — rounding each to the nearest would lose every small commune's events.
        Values in ``keep`` (Bình Dương's 2019–2023) stay as they are."""
        for code, values in series.items():
            if self.level(code) != "commune" or self.rules[code].decimals != 0 or self.aggregation(code) != "sum":
                continue
            kept = keep.get(code, {})
            for key, value in values.items():
                if key not in kept:
                    values[key] = float(math.floor(value + _uniform(self.seed, "count", code, *key)))

    # -- 3. the new city and its communes -----------------------------------------------

    def successors(self) -> dict[str, list[tuple[str, float]]]:
        """For each new commune, its commune-level predecessors with the share of each it receives."""
        communes: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for conversion in self.reform.conversions:
            share = self.shares.get((conversion.old, conversion.new), 1.0)
            if conversion.merge_type != MergeType.PART:
                share = 1.0
            communes[conversion.new].append((conversion.old, share))
        return dict(communes)

    def derive_new(self) -> dict[str, dict[Key, float]]:
        communes = self.successors()
        districts = [d for p in self.map.provinces for d in self.map.districts[p]]
        new_types = {c.code: c.type for c in self.reform.new_communes}
        province_weight = {p: (SCALES[p]["economy"] if p in SCALES else 1.0) for p in self.map.provinces}
        out: dict[str, dict[Key, float]] = {}
        for code, series in self.old.items():
            if code in COMPUTED:
                continue
            level, aggregation = self.level(code), self.aggregation(code)
            periods = sorted({p for _u, p in series if _month_span(p)[0] >= FIRST_NEW_MONTH})
            values: dict[Key, float] = {}
            for period in periods:
                if level != "commune":
                    # Without districts, what they reported the city reports (the sum of what they would have).
                    if level == "district":
                        parts = [(d, 1.0) for d in districts if (d, period) in series]
                    else:
                        parts = [(p, province_weight[p]) for p in self.map.provinces if (p, period) in series]
                    if aggregation in {"sum", "last"}:
                        values[(CITY_CODE, period)] = sum(series[(p, period)] for p, _w in parts)
                    else:
                        values[(CITY_CODE, period)] = _mean(series, parts, period)
                    continue
                for new, olds in communes.items():
                    parts = [(old, w) for old, w in olds if (old, period) in series]
                    if not parts:
                        continue
                    if code == "RURAL_COMMUNES":
                        values[(new, period)] = float(new_types[new] == "Xã")
                    elif code == "NTM_ADV":
                        reached = sum(w * series[(old, period)] for old, w in parts) >= 0.5
                        values[(new, period)] = float(new_types[new] == "Xã" and reached)
                    elif aggregation in {"sum", "last"}:
                        values[(new, period)] = sum(w * series[(old, period)] for old, w in parts)
                    else:
                        values[(new, period)] = _mean(series, parts, period)
            out[code] = values
        self._computed(out, province=CITY_CODE)
        return out

    # -- figures computed from others ---------------------------------------------------

    def _computed(self, series: dict[str, dict[Key, float]], *, province: str | None = None) -> None:
        """Trade balance = exports − imports; customs revenue = revenue − domestic revenue, per province,
        from the values as they will be stored."""
        exports = _stored(series.get("EXPORT", {}), self.rules["EXPORT"])
        imports = _stored(series.get("IMPORT", {}), self.rules["IMPORT"])
        balance = series.setdefault("TRADE_BALANCE", {})
        for key, value in exports.items():
            if key in imports and key not in self.base.series["TRADE_BALANCE"]:
                balance[key] = value - imports[key]
        revenue = _stored(series.get("BUDGET_REV", {}), self.rules["BUDGET_REV"])
        domestic = _stored(series.get("BUDGET_REV_DOMESTIC", {}), self.rules["BUDGET_REV_DOMESTIC"])
        customs = series.setdefault("BUDGET_REV_TRADE", {})
        sums: dict[Key, float] = defaultdict(float)
        for (unit, period), value in revenue.items():
            if (unit, period) not in domestic:
                continue
            owner = province or self._province(unit, "BUDGET_REV")
            sums[(owner, period)] += value - domestic[(unit, period)]
        for key, value in sums.items():
            if key not in self.base.series["BUDGET_REV_TRADE"]:
                customs[key] = value


def _mean(series: Mapping[Key, float], parts: list[tuple[str, float]], period: str) -> float:
    total = sum(w for _u, w in parts)
    return sum(w * series[(u, period)] for u, w in parts) / total if total else 0.0


def _stored(series: Mapping[Key, float], rules: IndicatorRules) -> dict[Key, float]:
    return {key: float(quantize(value, rules.decimals)) for key, value in series.items()}


def present_series(
    *,
    base: Synth,
    reform: Reform,
    rules: Mapping[str, IndicatorRules],
    aggregations: Mapping[str, str],
    shares: Mapping[tuple[str, str], Decimal | None],
    seed: int,
    last_month: tuple[int, int],
) -> dict[str, dict[Key, float]]:
    """The series to add to Bình Dương's 2019–2023 (``base``, built, always whole): the old units' figures
    that end by 30/6/2025 and are not in ``base``, and the new units' that begin on 1/7/2025, all of them
    ending by ``last_month`` (year, month; capped at the horizon)."""
    present = Present(base=base, reform=reform, rules=rules, aggregations=aggregations, shares=shares, seed=seed)
    present.scale_history()
    present.extend()
    present.counted(present.old, keep=base.series)
    new = present.derive_new()
    present.counted(new, keep={})
    cut = min(last_month, HORIZON)
    last = cut[0] * 12 + cut[1]
    out: dict[str, dict[Key, float]] = {}
    for code, series in present.old.items():
        base_series = base.series.get(code, {})
        kept = {
            key: value
            for key, value in series.items()
            if key not in base_series and _month_span(key[1])[1] <= min(LAST_OLD_MONTH, last)
        }
        kept.update({key: value for key, value in new.get(code, {}).items() if _month_span(key[1])[1] <= last})
        out[code] = kept
    return out

"""Synthetic sample figures of Bình Dương, January 2019 to December 2023.

**These are not official statistics.** They are generated, reproducibly from a seed,
to look like what the province's statistics office and departments report: realistic
magnitudes, Tết in January or February, the 2020 COVID dip, the July–September 2021
lockdown, the export slowdown from mid-2022 into 2023, and units of very different
sizes. Yearly province totals are anchored on figures the province published where
we know them (see the catalogue's comments), so the demo's statuses against the plan
tell 2023's real story; the monthly pattern, the split over districts and communes,
and the small gaps in reporting are invented (``shapes.py`` holds the seasons, shocks and
district shares; ``synth.py`` the mechanics).

Which level reports what is decided here, indicator by indicator:

- commune: new, dissolved and suspended enterprises; traffic accidents, deaths,
  injuries; households and poor households; school enrolment; advanced new-rural
  communes;
- district: retail sales, budget revenue, public investment, electricity, domestic
  registered capital, jobs, dossiers, hospital beds, industrial land, population,
  schools, doctors, health insurance, livestock, enterprises in operation;
- province: everything else (IIP, CPI, exports, imports, FDI, GRDP …).
"""

from __future__ import annotations

from collections.abc import Mapping

from dieuhanh.demo.shapes import (
    BUDGET,
    ECONOMY,
    HEALTH,
    INDUSTRIAL_LAND,
    INDUSTRY,
    POPULATION_2019,
    PUBLIC_WORKS,
    RURAL,
    TET_MONTH,
    TRAFFIC,
    URBAN_DISTRICTS,
    admin,
    budget,
    consumption,
    disbursement,
    exports,
    flat,
    grdp_quarters,
    hiring,
    investment_quarters,
    layoffs,
    mobility,
    production,
    spending,
    traffic,
)
from dieuhanh.demo.synth import (
    YEARS,
    GeneratedValue,
    IndicatorRules,
    Key,
    Synth,
    interpolate,
    month_code,
    rounded,
)
from dieuhanh.demo.units import PROVINCE_CODE, AdminUnits

DEFAULT_SEED = 20230101


def generate_values(
    *, units: AdminUnits, rules: Mapping[str, IndicatorRules], seed: int = DEFAULT_SEED
) -> list[GeneratedValue]:
    """Every stored figure of the demo, sorted; the same ``seed`` gives the same list."""
    return build(Synth(units=units, rules=rules, seed=seed)).values()


def build(s: Synth) -> Synth:
    """Generate every series into ``s`` (in a fixed order: the random stream depends on it)."""
    _economy(s)
    _trade_and_investment(s)
    _public_finance(s)
    _enterprises(s)
    _prices(s)
    _labour_and_society(s)
    _education_and_health(s)
    _administration(s)
    _traffic(s)
    _agriculture_and_environment(s)
    return s


def _economy(s: Synth) -> None:
    s.flow(
        "GRDP", level="province", shape=grdp_quarters, noise=0.01,
        annual={2019: 356_000, 2020: 387_300, 2021: 407_000, 2022: 458_700, 2023: 485_600},
    )  # fmt: skip
    # Growth from January to the end of each quarter, against the same period a year before.
    s.path(
        "GRDP_GROWTH",
        points={
            "2019Q1": 8.6, "2019Q2": 8.8, "2019Q3": 8.9, "2019Q4": 9.0,
            "2020Q1": 6.0, "2020Q2": 5.1, "2020Q3": 5.9, "2020Q4": 6.78,
            "2021Q1": 6.6, "2021Q2": 7.1, "2021Q3": 1.48, "2021Q4": 2.62,
            "2022Q1": 5.0, "2022Q2": 6.3, "2022Q3": 7.91, "2022Q4": 8.29,
            "2023Q1": 1.15, "2023Q2": 3.76, "2023Q3": 5.0, "2023Q4": 5.97,
        },
    )  # fmt: skip
    s.path("GRDP_PER_CAPITA", points={"2019": 145.0, "2020": 150.1, "2021": 152.0, "2022": 166.0, "2023": 172.0})
    s.stock(
        "POPULATION", level="district", profile=POPULATION_2019, unit_sigma=0.02, noise=0.0,
        year_end={2018: 2_400_000, 2019: 2_456_000, 2020: 2_580_000, 2021: 2_678_000, 2022: 2_763_000, 2023: 2_823_000},
    )  # fmt: skip
    s.path(
        "IIP",
        noise=0.3,
        points={
            "201901": 8.5, "201903": 9.3, "201906": 9.6, "201909": 9.7, "201912": 9.8,
            "202001": -2.0, "202002": 5.0, "202003": 5.5, "202004": 3.5, "202005": 3.8, "202006": 4.6,
            "202009": 6.0, "202012": 7.3,
            "202101": 14.0, "202102": 8.5, "202103": 8.8, "202106": 9.2, "202107": 7.0, "202108": 2.8,
            "202109": 0.9, "202110": 1.2, "202111": 2.1, "202112": 3.0,
            "202201": 2.0, "202202": 4.0, "202203": 6.0, "202206": 8.9, "202208": 10.5, "202209": 10.3,
            "202210": 9.6, "202211": 9.1, "202212": 8.9,
            "202301": -12.0, "202302": -4.0, "202303": -2.2, "202304": -0.5, "202306": 2.0, "202308": 3.4,
            "202310": 5.0, "202312": 6.5,
        },
    )  # fmt: skip
    s.flow(
        "ELECTRICITY", level="district", profile=INDUSTRY, shape=production,
        annual={2019: 14_500, 2020: 15_000, 2021: 14_700, 2022: 16_600, 2023: 16_950},
    )  # fmt: skip
    land = s.stock(
        "IZ_LAND", level="district", profile=INDUSTRIAL_LAND, unit_sigma=0.1, noise=0.0,
        year_end={2018: 8_650, 2019: 8_700, 2020: 8_750, 2021: 8_790, 2022: 8_900, 2023: 9_250},
    )  # fmt: skip
    occupancy = {"201812": 0.875, "201912": 0.885, "202012": 0.895, "202112": 0.9, "202212": 0.91, "202312": 0.89}
    tilt = {unit: s.rng.uniform(0.95, 1.04) for unit, _period in land}
    s.part_of(
        "IZ_LEASED", "IZ_LAND", noise=0.002,
        share=lambda unit, period: min(0.995, _monthly(occupancy, period) * tilt[unit]),
    )  # fmt: skip
    # Dầu Tiếng has no industrial park: it reports 0 ha (after the random draws, which it must not shift).
    s.report_none(["IZ_LAND", "IZ_LEASED"], level="district")
    s.flow(
        "RETAIL", level="district", profile=ECONOMY, shape=consumption,
        annual={2019: 225_190, 2020: 252_889, 2021: 230_685, 2022: 269_440, 2023: 303_853},
    )  # fmt: skip
    s.part_of("RETAIL_GOODS", "RETAIL", share=lambda _u, p: 0.72 if p.startswith("2021") else 0.694, noise=0.01)
    food_share = {2019: 0.095, 2020: 0.085, 2021: 0.065, 2022: 0.092, 2023: 0.096}
    s.part_of("ACCOM_FOOD_REV", "RETAIL", share=lambda _u, p: food_share[int(p[:4])], noise=0.03)
    s.flow(
        "TOURISTS", level="province", shape=mobility, noise=0.05,
        annual={2019: 4_500, 2020: 2_600, 2021: 1_100, 2022: 4_200, 2023: 5_100},
    )  # fmt: skip
    s.flow(
        "PASSENGERS", level="province", shape=mobility,
        annual={2019: 72_000, 2020: 54_000, 2021: 30_000, 2022: 60_000, 2023: 69_000},
    )  # fmt: skip
    s.flow(
        "FREIGHT", level="province", shape=production,
        annual={2019: 49_000, 2020: 48_000, 2021: 40_500, 2022: 52_000, 2023: 53_500},
    )  # fmt: skip


def _trade_and_investment(s: Synth) -> None:
    exported = s.flow(
        "EXPORT", level="province", shape=exports,
        annual={2019: 25_293, 2020: 27_443, 2021: 32_752, 2022: 35_700, 2023: 32_300},
    )  # fmt: skip
    imported = s.flow(
        "IMPORT", level="province", shape=exports, noise=0.04,
        annual={2019: 19_950, 2020: 21_466, 2021: 25_545, 2022: 25_800, 2023: 22_600},
    )  # fmt: skip
    s.part_of("EXPORT_FDI", "EXPORT", share=lambda _u, p: 0.81 if p < "2021" else 0.815, noise=0.01)
    decimals = s.rules["TRADE_BALANCE"].decimals
    stored_exports, stored_imports = rounded(exported, decimals), rounded(imported, decimals)
    s.put("TRADE_BALANCE", {k: stored_exports[k] - stored_imports[k] for k in stored_exports}, level="province")
    s.flow(
        "FDI_REG", level="province", shape=flat, lumpy=True,
        annual={2019: 1_960, 2020: 1_650, 2021: 2_068, 2022: 3_078, 2023: 1_750},
    )  # fmt: skip
    s.flow(
        "FDI_PROJECTS_NEW", level="province", shape=flat, noise=0.25, integer=True,
        annual={2019: 150, 2020: 105, 2021: 82, 2022: 72, 2023: 122},
    )  # fmt: skip
    s.flow(
        "DOMESTIC_CAPITAL_REG", level="district", profile=ECONOMY, shape=admin, noise=0.15, month_sigma=0.2,
        annual={2019: 60_000, 2020: 66_500, 2021: 70_300, 2022: 97_000, 2023: 82_000},
    )  # fmt: skip
    s.flow(
        "INVEST_TOTAL", level="province", shape=investment_quarters, noise=0.02,
        annual={2019: 125_000, 2020: 130_900, 2021: 136_823, 2022: 154_473, 2023: 164_300},
    )  # fmt: skip
    # The year's public-investment plan is assigned per district and stays fixed all year;
    # districts then disburse faster or slower than their share (unit_sigma).
    plan = {2019: 8_500, 2020: 9_500, 2021: 9_156, 2022: 8_909, 2023: 21_817}
    shares = s.unit_weights("district", PUBLIC_WORKS)
    s.put(
        "PI_PLAN",
        {
            (unit, month_code(y, m)): plan[y] * share
            for unit, share in shares.items()
            for y in YEARS
            for m in range(1, 13)
        },
        level="district",
    )
    s.flow(
        "PI_DISB", level="district", profile=PUBLIC_WORKS, shape=disbursement, unit_sigma=0.15, month_sigma=0.15,
        annual={2019: 7_400, 2020: 8_600, 2021: 7_100, 2022: 7_950, 2023: 17_300},
    )  # fmt: skip


def _public_finance(s: Synth) -> None:
    revenue = s.flow(
        "BUDGET_REV", level="district", profile=BUDGET, shape=budget, unit_sigma=0.05,
        annual={2019: 59_100, 2020: 59_700, 2021: 62_500, 2022: 66_600, 2023: 73_257},
    )  # fmt: skip
    domestic_share = {2019: 0.7, 2020: 0.71, 2021: 0.72, 2022: 0.74, 2023: 0.756}
    domestic = s.part_of("BUDGET_REV_DOMESTIC", "BUDGET_REV", share=lambda _u, p: domestic_share[int(p[:4])])
    # Customs revenue is the rest of the province's total, so the parts add up as stored.
    decimals = s.rules["BUDGET_REV"].decimals
    stored_revenue, stored_domestic = rounded(revenue, decimals), rounded(domestic, decimals)
    trade: dict[Key, float] = {}
    for (_unit, period), value in stored_revenue.items():
        key = (PROVINCE_CODE, period)
        trade[key] = trade.get(key, 0.0) + value - stored_domestic[(_unit, period)]
    s.put("BUDGET_REV_TRADE", trade, level="province")
    s.flow(
        "BUDGET_EXP", level="province", shape=spending,
        annual={2019: 17_200, 2020: 18_600, 2021: 19_100, 2022: 20_700, 2023: 23_500},
    )  # fmt: skip


def _enterprises(s: Synth) -> None:
    s.flow(
        "ENT_NEW", level="commune", profile=ECONOMY, shape=admin, integer=True, noise=0.06,
        annual={2019: 5_020, 2020: 4_450, 2021: 3_980, 2022: 6_235, 2023: 6_450},
    )  # fmt: skip
    capital_per_firm = {2019: 7.2, 2020: 7.0, 2021: 7.5, 2022: 6.4, 2023: 5.9}
    s.part_of("ENT_NEW_CAPITAL", "ENT_NEW", share=lambda _u, p: capital_per_firm[int(p[:4])], noise=0.45)
    s.flow(
        "ENT_DISSOLVED", level="commune", profile=ECONOMY, shape=admin, integer=True, noise=0.15,
        annual={2019: 450, 2020: 520, 2021: 470, 2022: 560, 2023: 650},
    )  # fmt: skip
    s.flow(
        "ENT_SUSPENDED", level="commune", profile=ECONOMY, shape=layoffs, integer=True, noise=0.15,
        annual={2019: 1_500, 2020: 2_300, 2021: 2_700, 2022: 2_100, 2023: 2_550},
    )  # fmt: skip
    s.stock(
        "ENT_ACTIVE", level="district", profile=ECONOMY,
        year_end={2018: 38_000, 2019: 42_000, 2020: 45_500, 2021: 48_000, 2022: 53_000, 2023: 56_500},
    )  # fmt: skip


def _prices(s: Synth) -> None:
    month_on_month, average_yoy = _consumer_prices(s)
    s.put("CPI_MOM", month_on_month, level="province")
    s.put("CPI", average_yoy, level="province")
    s.path(
        "PRICE_PORK",
        noise=1_200,
        points={
            "201901": 36_000, "201906": 45_000, "201909": 50_000, "201911": 75_000, "202002": 85_000,
            "202006": 90_000, "202010": 70_000, "202101": 80_000, "202106": 60_000, "202109": 50_000,
            "202112": 53_000, "202203": 45_000, "202207": 62_000, "202212": 53_000, "202303": 50_000,
            "202306": 60_000, "202309": 57_000, "202312": 50_000,
        },
    )  # fmt: skip


# Consumer prices, December on December (%), and two years month by month, close to the
# national pattern: the African swine fever spike of late 2019, the fuel-price fall of April 2020.
CPI_DEC_ON_DEC = {2018: 2.98, 2019: 5.23, 2020: 0.19, 2021: 1.81, 2022: 4.55, 2023: 3.58}
CPI_MONTHS = {
    2019: (0.1, 0.8, -0.21, 0.31, 0.49, -0.09, 0.18, 0.28, 0.32, 0.59, 0.96, 1.4),
    2020: (1.23, -0.17, -0.72, -1.54, -0.03, 0.66, 0.4, 0.07, 0.12, 0.09, -0.01, 0.1),
}
CPI_SEASON = (0.14, 0.14, 0.0, 0.05, 0.06, 0.08, 0.08, 0.08, 0.09, 0.08, 0.08, 0.1)


def _consumer_prices(s: Synth) -> tuple[dict[Key, float], dict[Key, float]]:
    index: dict[tuple[int, int], float] = {}
    month_on_month: dict[Key, float] = {}
    level = 100.0
    for year in (2018, *YEARS):
        season = [w + (0.1 if m + 1 == TET_MONTH.get(year, 2) else 0) for m, w in enumerate(CPI_SEASON)]
        for month in range(1, 13):
            if year in CPI_MONTHS:
                change = CPI_MONTHS[year][month - 1]
            else:
                change = CPI_DEC_ON_DEC[year] * season[month - 1] / sum(season) + s.rng.gauss(0, 0.08)
            level *= 1 + change / 100
            index[(year, month)] = level
            if year in YEARS:
                month_on_month[(PROVINCE_CODE, month_code(year, month))] = change
    average_yoy: dict[Key, float] = {}
    for year in YEARS:
        for month in range(1, 13):
            this = sum(index[(year, m)] for m in range(1, month + 1))
            last = sum(index[(year - 1, m)] for m in range(1, month + 1))
            average_yoy[(PROVINCE_CODE, month_code(year, month))] = (this / last - 1) * 100
    return month_on_month, average_yoy


def _labour_and_society(s: Synth) -> None:
    s.flow(
        "JOBS_NEW", level="district", profile=ECONOMY, shape=hiring, integer=True, noise=0.08,
        annual={2019: 41_000, 2020: 33_000, 2021: 28_500, 2022: 35_200, 2023: 36_400},
    )  # fmt: skip
    s.flow(
        "WORKERS_SUPPORTED", level="district", profile=ECONOMY, shape=hiring, integer=True, noise=0.08,
        annual={2019: 98_000, 2020: 85_000, 2021: 70_000, 2022: 110_000, 2023: 125_000},
    )  # fmt: skip
    s.flow(
        "UNEMPLOYMENT_BENEFIT", level="province", shape=layoffs, noise=0.06,
        annual={2019: 62_000, 2020: 78_000, 2021: 58_000, 2022: 76_000, 2023: 108_000},
    )  # fmt: skip
    # A district employment office now and then reported late and is missing from the month (not in
    # 2023, the year the demo reviews: by its end every report was in).
    s.drop(
        ["JOBS_NEW", "WORKERS_SUPPORTED"],
        [
            *s.random_keys("JOBS_NEW", share=0.006, years=(2019, 2020, 2021, 2022)),
        ],
    )
    s.path(
        "SI_PARTICIPANTS",
        noise=3_000,
        points={
            "2018Q4": 1_010_000, "2019Q4": 1_060_000, "2020Q2": 1_020_000, "2020Q4": 1_045_000,
            "2021Q2": 1_080_000, "2021Q3": 960_000, "2021Q4": 1_010_000, "2022Q2": 1_110_000,
            "2022Q4": 1_120_000, "2023Q1": 1_070_000, "2023Q2": 1_085_000, "2023Q4": 1_125_000,
        },
    )  # fmt: skip
    s.path(
        "LABOR_FORCE",
        noise=4_000,
        points={
            "2018Q4": 1_590_000, "2019Q4": 1_640_000, "2020Q4": 1_660_000, "2021Q2": 1_690_000,
            "2021Q3": 1_560_000, "2021Q4": 1_600_000, "2022Q4": 1_700_000, "2023Q4": 1_735_000,
        },
    )  # fmt: skip
    households = s.stock(
        "HOUSEHOLDS", level="commune", profile=POPULATION_2019, unit_sigma=0.05, noise=0.002,
        year_end={2018: 585_000, 2019: 600_000, 2020: 622_000, 2021: 640_000, 2022: 665_000, 2023: 690_000},
    )  # fmt: skip
    # Poverty is commoner in rural xã; the 2022 jump is the new, multidimensional poverty line.
    poor_total = {2019: 2_900, 2020: 2_200, 2021: 1_600, 2022: 5_400, 2023: 3_900}
    propensity = {
        c.code: {"Xã": 3.0, "Thị trấn": 1.5}.get(c.type, 0.6) * s.rng.lognormvariate(0, 0.5) for c in s.units.communes
    }
    poor: dict[Key, float] = {}
    for year in YEARS:
        weights = {c: households[(c, str(year))] * propensity[c] for c in propensity}
        for unit, count in s.allocate_counts(poor_total[year], weights).items():
            poor[(unit, str(year))] = float(count)
    s.put("POOR_HH", poor, level="commune")


def _education_and_health(s: Synth) -> None:
    enrolment: dict[Key, float] = {}
    base = {2019: 99.1, 2020: 99.2, 2021: 98.7, 2022: 99.3, 2023: 99.45}
    for commune in s.units.communes:
        for year in YEARS:
            rate = base[year] - (0.5 if commune.is_rural else 0.0) + s.rng.gauss(0, 0.3)
            enrolment[(commune.code, str(year))] = min(100.0, rate)
    s.put("ENROL_RATE", enrolment, level="commune")
    s.stock(
        "STUDENTS", level="district", profile=POPULATION_2019, unit_sigma=0.05, noise=0.0,
        year_end={2018: 415_000, 2019: 432_000, 2020: 455_000, 2021: 468_000, 2022: 492_000, 2023: 515_000},
    )  # fmt: skip
    s.stock(
        "SCHOOLS_PUBLIC", level="district", profile=POPULATION_2019, unit_sigma=0.1, noise=0.0,
        year_end={2018: 432, 2019: 440, 2020: 449, 2021: 455, 2022: 466, 2023: 478},
    )  # fmt: skip
    s.put("SCHOOLS_PUBLIC", rounded(s.series["SCHOOLS_PUBLIC"], 0), level="district")
    standard = {2019: 0.56, 2020: 0.59, 2021: 0.61, 2022: 0.645, 2023: 0.685}
    tilt = {d.code: s.rng.uniform(0.97, 1.03) for d in s.units.districts}
    s.part_of("SCHOOLS_STD", "SCHOOLS_PUBLIC", share=lambda u, p: standard[int(p)] * tilt[u], noise=0.0, integer=True)

    beds = s.stock(
        "HOSPITAL_BEDS", level="district", profile=HEALTH, unit_sigma=0.05, noise=0.001,
        year_end={2018: 6_900, 2019: 7_200, 2020: 7_600, 2021: 7_900, 2022: 8_300, 2023: 8_650},
    )  # fmt: skip
    # The new 1,500-bed provincial general hospital in Thủ Dầu Một opened in November 2023.
    for period in ("202311", "202312"):
        beds[("718", period)] += 1_500
    per_10k = {2019: 7.6, 2020: 8.0, 2021: 8.3, 2022: 8.8, 2023: 9.2}
    doctor_factor = _mean_one({"718": 2.2, "724": 1.0, "725": 1.0, "721": 0.8, "723": 0.8}, default=0.6)
    s.part_of(
        "DOCTORS", "POPULATION", noise=0.02, integer=True,
        share=lambda u, p: per_10k[int(p)] / 10_000 * doctor_factor[u],
    )  # fmt: skip
    coverage = {2019: 0.86, 2020: 0.885, 2021: 0.89, 2022: 0.905, 2023: 0.918}
    s.part_of(
        "HI_PARTICIPANTS", "POPULATION", noise=0.005, integer=True,
        share=lambda u, p: min(0.99, coverage[int(p)] * (1.01 if u in URBAN_DISTRICTS else 0.975)),
    )  # fmt: skip


def _mean_one(factors: Mapping[str, float], *, default: float) -> dict[str, float]:
    """District factors scaled so that their population-weighted mean is 1."""
    full = {code: factors.get(code, default) for code in POPULATION_2019}
    mean = sum(full[c] * POPULATION_2019[c] for c in full) / sum(POPULATION_2019.values())
    return {code: f / mean for code, f in full.items()}


def _administration(s: Synth) -> None:
    s.flow(
        "DOSSIERS_RECEIVED", level="district", profile=ECONOMY, shape=admin,
        annual={2019: 700_000, 2020: 720_000, 2021: 640_000, 2022: 820_000, 2023: 880_000},
    )  # fmt: skip
    online = {"201812": 0.03, "201912": 0.08, "202012": 0.18, "202112": 0.35, "202212": 0.62, "202312": 0.82}
    s.part_of(
        "DOSSIERS_ONLINE", "DOSSIERS_RECEIVED", noise=0.03,
        share=lambda u, p: min(0.98, _monthly(online, p) * (1.04 if u in URBAN_DISTRICTS else 0.9)),
    )  # fmt: skip
    s.part_of("DOSSIERS_RESOLVED", "DOSSIERS_RECEIVED", share=lambda _u, _p: 0.97, noise=0.01)
    on_time = {2019: 0.955, 2020: 0.962, 2021: 0.94, 2022: 0.978, 2023: 0.99}
    s.part_of(
        "DOSSIERS_ONTIME", "DOSSIERS_RESOLVED", noise=0.0,
        share=lambda u, p: min(0.999, on_time[int(p[:4])] * (1.0 if u in URBAN_DISTRICTS else 0.992)),
    )  # fmt: skip
    # Electronic identity accounts (VNeID) only exist from mid-2022.
    s.path(
        "VNEID_ACTIVATED", first_period="202207", noise=8_000,
        points={"202207": 120_000, "202212": 720_000, "202306": 1_100_000, "202312": 1_460_000},
    )  # fmt: skip


def _traffic(s: Synth) -> None:
    annual = {
        "TRAFFIC_ACCIDENTS": {2019: 1_200, 2020: 880, 2021: 520, 2022: 650, 2023: 600},
        "TRAFFIC_DEATHS": {2019: 290, 2020: 265, 2021: 190, 2022: 290, 2023: 280},
        "TRAFFIC_INJURIES": {2019: 1_150, 2020: 800, 2021: 400, 2022: 520, 2023: 470},
    }
    for code, totals in annual.items():
        s.flow(code, level="commune", profile=TRAFFIC, shape=traffic, integer=True, noise=0.1, annual=totals)
    # A few communes missed a monthly report before 2023, and one sent none during the 2021 lockdown.
    codes = list(annual)
    silent = s.rng.choice([c.code for c in s.units.communes if c.is_rural])
    s.drop(
        codes,
        [
            *s.random_keys("TRAFFIC_ACCIDENTS", share=0.008, years=(2019, 2020, 2021, 2022)),
            (silent, "202108"),
            (silent, "202109"),
        ],
    )
    s.flow(
        "TRAFFIC_VIOLATIONS", level="province", shape=traffic, noise=0.06,
        annual={2019: 95_000, 2020: 90_000, 2021: 60_000, 2022: 105_000, 2023: 114_000},
    )  # fmt: skip


def _agriculture_and_environment(s: Synth) -> None:
    s.stock(
        "PIGS", level="district", profile=RURAL, noise=0.01,
        year_end={2018: 720_000, 2019: 560_000, 2020: 650_000, 2021: 780_000, 2022: 860_000, 2023: 900_000},
    )  # fmt: skip
    s.stock(
        "POULTRY", level="district", profile=RURAL, noise=0.015,
        year_end={2018: 8_600, 2019: 9_200, 2020: 9_800, 2021: 9_500, 2022: 10_400, 2023: 10_900},
    )  # fmt: skip
    # Xã (rural communes) that reached the advanced new-rural standard, cumulatively.
    rural = [c.code for c in s.units.communes if c.is_rural]
    order = s.rng.sample(rural, k=len(rural))
    reached = {2019: 4, 2020: 9, 2021: 15, 2022: 24, 2023: 33}
    # Every commune-level unit reports both: a ward (phường) or township is no rural commune (0 of 0).
    codes = [c.code for c in s.units.communes]
    s.put("RURAL_COMMUNES", {(c, str(y)): float(c in rural) for c in codes for y in YEARS}, level="commune")
    s.put(
        "NTM_ADV",
        {(c, str(y)): 1.0 if c in rural and order.index(c) < reached[y] else 0.0 for c in codes for y in YEARS},
        level="commune",
    )
    s.flow(
        "SOCIAL_HOUSING", level="province", shape=flat, lumpy=True, integer=True,
        annual={2019: 1_500, 2020: 1_800, 2021: 900, 2022: 2_000, 2023: 2_600},
    )  # fmt: skip
    s.path("WASTE_COLLECTION_RATE", points={"2019": 96.0, "2020": 96.8, "2021": 97.5, "2022": 98.3, "2023": 98.6})


def _monthly(points: Mapping[str, float], period: str) -> float:
    """A rate that moves linearly between December anchors (``"202212": 0.62``), at ``period``."""
    year = int(period[:4])
    month = int(period[4:6]) if len(period) == 6 else 12
    return interpolate({int(p[:4]) + int(p[4:]) / 12: v for p, v in points.items()}, year + month / 12)

"""When and where things happen in Bình Dương's sample figures.

Time shapes say how a year's total spreads over its months or quarters — seasons, Tết
(in January or February depending on the year), the COVID shocks of 2020 and 2021, the
export slowdown of 2022–2023. District shares say how the province's figure splits
over its 9 district-level units. Every number here is an illustrative assumption.
"""

from __future__ import annotations

# --- Calendar -------------------------------------------------------------------------

# The month of the Tết holiday, and the month when people shop for it.
TET_MONTH = {2019: 2, 2020: 1, 2021: 2, 2022: 2, 2023: 1}
TET_SHOPPING_MONTH = {2019: 1, 2020: 1, 2021: 2, 2022: 1, 2023: 1}

PRODUCTION_SEASON = (1.0, 0.97, 1.02, 1.0, 1.02, 1.01, 1.02, 1.03, 1.02, 1.04, 1.03, 1.06)
CONSUMPTION_SEASON = (1.0, 0.97, 0.96, 0.96, 0.98, 0.98, 0.99, 1.0, 1.0, 1.02, 1.04, 1.12)
MOBILITY_SEASON = (1.05, 1.0, 0.92, 1.0, 1.02, 1.08, 1.1, 1.06, 0.95, 0.95, 0.96, 1.05)
# Budget receipts peak in December and after the corporate-tax settlement in April.
BUDGET_SEASON = (1.15, 0.75, 0.9, 1.05, 0.95, 0.9, 1.0, 0.85, 0.85, 0.95, 0.95, 1.7)
SPENDING_SEASON = (0.7, 0.75, 0.85, 0.9, 0.9, 0.95, 0.95, 0.95, 1.0, 1.0, 1.1, 1.95)
# Public investment is disbursed late: a quarter of the year's money goes out in December.
DISBURSEMENT_SEASON = (0.25, 0.25, 0.45, 0.6, 0.7, 0.9, 0.85, 0.95, 1.05, 1.15, 1.4, 3.2)
ADMIN_SEASON = (1.05, 1.0, 1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 0.98, 1.0, 1.0, 1.05)
TRAFFIC_SEASON = (1.1, 1.05, 0.95, 0.97, 0.98, 0.97, 0.98, 0.97, 0.97, 1.0, 1.0, 1.08)

# The COVID shocks: April 2020 distancing; Bình Dương's lockdown of July–September 2021.
COVID_PRODUCTION = {
    (2020, 4): 0.82, (2020, 5): 0.92, (2021, 6): 0.95, (2021, 7): 0.72, (2021, 8): 0.52,
    (2021, 9): 0.58, (2021, 10): 0.85, (2021, 11): 0.95,
}  # fmt: skip
COVID_CONSUMPTION = {
    (2020, 3): 0.9, (2020, 4): 0.62, (2020, 5): 0.88, (2021, 6): 0.92, (2021, 7): 0.6,
    (2021, 8): 0.4, (2021, 9): 0.45, (2021, 10): 0.75, (2021, 11): 0.9,
}  # fmt: skip
COVID_MOBILITY = {
    (2020, 2): 0.8, (2020, 3): 0.55, (2020, 4): 0.15, (2020, 5): 0.55, (2020, 6): 0.8, (2020, 7): 0.85,
    (2020, 8): 0.6, (2021, 5): 0.8, (2021, 6): 0.5, (2021, 7): 0.2, (2021, 8): 0.03, (2021, 9): 0.05,
    (2021, 10): 0.3, (2021, 11): 0.6, (2021, 12): 0.75,
}  # fmt: skip
COVID_ADMIN = {(2020, 4): 0.6, (2021, 7): 0.6, (2021, 8): 0.35, (2021, 9): 0.45, (2021, 10): 0.8}
COVID_TRAFFIC = {(2020, 4): 0.45, (2020, 5): 0.85, (2021, 7): 0.5, (2021, 8): 0.25, (2021, 9): 0.3, (2021, 10): 0.75}
# Orders fell from mid-2022 (3.3–3.4 bn USD a month in H1 2022, 2.5 bn in November) and
# stayed low in the first half of 2023.
EXPORT_CYCLE = {
    **{(2022, m): 1.06 for m in range(1, 7)},
    (2022, 7): 0.98, (2022, 8): 0.96, (2022, 9): 0.94, (2022, 10): 0.92, (2022, 11): 0.86, (2022, 12): 0.9,
    (2023, 1): 0.88, **{(2023, m): 0.9 for m in range(2, 6)}, (2023, 6): 0.96,
    **{(2023, m): 1.04 for m in range(7, 13)},
}  # fmt: skip
LAYOFF_CYCLE = {**{(2021, m): 1.3 for m in (10, 11, 12)}, **{(2023, m): 1.2 for m in range(1, 7)}}


def _tet(year: int, month: int, *, holiday: float = 1.0, before: float = 1.0, after: float = 1.0) -> float:
    tet = TET_MONTH[year]
    if month == tet:
        return holiday
    if month == tet - 1:
        return before
    if month == tet + 1:
        return after
    return 1.0


def production(year: int, month: int) -> float:
    return (
        PRODUCTION_SEASON[month - 1]
        * _tet(year, month, holiday=0.78, before=1.04)
        * COVID_PRODUCTION.get((year, month), 1)
    )


def exports(year: int, month: int) -> float:
    return production(year, month) * EXPORT_CYCLE.get((year, month), 1)


def consumption(year: int, month: int) -> float:
    shopping = 1.1 if month == TET_SHOPPING_MONTH[year] else 1.0
    return CONSUMPTION_SEASON[month - 1] * shopping * COVID_CONSUMPTION.get((year, month), 1)


def mobility(year: int, month: int) -> float:
    return MOBILITY_SEASON[month - 1] * _tet(year, month, holiday=1.25) * COVID_MOBILITY.get((year, month), 1)


def budget(year: int, month: int) -> float:
    return BUDGET_SEASON[month - 1] * (0.85 if (year, month) in {(2021, 8), (2021, 9)} else 1.0)


def spending(year: int, month: int) -> float:
    return SPENDING_SEASON[month - 1]


def disbursement(year: int, month: int) -> float:
    return DISBURSEMENT_SEASON[month - 1] * COVID_ADMIN.get((year, month), 1)


def admin(year: int, month: int) -> float:
    return ADMIN_SEASON[month - 1] * _tet(year, month, holiday=0.65, after=1.15) * COVID_ADMIN.get((year, month), 1)


def hiring(year: int, month: int) -> float:
    return _tet(year, month, holiday=0.55, after=1.35) * COVID_ADMIN.get((year, month), 1)


def layoffs(year: int, month: int) -> float:
    return _tet(year, month, holiday=0.7, after=1.2) * LAYOFF_CYCLE.get((year, month), 1)


def traffic(year: int, month: int) -> float:
    return TRAFFIC_SEASON[month - 1] * _tet(year, month, holiday=1.25) * COVID_TRAFFIC.get((year, month), 1)


def flat(year: int, month: int) -> float:
    return 1.0


def grdp_quarters(year: int, quarter: int) -> float:
    shock = {(2020, 2): 0.95, (2021, 3): 0.8, (2021, 4): 0.95}.get((year, quarter), 1)
    return (0.235, 0.245, 0.255, 0.265)[quarter - 1] * shock


def investment_quarters(year: int, quarter: int) -> float:
    return (0.19, 0.24, 0.26, 0.31)[quarter - 1] * (0.7 if (year, quarter) == (2021, 3) else 1)


# --- Where things happen: district shares (GSO codes 718–726) ----------------------------

DISTRICT_CODES = ("718", "719", "720", "721", "722", "723", "724", "725", "726")


def _by_district(*weights: float) -> dict[str, float]:
    """Weights given in GSO order: Thủ Dầu Một, Bàu Bàng, Dầu Tiếng, Bến Cát, Phú Giáo,
    Tân Uyên, Dĩ An, Thuận An, Bắc Tân Uyên; zero means the district has none of it."""
    return {code: weight for code, weight in zip(DISTRICT_CODES, weights, strict=True) if weight}


# Population at the 2019 census, thousands (rounded).
POPULATION_2019 = _by_district(322, 106, 115, 289, 92, 370, 474, 596, 65)
ECONOMY = _by_district(0.2, 0.04, 0.035, 0.1, 0.025, 0.13, 0.19, 0.24, 0.03)
# The nominal split of the province's budget revenue; the catalogue's district targets use it too.
BUDGET = _by_district(0.22, 0.05, 0.035, 0.1, 0.02, 0.13, 0.17, 0.22, 0.035)
INDUSTRY = _by_district(0.08, 0.08, 0.04, 0.19, 0.04, 0.17, 0.15, 0.18, 0.07)
PUBLIC_WORKS = _by_district(0.22, 0.07, 0.07, 0.12, 0.06, 0.12, 0.12, 0.14, 0.08)
RURAL = _by_district(0.02, 0.15, 0.24, 0.08, 0.2, 0.08, 0.02, 0.04, 0.17)
# Dầu Tiếng has no industrial park.
INDUSTRIAL_LAND = _by_district(0.07, 0.14, 0, 0.3, 0.05, 0.22, 0.06, 0.08, 0.08)
# Thủ Dầu Một holds the provincial hospitals.
HEALTH = _by_district(0.3, 0.04, 0.05, 0.09, 0.04, 0.1, 0.15, 0.19, 0.04)
TRAFFIC = {
    code: 0.6 * POPULATION_2019[code] / sum(POPULATION_2019.values()) + 0.4 * INDUSTRY[code] for code in DISTRICT_CODES
}
URBAN_DISTRICTS = {"718", "721", "723", "724", "725"}

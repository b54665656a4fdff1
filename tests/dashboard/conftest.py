"""A small province with plans: what the dashboard pages are tested on."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from dieuhanh.analytics.engine import Measures
from dieuhanh.analytics.selectors import analytics_measures
from dieuhanh.analytics.services import rollups_rebuild, rollups_stamp
from dieuhanh.dashboard.templatetags.dh_figures import figure, percent, signed_percent
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.models import OrgUnit
from tests.conftest import Tree
from tests.factories import IndicatorFactory, SectorFactory, TargetFactory, put


@dataclass
class Plans:
    """The tree, and indicators of every period type with 2023 plans.

    REV (monthly sum, higher is better): every commune, January 2022 to June 2023, except
    commune 25744 in June 2023; plans at the province (off track), 718 (on track) and 719.
    ACC (monthly sum, lower is better): the communes, same months; a ceiling at the province.
    GRDP (quarterly, the province only), POOR (yearly stock at the communes): plans at the province.
    NOPLAN (monthly, no plan anywhere) and SECRET (not public, with a plan).
    """

    tree: Tree
    rev: Indicator
    acc: Indicator
    grdp: Indicator
    poor: Indicator
    noplan: Indicator
    secret: Indicator


def months(first: str, last: str) -> list[str]:
    start, end = Period.parse(first), Period.parse(last)
    return [Period.from_ordinal(start.type, o).code for o in range(start.ordinal, end.ordinal + 1)]


@pytest.fixture
def plans(tree: Tree) -> Plans:
    economy = SectorFactory(code="ECO", name="Kinh tế", sort_order=1)
    social = SectorFactory(code="SOC", name="Xã hội", sort_order=2)
    rev = IndicatorFactory(code="REV", name="Thu ngân sách", short_name="Thu NS", sector=economy, sort_order=1)
    acc = IndicatorFactory(
        code="ACC", name="Số vụ tai nạn", unit="vụ", decimals=0, direction="down", sector=social, sort_order=1
    )
    grdp = IndicatorFactory(code="GRDP", name="GRDP", period_type="quarterly", sector=economy, sort_order=2)
    poor = IndicatorFactory(
        code="POOR", name="Hộ nghèo", unit="hộ", decimals=0, period_type="yearly", aggregation="last",
        direction="down", sector=social, sort_order=2,
    )  # fmt: skip
    noplan = IndicatorFactory(code="NOPLAN", name="Chỉ tiêu chưa giao", sector=economy, sort_order=3)
    secret = IndicatorFactory(code="SECRET", name="Chỉ tiêu nội bộ", is_public=False, sector=economy, sort_order=4)

    communes = [tree.commune_a1, tree.commune_a2, tree.commune_b1]
    for n, commune in enumerate(communes, start=1):
        commune.latitude, commune.longitude = 11.0 + n / 100, 106.6 + n / 100
        commune.save()
        for code in months("202201", "202306"):
            if commune == tree.commune_a2 and code == "202306":
                continue  # 25744 has not reported June 2023 yet
            month = int(code[4:])
            put(rev, commune, code, 10 * n + month + (5 if code.startswith("2023") else 0))
            put(acc, commune, code, n + month % 3)
            put(noplan, commune, code, 1)
            put(secret, commune, code, 2)
        for year in (2021, 2022, 2023):
            put(poor, commune, str(year), 100 * n - (year - 2021) * 10)
    for code in ("2022Q1", "2022Q2", "2022Q3", "2022Q4", "2023Q1", "2023Q2"):
        put(grdp, tree.province, code, 1000 + int(code[-1]) * 10 + (50 if code.startswith("2023") else 0))

    TargetFactory(indicator=rev, org_unit=tree.province, value=5000)
    TargetFactory(indicator=rev, org_unit=tree.district_a, value=300)
    TargetFactory(indicator=rev, org_unit=tree.district_b, value=420)
    TargetFactory(indicator=acc, org_unit=tree.province, value=60)
    TargetFactory(indicator=grdp, org_unit=tree.province, value=4000)
    TargetFactory(indicator=poor, org_unit=tree.province, value=600)
    TargetFactory(indicator=secret, org_unit=tree.province, value=1)
    return Plans(tree=tree, rev=rev, acc=acc, grdp=grdp, poor=poor, noplan=noplan, secret=secret)


@pytest.fixture
def current(plans: Plans) -> Plans:
    """The sample province with its rollups current: the answers have a stamp to key pages on."""
    rollups_rebuild()
    assert rollups_stamp() is not None
    return plans


def count_requests(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[str]:
    """The requests for which ``module.name(request, …)`` ran — a page's part computed rather than
    served again from the page cache."""
    calls: list[str] = []
    compute = getattr(module, name)

    def counting(request: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(request.get_full_path())
        return compute(request, *args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return calls


def get(client: Client, url: str, **headers: Any) -> tuple[int, str]:
    """A page in Vietnamese, the default, so that numbers are checked in the format offices write."""
    with translation.override("vi"):
        response = client.get(url, headers=headers, HTTP_ACCEPT_LANGUAGE="vi")
    return response.status_code, response.content.decode()


def api_measures(indicator: Indicator, unit: OrgUnit, period: str) -> Measures:
    """What /api/v1/analytics answers for one indicator, unit and period."""
    return analytics_measures(indicators=[indicator], org_units=[unit], periods=[Period.parse(period)])[0]


def shown(value: Decimal | None, decimals: int = 1) -> str:
    """A figure as the pages write it in Vietnamese."""
    with translation.override("vi"):
        return figure(value, decimals)


def shown_pct(value: Decimal | None, *, signed: bool = False) -> str:
    with translation.override("vi"):
        return signed_percent(value) if signed else percent(value)

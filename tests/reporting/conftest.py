"""A small province across the 1 July 2025 reform, two monthly indicators and a communes' data set.

Tỉnh 74 → Huyện 718 (until 30/6/2025) → Xã 25741 and Xã 25744 (until 30/6/2025);
Tỉnh 74 → Phường 26000 (from 1/7/2025, made of both). The data set XA_THANG asks the communes
for IND_A and IND_B every month, by the 18th of the following month, with a reminder 3 days before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.figures.models import DataValue
from dieuhanh.figures.services import figure_set
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.models import OrgUnit, Succession
from dieuhanh.reporting.models import DataSet
from tests.factories import IndicatorFactory, OrgUnitFactory

REFORM = dt.date(2025, 7, 1)


@dataclass
class World:
    province: OrgUnit
    district: OrgUnit
    commune_a: OrgUnit
    commune_b: OrgUnit
    ward: OrgUnit
    a: Indicator
    b: Indicator
    data_set: DataSet


@pytest.fixture
def world(db: None) -> World:
    province = OrgUnitFactory(code="74", name="Tỉnh Bình Dương", kind="province")
    district = OrgUnitFactory(
        code="718", name="Thành phố Thủ Dầu Một", kind="district", parent=province, valid_to=dt.date(2025, 6, 30)
    )
    commune_a = OrgUnitFactory(code="25741", name="Phường Hiệp Thành", parent=district, valid_to=dt.date(2025, 6, 30))
    commune_b = OrgUnitFactory(code="25744", name="Phường Phú Lợi", parent=district, valid_to=dt.date(2025, 6, 30))
    ward = OrgUnitFactory(code="26000", name="Phường Thủ Dầu Một", parent=province, valid_from=REFORM)
    for old in (commune_a, commune_b):
        Succession.objects.create(predecessor=old, successor=ward, effective_date=REFORM)
    a = IndicatorFactory(code="IND_A", collected_at="commune")
    b = IndicatorFactory(code="IND_B", collected_at="commune")
    data_set = DataSet.objects.create(
        code="XA_THANG",
        name="Báo cáo tháng cấp xã",
        period_type="monthly",
        org_unit_kind="commune",
        due_day=18,
        due_months_after=1,
        reminder_days=3,
    )
    data_set.indicators.set([a, b])
    return World(province, district, commune_a, commune_b, ward, a, b, data_set)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """A moment of ``day`` in Asia/Ho_Chi_Minh."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def send(
    indicator: Indicator,
    unit: OrgUnit,
    period: str,
    *,
    on: dt.date,
    hour: int = 10,
    status: str = DataValueStatus.SUBMITTED,
) -> DataValue:
    """A figure written through the figures service, as if it had arrived on ``on``."""
    value = figure_set(indicator=indicator, org_unit=unit, period=Period.parse(period), value=Decimal(5), status=status)
    DataValue.objects.filter(pk=value.pk).update(created_at=at(on, hour), updated_at=at(on, hour))
    value.refresh_from_db()
    return value


def report(world: World, unit: OrgUnit, period: str, *, on: dt.date) -> None:
    """Both indicators of the data set for ``unit`` and ``period``, arrived on ``on``."""
    send(world.a, unit, period, on=on)
    send(world.b, unit, period, on=on)

"""The demo's reporting calendar: communes' monthly reports, mostly on time, some late, a few unsent."""

from __future__ import annotations

import datetime as dt

import pytest

from dieuhanh.demo.catalogue import demo_data_dir
from dieuhanh.demo.reporting import reporting_demo_load
from dieuhanh.demo.services import DemoLoadResult
from dieuhanh.figures.models import DataValue
from dieuhanh.indicators.periods import Period
from dieuhanh.reporting.selectors import calendar_for
from tests.conftest import DEMO_UNTIL

pytestmark = pytest.mark.django_db

# The day these tests were written: October's reports were due on 18/11/2026.
TODAY = dt.date(2026, 12, 5)


def test_the_demo_calendar_shows_communes_on_time_late_and_unsent(demo: DemoLoadResult) -> None:
    result = reporting_demo_load(data_dir=demo_data_dir(), until=DEMO_UNTIL, today=TODAY)

    [october] = calendar_for(period=Period.parse("202610"), on=TODAY)
    [june, districts] = calendar_for(period=Period.parse("2025Q2"), on=TODAY)[2:]
    assert result.unsent == 5
    assert october.due_date == dt.date(2026, 11, 18)
    assert october.expected == 168
    assert october.counts["missing"] == 3
    assert 0 < october.counts["late"] < 40
    assert october.counts["on_time"] > 120
    # Before the reform, the 441 communes of the three former provinces and their districts.
    assert (june.period.code, june.expected) == ("202506", 441)
    assert districts.data_set.code == "HUYEN_CHANNUOI_QUY"
    assert districts.counts["missing"] == 0
    assert calendar_for(period=Period.parse("2025Q3"), on=TODAY)[-1].data_set.code == "XA_KTXH_THANG"
    city = DataValue.objects.get(indicator__code="REP_EXPECTED", org_unit__code="79", period="202610")
    assert city.value == 168


def test_loading_the_demo_calendar_again_changes_nothing(demo: DemoLoadResult) -> None:
    reporting_demo_load(data_dir=demo_data_dir(), until=DEMO_UNTIL, today=TODAY)

    again = reporting_demo_load(data_dir=demo_data_dir(), until=DEMO_UNTIL, today=TODAY)

    assert again.figures.batch is None
    assert again.unsent == 5

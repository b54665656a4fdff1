"""Scorecards as indicator values: written through the audited import, idempotent, by the clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from dieuhanh.analytics.selectors import analytics_measures
from dieuhanh.directives.models import SourceDocument
from dieuhanh.directives.scorecards import scorecard_periods, scorecards_collect, scorecards_compute
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period
from dieuhanh.ingest.models import DataValue, DataValueChange, ImportBatch
from tests.directives.conftest import Clock, Province
from tests.directives.helpers import add, complete

pytestmark = pytest.mark.django_db


def values(unit: str, period: str) -> dict[str, Decimal]:
    return dict(
        DataValue.objects.filter(org_unit__code=unit, period=period, indicator__code__startswith="DIR_").values_list(
            "indicator__code", "value"
        )
    )


def collect(clock: Clock, period: str | None = None) -> str:
    out = StringIO()
    args = ["directives", "collect"] + (["--period", period] if period else [])
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def year(clock: Clock, source: SourceDocument, province: Province) -> Province:
    """Four directives of 12/9/2024: the health department's, on time, late, open; finance's monthly report."""
    on_time = add(source, "A", lead="SYT", deadline=dt.date(2024, 10, 31))
    late = add(source, "B", lead="SYT", deadline=dt.date(2024, 10, 15))
    add(source, "C", lead="SYT", deadline=dt.date(2024, 10, 20))
    monthly = add(source, "D", lead="STC", recurrence="monthly", recurrence_day=20)
    clock.move_to(dt.date(2024, 10, 25))
    complete(on_time, on=dt.date(2024, 10, 10))
    complete(late, on=dt.date(2024, 10, 25))
    complete(monthly, on=dt.date(2024, 9, 20))
    complete(monthly, on=dt.date(2024, 10, 22))
    return province


def test_the_month_of_each_event_holds_it(year: Province, clock: Clock) -> None:
    cards = scorecards_compute(periods=[Period.parse("202409"), Period.parse("202410")], today=clock.today)
    health = year.health.pk

    assert (cards[health, "202409"].assigned, cards[health, "202409"].done) == (3, 0)
    october = cards[health, "202410"]
    assert (october.assigned, october.done, october.done_on_time, october.done_late, october.overdue) == (0, 2, 1, 1, 1)
    assert cards[year.finance.pk, "202410"].done_late == 1
    assert cards[year.finance.pk, "202409"].done_on_time == 1


def test_collect_writes_the_figures_as_audited_data_values_for_agencies_and_the_province(
    year: Province, clock: Clock
) -> None:
    out = collect(clock, "2024")

    assert values("SYT", "202410") == {
        "DIR_ASSIGNED": 0,
        "DIR_DONE": 2,
        "DIR_DONE_ONTIME": 1,
        "DIR_DONE_LATE": 1,
        "DIR_OVERDUE": 1,
    }
    assert values("74", "202409")["DIR_ASSIGNED"] == 4
    assert values("74", "202410")["DIR_DONE"] == 3
    assert not DataValue.objects.filter(period="202411").exists()  # the clock is in October
    batch = ImportBatch.objects.get()
    assert (batch.channel, batch.status) == ("directives", "committed")
    assert batch.rows_created == DataValue.objects.filter(indicator__code__startswith="DIR_").count()
    assert "202401–202410: 30 số liệu, 30 mới" in out


def test_collecting_again_changes_nothing_and_writes_nothing(year: Province, clock: Clock) -> None:
    collect(clock)
    before = (
        ImportBatch.objects.count(),
        DataValueChange.objects.count(),
        list(DataValue.objects.values_list("pk", "value")),
    )

    again = collect(clock)

    assert (
        ImportBatch.objects.count(),
        DataValueChange.objects.count(),
        list(DataValue.objects.values_list("pk", "value")),
    ) == before
    assert "đã cập nhật" in again


def test_only_what_changed_is_imported(year: Province, clock: Clock, source: SourceDocument) -> None:
    collect(clock)
    clock.advance(1)
    complete(source.directives.get(content="C"), on=clock.today)

    out = collect(clock)

    batch = ImportBatch.objects.order_by("-pk").first()
    assert batch is not None
    assert (batch.rows_created, batch.rows_updated) == (0, 6)  # SYT and 74: done, late, overdue
    assert "0 mới, 6 thay đổi" in out


def test_the_overdue_count_follows_the_clock_across_the_deadline(clock: Clock, source: SourceDocument) -> None:
    directive = add(source, "E", lead="SYT", deadline=dt.date(2024, 11, 30))

    clock.move_to(dt.date(2024, 11, 30))
    collect(clock)
    on_the_day = values("SYT", "202411")["DIR_OVERDUE"]
    clock.move_to(dt.date(2024, 12, 1))
    collect(clock)
    day_after = values("SYT", "202412")["DIR_OVERDUE"]
    complete(directive, on=dt.date(2024, 12, 1))
    collect(clock)

    assert on_the_day == 0
    assert day_after == 1
    assert values("SYT", "202412")["DIR_OVERDUE"] == 0
    assert values("SYT", "202412")["DIR_DONE_LATE"] == 1
    assert values("SYT", "202411")["DIR_OVERDUE"] == 0


def test_a_directive_moved_to_another_agency_leaves_no_stale_figure(
    year: Province, clock: Clock, source: SourceDocument
) -> None:
    from dieuhanh.directives.services import DirectiveInput, directive_update

    collect(clock)
    moved = source.directives.get(content="C")

    directive_update(directive=moved, item=DirectiveInput(content="C", lead="SKHDT", deadline=moved.deadline))
    collect(clock)

    assert values("SYT", "202410")["DIR_OVERDUE"] == 0
    assert values("SKHDT", "202410")["DIR_OVERDUE"] == 1


def test_the_on_time_rate_flows_through_analytics_as_a_ratio_of_sums(year: Province, clock: Clock) -> None:
    collect(clock)
    rate = Indicator.objects.select_related("numerator", "denominator").get(code="DIR_ONTIME_RATE")

    (health,) = analytics_measures(indicators=[rate], org_units=[year.health], periods=[Period.parse("2024")])
    (province,) = analytics_measures(indicators=[rate], org_units=[year.province], periods=[Period.parse("2024")])

    assert health.value == Decimal(50)  # 1 of 2
    assert province.value == Decimal(50)  # 2 of 4


def test_a_bad_period_gets_a_message_that_says_how_to_write_one(clock: Clock) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="2023Q2"):
        call_command("directives", "collect", "--period", "2024-10")


def test_with_no_directive_there_is_nothing_to_collect(clock: Clock, province: Province) -> None:
    assert scorecard_periods(period=None, today=clock.today) == []
    assert "Không có gì" in collect(clock)


def test_a_dry_run_writes_nothing(year: Province, clock: Clock) -> None:
    result = scorecards_collect(periods=[Period.parse("202410")], today=clock.today, dry_run=True)

    assert result.rows > 0
    assert not DataValue.objects.exists()

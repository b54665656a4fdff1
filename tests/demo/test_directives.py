"""The seed article's directives in the demo: loaded once, with a year of progress, and scorecards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from dieuhanh.demo.catalogue import demo_data_dir
from dieuhanh.demo.directives import DemoDirectivesResult, directives_demo_load
from dieuhanh.demo.services import DemoLoadResult
from dieuhanh.directives.choices import DirectiveStatus
from dieuhanh.directives.models import Directive, ProgressUpdate, SourceDocument
from dieuhanh.directives.scorecards import scorecard_rows
from dieuhanh.directives.selectors import DirectiveFilters, directive_summary, status_summary
from dieuhanh.directives.services import today_local
from dieuhanh.figures.models import DataValue
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(demo: DemoLoadResult, django_db_blocker: Any) -> Iterator[DemoDirectivesResult]:
    """The directives on top of the run's demo, for the module (rolled back at its end)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield directives_demo_load(data_dir=demo_data_dir())
        transaction.set_rollback(True)


def test_the_demo_holds_the_seed_articles_directives_as_one_news_document(loaded: DemoDirectivesResult) -> None:
    (source,) = SourceDocument.objects.all()

    assert loaded.loaded
    assert (source.kind, source.date, source.org_unit.code) == ("news", dt.date(2023, 7, 20), "74")
    assert Directive.objects.count() == loaded.directives == 19
    assert not Directive.objects.filter(lead_agency__isnull=True).exists()
    hospital = Directive.objects.get(content__contains="1.500 giường")
    assert (hospital.lead_agency.code, hospital.deadline) == ("SYT", dt.date(2023, 11, 30))


def test_the_end_of_2023_shows_every_official_category(loaded: DemoDirectivesResult) -> None:
    counts = status_summary(filters=DirectiveFilters(), on=dt.date(2023, 12, 31)).counts

    assert all(counts[s.value] > 0 for s in DirectiveStatus)
    assert ProgressUpdate.objects.count() == loaded.updates > 15


def test_the_plans_completion_report_sent_before_its_deadline_awaits_confirmation_not_overdue(
    loaded: DemoDirectivesResult,
) -> None:
    plan = Directive.objects.get(content__contains="quy hoạch chung")
    on = {"end_of_2023": dt.date(2023, 12, 31), "today": today_local()}
    summaries = {key: status_summary(filters=DirectiveFilters(), on=day) for key, day in on.items()}

    assert plan.deadline == dt.date(2023, 12, 31)
    assert plan.updates.filter(percent=100, review="pending", reported_on=dt.date(2023, 12, 28)).exists()
    for summary in summaries.values():
        assert summary.awaiting == 1


def test_the_first_half_of_2023_has_no_directive_yet(loaded: DemoDirectivesResult) -> None:
    summary = directive_summary(org_unit=OrgUnit.objects.get(code="74"), on=dt.date(2023, 6, 30))

    assert summary.counts.total == 0


@pytest.mark.parametrize("month", range(7, 13))
def test_the_provinces_2023_scorecard_agrees_with_the_register_at_each_months_end(
    loaded: DemoDirectivesResult, month: int
) -> None:
    period = Period.parse(f"2023{month:02d}")
    register = status_summary(filters=DirectiveFilters(), on=period.end_date)

    (province,) = [row for row in scorecard_rows(period=period) if row.unit.code == "74"]

    assert province.directives == register.counts


def test_the_2023_scorecards_are_indicator_values_of_the_province(loaded: DemoDirectivesResult) -> None:
    def value(code: str, period: str) -> Decimal:
        return DataValue.objects.get(indicator__code=code, org_unit__code="74", period=period).value

    assert value("DIR_ASSIGNED", "202307") == 19
    assert sum(value("DIR_DONE", f"2023{m:02d}") for m in range(7, 13)) >= 5
    assert value("DIR_OVERDUE", "202312") >= 1


def test_loading_again_changes_nothing(loaded: DemoDirectivesResult) -> None:
    before = (Directive.objects.count(), ProgressUpdate.objects.count(), DataValue.objects.count())

    again = directives_demo_load(data_dir=demo_data_dir())

    assert not again.loaded
    assert (Directive.objects.count(), ProgressUpdate.objects.count(), DataValue.objects.count()) == before

"""The seed article's directives in the demo: loaded once, with a year of progress, and scorecards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from dieuhanh.demo.services import demo_data_dir, demo_load
from dieuhanh.directives.demo import DemoDirectivesResult, directives_demo_load
from dieuhanh.directives.models import Directive, ProgressUpdate, SourceDocument
from dieuhanh.directives.selectors import status_counts
from dieuhanh.directives.status import DirectiveStatus
from dieuhanh.ingest.models import DataValue

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoDirectivesResult]:
    with django_db_blocker.unblock(), transaction.atomic():
        demo_load()
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
    counts = status_counts(qs=Directive.objects.all(), today=dt.date(2023, 12, 31))

    assert all(counts[s.value] > 0 for s in DirectiveStatus)
    assert ProgressUpdate.objects.count() == loaded.updates > 15


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

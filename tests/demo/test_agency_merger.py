"""The demo's agency merger (data/demo/binhduong-catalogue.yaml): Planning and Investment into
Finance on 1/3/2025, carrying the seed article's directives and the indicators it answered for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from dieuhanh.demo.catalogue import demo_data_dir
from dieuhanh.demo.directives import DemoDirectivesResult, directives_demo_load
from dieuhanh.demo.services import DemoLoadResult
from dieuhanh.directives.models import Directive
from dieuhanh.directives.selectors import DirectiveFilters, directive_list
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.selectors import responsible_agency_at
from dieuhanh.orgunits.selectors import unit_at

pytestmark = pytest.mark.django_db

MERGER = dt.date(2025, 3, 1)


@pytest.fixture(scope="module")
def loaded(demo: DemoLoadResult, django_db_blocker: Any) -> Iterator[DemoDirectivesResult]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield directives_demo_load(data_dir=demo_data_dir())
        transaction.set_rollback(True)


def test_planning_and_investments_directives_are_finances_from_the_merger(loaded: DemoDirectivesResult) -> None:
    planning = unit_at("SKHDT", on=MERGER - dt.timedelta(days=1))
    finance = unit_at("STC", on=MERGER)
    planning_led = set(Directive.objects.filter(lead_agency=planning).values_list("pk", flat=True))
    assert planning_led

    after = set(
        directive_list(filters=DirectiveFilters(agency=finance, role="lead"), on=MERGER).values_list("pk", flat=True)
    )
    before = set(
        directive_list(
            filters=DirectiveFilters(agency=finance, role="lead"), on=MERGER - dt.timedelta(days=1)
        ).values_list("pk", flat=True)
    )

    assert planning_led <= after
    assert not planning_led & before


def test_the_indicators_planning_answered_for_are_finances_from_the_merger(loaded: DemoDirectivesResult) -> None:
    planning = unit_at("SKHDT", on=MERGER - dt.timedelta(days=1))
    indicator = Indicator.objects.filter(responsible_agency=planning).select_related("responsible_agency").first()
    assert indicator is not None

    now = responsible_agency_at(indicator, on=MERGER)
    then = responsible_agency_at(indicator, on=MERGER - dt.timedelta(days=1))

    assert now is not None
    assert now.unit is not None
    assert now.unit.code == "STC"
    assert then is not None
    assert then.unit is not None
    assert then.unit.code == "SKHDT"

"""The demo's Bình Dương (its units, catalogue, targets and synthetic figures of 2019–2023) and the command.

The demo is loaded once for the run (tests/conftest.py); every test reads it in its own
transaction, rolled back after the test.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from decimal import Decimal
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from dieuhanh.analytics.selectors import analytics_measures, analytics_ranking
from dieuhanh.demo.directives import DemoDirectivesResult
from dieuhanh.demo.figures import DEMO_SOURCE_NAME
from dieuhanh.demo.generate import DEFAULT_SEED
from dieuhanh.demo.projects import DemoProjectsResult
from dieuhanh.demo.reporting import DemoReportingResult
from dieuhanh.demo.services import DemoLoadResult, demo_load
from dieuhanh.figures.choices import ImportFormat
from dieuhanh.figures.models import DataValue, ImportBatch
from dieuhanh.figures.selectors import demo_data_present
from dieuhanh.indicators.models import Indicator, Target
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.reporting.completeness import ReportingFiguresResult

pytestmark = pytest.mark.django_db

DISTRICTS = {"718", "719", "720", "721", "722", "723", "724", "725", "726"}


def counts() -> dict[str, int]:
    return {
        "units": OrgUnit.objects.count(),
        "indicators": Indicator.objects.count(),
        "targets": Target.objects.count(),
        "values": DataValue.objects.count(),
        "batches": ImportBatch.objects.count(),
    }


def province_2023(indicators: list[Indicator]) -> dict[str, Any]:
    province = OrgUnit.objects.get(code="74")
    measures = analytics_measures(indicators=indicators, org_units=[province], periods=[Period.parse("2023")])
    return {m.indicator: m for m in measures}


def test_the_demo_holds_binh_duong_as_it_was_before_july_2025(demo: DemoLoadResult) -> None:
    province = OrgUnit.objects.get(code="74")
    districts = OrgUnit.objects.filter(parent=province)
    communes = OrgUnit.objects.filter(parent__in=districts)

    assert (province.name, province.kind, province.parent) == ("Tỉnh Bình Dương", "province", None)
    assert set(districts.values_list("code", flat=True)) == DISTRICTS
    assert set(districts.values_list("kind", flat=True)) == {"district"}
    assert communes.count() == 91
    assert set(communes.values_list("kind", flat=True)) == {"commune"}
    assert OrgUnit.objects.descendants_of(province).count() == 1 + 9 + 91
    assert {str(d) for d in OrgUnit.objects.descendants_of(province).values_list("valid_to", flat=True)} == {
        "2025-06-30"
    }
    assert OrgUnit.objects.get(code="25741").name_en == "Hiep Thanh Ward"


def test_the_agencies_stand_outside_the_administrative_tree(demo: DemoLoadResult) -> None:
    agencies = OrgUnit.objects.filter(kind="agency")

    assert {"SKHDT", "STC", "SCT", "CTK", "CATINH", "VPUBND"} <= set(agencies.values_list("code", flat=True))
    assert not agencies.filter(parent__isnull=False).exists()
    assert set(OrgUnit.objects.filter(responsible_for__isnull=False).values_list("kind", flat=True)) == {"agency"}


def test_a_ranking_of_the_province_lists_its_nine_districts_only(demo: DemoLoadResult) -> None:
    rows = analytics_ranking(
        indicator=Indicator.objects.get(code="RETAIL"),
        org_unit=OrgUnit.objects.get(code="74"),
        period=Period.parse("2023"),
    )

    assert {row.org_unit for row in rows} == DISTRICTS
    assert all(row.rank is not None for row in rows)


def test_the_catalogue_has_over_forty_indicators_of_every_aggregation(demo: DemoLoadResult) -> None:
    aggregations = set(Indicator.objects.values_list("aggregation", flat=True))

    assert Indicator.objects.count() >= 40
    assert {"sum", "last", "ratio"} <= aggregations
    assert aggregations & {"average", "none"}
    assert Indicator.objects.filter(is_public=False).exists()
    assert not Indicator.objects.filter(responsible_agency__isnull=True).exists()
    assert not Indicator.objects.filter(sector__isnull=True).exists()
    assert Indicator.objects.get(code="PI_DISB_RATE").factor == 100


def test_the_2023_plan_holds_the_provinces_published_targets(demo: DemoLoadResult) -> None:
    def target(indicator: str, unit: str = "74", years: tuple[int, int] = (2023, 2023)) -> Target:
        return Target.objects.get(indicator__code=indicator, org_unit__code=unit, year_from=years[0], year_to=years[1])

    assert target("BUDGET_REV").value == 74617
    assert target("FDI_REG").value == 1800
    assert (target("GRDP_GROWTH").value, target("GRDP_GROWTH").note) == (Decimal("8.5"), "8,5–8,7%")
    assert sum(target("BUDGET_REV", unit).value for unit in DISTRICTS) == 74617
    assert target("PI_DISB_RATE", "725").value == 95
    assert target("GRDP_GROWTH", years=(2021, 2025)).value == Decimal("8.5")
    assert Target.objects.filter(year_from=2022, year_to=2022).count() >= 5


def test_every_public_indicator_has_a_2023_value_at_the_province(demo: DemoLoadResult) -> None:
    public = list(Indicator.objects.filter(is_public=True).select_related("numerator", "denominator"))

    missing = [code for code, m in province_2023(public).items() if m.value is None]

    assert missing == []


def test_the_2023_statuses_of_the_province_tell_a_hard_year(demo: DemoLoadResult) -> None:
    measures = province_2023(list(Indicator.objects.select_related("numerator", "denominator")))
    statuses = {m.status for m in measures.values()}

    # The year is over: every plan is met or not, none is "at risk"
    assert {"on_track", "off_track"} <= statuses
    assert "at_risk" not in statuses
    assert measures["EXPORT"].status == "off_track"
    assert measures["EXPORT"].yoy_pct is not None
    assert measures["EXPORT"].yoy_pct < 0
    # 98,2 % of its plan: short of it, however little
    assert measures["BUDGET_REV"].status == "off_track"
    assert measures["BUDGET_REV"].plan_completion_pct is not None
    assert 95 < measures["BUDGET_REV"].plan_completion_pct < 100
    assert measures["GRDP_GROWTH"].status == "off_track"
    # A rate's change on last year is in points: 5,97 % against 8,29 %
    assert measures["GRDP_GROWTH"].yoy_pp == measures["GRDP_GROWTH"].value - measures["GRDP_GROWTH"].previous


def test_the_parts_of_the_figures_add_up_as_stored(demo: DemoLoadResult) -> None:
    codes = ["BUDGET_REV", "BUDGET_REV_DOMESTIC", "BUDGET_REV_TRADE", "EXPORT", "IMPORT", "TRADE_BALANCE"]
    m = province_2023(list(Indicator.objects.filter(code__in=codes)))

    assert m["BUDGET_REV"].value == m["BUDGET_REV_DOMESTIC"].value + m["BUDGET_REV_TRADE"].value
    assert m["TRADE_BALANCE"].value == m["EXPORT"].value - m["IMPORT"].value


def test_the_figures_are_stored_as_one_batch_marked_as_sample_data(demo: DemoLoadResult) -> None:
    (batch,) = ImportBatch.objects.all()

    assert (batch.file_format, batch.channel, batch.status) == (ImportFormat.DEMO, "demo", "committed")
    assert batch.source_name == DEMO_SOURCE_NAME
    assert "không phải số liệu chính thức" in batch.source_name
    assert demo_data_present()
    assert DataValue.objects.exclude(batch=batch).count() == 0
    assert DataValue.objects.count() == demo.values == batch.rows_created
    assert not DataValue.objects.filter(indicator__aggregation="ratio").exists()


def test_some_units_did_not_report_every_month(demo: DemoLoadResult) -> None:
    binh_duong = OrgUnit.objects.descendants_of(OrgUnit.objects.get(code="74"))
    accidents = DataValue.objects.filter(
        indicator__code="TRAFFIC_ACCIDENTS", org_unit__in=binh_duong, period_start__year__lte=2023
    )

    assert 0 < accidents.count() < 91 * 60
    assert accidents.filter(org_unit__kind="commune").count() == accidents.count()


def test_loading_again_changes_nothing(demo: DemoLoadResult) -> None:
    before = counts()

    again = demo_load(until=demo.until)

    assert again.unchanged
    assert counts() == before
    assert again.catalogue.created == {}
    assert again.catalogue.updated == {}


def test_another_seed_replaces_the_sample_but_keeps_a_figure_someone_imported(demo: DemoLoadResult) -> None:
    before = counts()
    own = ImportBatch.objects.create(source_name="so-lieu-that.csv", file_format=ImportFormat.CSV, status="committed")
    corrected = DataValue.objects.get(indicator__code="EXPORT", org_unit__code="74", period="202306")
    DataValue.objects.filter(pk=corrected.pk).update(value=Decimal("2999.9"), batch=own)
    sample = DataValue.objects.get(indicator__code="EXPORT", org_unit__code="74", period="202305").value

    reloaded = demo_load(seed=DEFAULT_SEED + 1, until=demo.until)

    assert reloaded.replaced == before["values"] - 1
    assert counts() == {**before, "batches": before["batches"] + 1}
    assert ImportBatch.objects.filter(file_format=ImportFormat.DEMO).count() == 1
    assert DataValue.objects.get(pk=corrected.pk).value == Decimal("2999.9")
    assert DataValue.objects.get(indicator__code="EXPORT", org_unit__code="74", period="202305").value != sample


def test_the_command_loads_and_stops_with_load_only(demo: DemoLoadResult) -> None:
    out = StringIO()

    call_command("demo", load_only=True, until=demo.until, stdout=out)

    assert f"{demo.values:,} ".replace(",", ".") in out.getvalue()  # 51.809, the Vietnamese way
    assert not get_user_model().objects.filter(username="demo").exists()


def test_the_command_gives_the_demo_user_a_new_password_each_time_then_serves(demo: DemoLoadResult) -> None:
    served: list[str] = []
    real_call_command = call_command

    def fake_call_command(name: str, *args: Any, **kwargs: Any) -> None:
        if name == "runserver":
            served.append(args[0])
            return
        real_call_command(name, *args, **kwargs)

    # The loads answer as on a database that holds the demo already: what the command loads, and
    # loading it again, are other tests' (``…_with_load_only``, ``test_loading_again_changes_nothing``).
    command = "dieuhanh.demo.management.commands.demo"
    loaded = {
        "demo_load": dataclasses.replace(demo, written=0, replaced=0),
        "directives_demo_load": DemoDirectivesResult(directives=1, updates=0, loaded=False),
        "projects_demo_load": DemoProjectsResult(projects=1, disbursements=0, obstacles=0, loaded=False),
        "reporting_demo_load": DemoReportingResult(
            data_sets=1, reports=0, unsent=0, figures=ReportingFiguresResult(months=[], rows=0, unchanged=0, batch=None)
        ),
    }

    def run() -> str:
        out = StringIO()
        with contextlib.ExitStack() as stack:
            stack.enter_context(mock.patch(f"{command}.call_command", fake_call_command))
            for name, result in loaded.items():
                stack.enter_context(mock.patch(f"{command}.{name}", return_value=result))
            call_command("demo", addrport="127.0.0.1:8101", until=demo.until, stdout=out)
        return out.getvalue()

    first, second = run(), run()
    user = get_user_model().objects.get(username="demo")
    printed = [word for word in re.findall(r"[\w-]{16}", second) if user.check_password(word)]

    assert served == ["127.0.0.1:8101", "127.0.0.1:8101"]
    assert "http://127.0.0.1:8101/" in second
    assert user.is_superuser
    assert user.is_staff
    assert list(user.memberships.values_list("role", flat=True)) == ["administrator"]
    assert len(printed) == 1
    assert printed[0] not in first

"""The demo's Bình Dương (its units, catalogue, targets and synthetic figures of 2019–2023) and the command.

The demo is loaded once for the run (tests/conftest.py); every test reads it in its own
transaction, rolled back after the test.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from dieuhanh.analytics.selectors import analytics_measures, analytics_ranking
from dieuhanh.demo.catalogue import CATALOGUE_FILE, demo_data_dir, demo_document, demo_rules
from dieuhanh.demo.figures import DEMO_SOURCE_NAME, demo_generate, fingerprint
from dieuhanh.demo.generate import DEFAULT_SEED
from dieuhanh.demo.services import DemoLoadResult, demo_load
from dieuhanh.demo.synth import GeneratedValue
from dieuhanh.figures.choices import ImportFormat
from dieuhanh.figures.models import DataValue, ImportBatch
from dieuhanh.figures.selectors import demo_data_present
from dieuhanh.indicators.models import Indicator, Target
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.models import OrgUnit
from tests.conftest import DEMO_UNTIL

pytestmark = pytest.mark.django_db

DISTRICTS = {"718", "719", "720", "721", "722", "723", "724", "725", "726"}
CON_DAO = "755"


def on_the_old_map(period: str) -> bool:
    """Whether a period ends by 30/6/2025 (a year until 2024, a quarter until 2025Q2, a month until 202506)."""
    return period[:4] < "2025" or period in {"2025Q1", "2025Q2"} or (len(period) == 6 and period <= "202506")


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


@pytest.fixture(scope="module")
def values() -> list[GeneratedValue]:
    return demo_generate(until=DEMO_UNTIL)


def test_the_figures_are_reproducible_for_a_seed() -> None:
    first = demo_generate(seed=1, until=DEMO_UNTIL)

    assert demo_generate(seed=1, until=DEMO_UNTIL) == first
    assert fingerprint(demo_generate(seed=2, until=DEMO_UNTIL)) != fingerprint(first)


def test_the_figures_obey_the_catalogue(values: list[GeneratedValue]) -> None:
    document = demo_document()
    rules = demo_rules(document)
    # From January 2019 to the pinned month, November 2026.
    period_pattern = {
        "monthly": r"^(20(19|2[0-5])(0[1-9]|1[0-2])|2026(0[1-9]|1[01]))$",
        "quarterly": r"^(20(19|2[0-5])Q[1-4]|2026Q[1-3])$",
        "yearly": r"^20(19|2[0-4])$",
    }

    assert {v.indicator for v in values} == set(rules)
    for v in values:
        rule = rules[v.indicator]
        assert re.match(period_pattern[rule.period_type], v.period), v
        assert v.value.as_tuple().exponent == -rule.decimals, v
        assert rule.min_value is None or v.value >= rule.min_value, v
        assert rule.max_value is None or v.value <= rule.max_value, v


def test_each_indicator_is_stored_at_the_level_the_catalogue_says(values: list[GeneratedValue]) -> None:
    text = (demo_data_dir() / CATALOGUE_FILE).read_text(encoding="utf-8")
    documented = dict(re.findall(r"- code: (\w+)\s+# level: (province|district|commune)", text))
    # A code names a unit only with a date: the old map's kinds until 30/6/2025, the new one's since.
    old_units = {u["code"]: u["kind"] for u in demo_document()["org_units"] if u.get("valid_to") == "2025-06-30"}
    new_units = {u["code"]: u["kind"] for u in demo_document()["org_units"] if u.get("valid_from") == "2025-07-01"}
    stored: dict[str, set[str]] = defaultdict(set)
    stored_new: dict[str, set[str]] = defaultdict(set)
    for v in values:
        if on_the_old_map(v.period):
            kind = old_units[v.org_unit]
            if v.org_unit == CON_DAO and documented[v.indicator] == "commune":
                kind = "commune"  # a district without communes reports the communes' figures itself
            stored[v.indicator].add(kind)
        else:
            stored_new[v.indicator].add(new_units[v.org_unit])

    assert set(documented) == set(stored)
    assert {code: kinds for code, kinds in stored.items() if kinds != {documented[code]}} == {}
    # Since 1/7/2025 there are no districts: what they reported, the city reports.
    assert {
        code: kinds
        for code, kinds in stored_new.items()
        if kinds != {"commune" if documented[code] == "commune" else "province"}
    } == {}
    assert {"IIP", "CPI", "EXPORT", "IMPORT", "FDI_REG", "GRDP"} <= {
        c for c, lvl in documented.items() if lvl == "province"
    }
    assert {"BUDGET_REV", "RETAIL", "PI_DISB"} <= {c for c, lvl in documented.items() if lvl == "district"}
    assert {"TRAFFIC_ACCIDENTS", "ENT_NEW", "POOR_HH", "ENROL_RATE"} <= {
        c for c, lvl in documented.items() if lvl == "commune"
    }


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

    def run() -> str:
        out = StringIO()
        with mock.patch("dieuhanh.demo.management.commands.demo.call_command", fake_call_command):
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

"""The list, the ranking and the map are computed by the database (sums, status, order, page): on
the database the suite runs on (SQLite or PostgreSQL), they must give what the Python rules
(``progress_of`` and ``schedule.schedule_status``) give, at the milestones' boundaries too; and a
province's questions hold the projects lying in it."""

from __future__ import annotations

import datetime as dt
import gc
import json
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection

from dieuhanh.projects.choices import AllocationKind, ScheduleStatus
from dieuhanh.projects.models import Project
from dieuhanh.projects.schedule import milestones_parse
from dieuhanh.projects.selectors import (
    ORDERS,
    Progress,
    ProgressRater,
    investor_ranking,
    progress_make,
    progress_of,
    project_list,
    projects_geojson,
    projects_geojson_utf8,
    slow_projects,
)
from dieuhanh.projects.services import allocation_add
from tests.factories import OrgUnitFactory
from tests.projects.conftest import Register, disburse, project

pytestmark = pytest.mark.django_db

POINT = {"type": "Point", "coordinates": [106.65, 10.98]}
# 30/6 and 30/9 are milestones (30 %, 60 %); the days after them, the first day of a month, the last of the year.
DAYS = [
    dt.date(2024, 3, 15),
    dt.date(2024, 6, 30),
    dt.date(2024, 7, 1),
    dt.date(2024, 9, 30),
    dt.date(2024, 10, 1),
    dt.date(2024, 12, 31),
]


@pytest.fixture
def many(register: Register) -> Register:
    """Projects at and about the thresholds: exactly 30 % and 60 % disbursed, a hair below, amounts
    with decimals, a plan cut by an adjustment, a carry-over alone, no plan, equal shares."""
    investors = (register.transport, register.health, register.construction)
    shares = ["300", "299.999", "600", "599.999", "150.125", "0", "1000", "450.5", "450.5", "12.345"]
    for n, paid in enumerate(shares):
        item = project(f"S{n:02d}", investors[n % 3], plan={"provincial": 1000}, geometry=POINT)
        if Decimal(paid):
            disburse(item, "202406" if n % 2 else "202409", paid)
    cut = project("S20", register.health, plan={"provincial": 2000}, geometry=POINT)
    allocation_add(
        project=cut,
        year=2024,
        source="provincial",
        kind=AllocationKind.ADJUSTMENT,
        amount=Decimal(-1000),
        effective_on=dt.date(2024, 7, 1),
    )
    disburse(cut, "202405", 300)
    carried = project("S21", register.transport, geometry=POINT)
    allocation_add(
        project=carried,
        year=2024,
        source="provincial",
        kind=AllocationKind.CARRYOVER,
        amount=Decimal(70),
        effective_on=dt.date(2024, 1, 1),
    )
    project("S22", register.construction)  # nothing this year, no location on the map
    return register


def _python_list(*, year: int, on: dt.date, order: str) -> list[tuple[str, Progress]]:
    """The list by the Python rules: every project, its progress (none: no plan), in ``order``."""
    progress = progress_of(year=year, on=on)
    empty = progress_make(plan=Decimal(0), disbursed=Decimal(0), year=year, on=on, milestones=())
    rows = [(p.code, p.name, progress.get(p.pk, empty)) for p in Project.objects.all()]
    keys = {
        "slowest": lambda r: (r[2].percent is None, r[2].percent if r[2].percent is not None else 0, r[0]),
        "fastest": lambda r: (r[2].percent is None, -(r[2].percent or 0), r[0]),
        "code": lambda r: r[0],
        "name": lambda r: (r[1], r[0]),
        "plan": lambda r: (-r[2].plan, r[0]),
        "shortfall": lambda r: (-r[2].shortfall, r[0]),
    }
    rows.sort(key=keys[order])
    return [(code, item) for code, _name, item in rows]


@pytest.mark.parametrize("on", DAYS)
def test_the_databases_list_gives_the_python_rules_progress_and_order(many: Register, on: dt.date) -> None:
    for order in ORDERS:
        rows = project_list(year=2024, on=on, order=order)

        assert [(r.project.code, r.progress) for r in rows] == _python_list(year=2024, on=on, order=order), order


@pytest.mark.parametrize("on", [dt.date(2024, 6, 30), dt.date(2024, 9, 30)])
def test_the_status_filter_and_counts_follow_the_python_status(many: Register, on: dt.date) -> None:
    expected = _python_list(year=2024, on=on, order="slowest")
    rows = project_list(year=2024, on=on)

    for status in ScheduleStatus:
        chosen = [code for code, item in expected if item.status == status]
        assert [r.project.code for r in project_list(year=2024, on=on, status=status)] == chosen
        assert rows.status_counts()[str(status)] == len(chosen)
    slow = [code for code, item in expected if item.status in (ScheduleStatus.BEHIND, ScheduleStatus.AT_RISK)]
    assert [r.project.code for r in slow_projects(year=2024, on=on, limit=3)] == slow[:3]


def test_a_page_of_the_list_is_read_alone_and_is_the_whole_lists_slice(many: Register) -> None:
    on = dt.date(2024, 9, 30)
    whole = [r.project.code for r in project_list(year=2024, on=on)]

    assert len(project_list(year=2024, on=on)) == len(whole) == 13
    assert [r.project.code for r in project_list(year=2024, on=on)[5:10]] == whole[5:10]
    assert [r.project.code for r in project_list(year=2024, on=on)[10:]] == whole[10:]
    assert project_list(year=2024, on=on)[3].project.code == whole[3]
    assert project_list(year=2024, on=on)[-1].project.code == whole[-1]
    assert len(project_list(year=2024, on=on, with_plan=True)) == 11


def test_the_databases_ranking_sums_the_python_progress(many: Register) -> None:
    on = dt.date(2024, 9, 30)
    progress = {pk: p for pk, p in progress_of(year=2024, on=on).items() if p.plan > 0}
    owners = dict(Project.objects.values_list("pk", "investor_id"))
    sums: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    behind: dict[int, int] = defaultdict(int)
    for pk, item in progress.items():
        sums[owners[pk]][0] += item.plan
        sums[owners[pk]][1] += item.disbursed
        behind[owners[pk]] += item.status == ScheduleStatus.BEHIND

    rows = investor_ranking(year=2024, on=on)

    assert {r.investor.pk: [r.plan, r.disbursed] for r in rows} == dict(sums)
    assert {r.investor.pk: r.behind for r in rows} == dict(behind)
    assert [r.percent for r in rows] == sorted((r.percent for r in rows), reverse=True)


def test_a_provinces_questions_hold_the_projects_lying_in_it(register: Register) -> None:
    tree = register.tree
    other = OrgUnitFactory(code="75", name="Tỉnh Đồng Nai", kind="province")
    far = OrgUnitFactory(code="26041", name="Phường Trảng Dài", parent=other)
    home_agency = OrgUnitFactory(code="BQL74", name="Ban QLDA tỉnh", kind="agency", parent=tree.province)
    other_agency = OrgUnitFactory(code="BQL75", name="Ban QLDA Đồng Nai", kind="agency", parent=other)
    located = project("L1", register.transport, locations=[tree.commune_b1], plan={"provincial": 100}, geometry=POINT)
    project("L2", home_agency, plan={"provincial": 100}, geometry=POINT)  # no location: its investor's province
    project("L3", home_agency, locations=[far], plan={"provincial": 100}, geometry=POINT)  # lies in the other
    project("L4", other_agency, plan={"provincial": 100}, geometry=POINT)
    disburse(located, "202406", 50)
    on = dt.date(2024, 7, 31)

    assert [r.project.code for r in project_list(year=2024, on=on, province=tree.province)] == ["L2", "L1"]
    assert [r.project.code for r in project_list(year=2024, on=on, province=other)] == ["L3", "L4"]
    features = projects_geojson(year=2024, on=on, province=tree.province)["features"]
    assert [(f["properties"]["code"], f["properties"]["percent"]) for f in features] == [("L1", 50.0), ("L2", 0.0)]
    ranking = investor_ranking(year=2024, on=on, province=tree.province)
    assert [(r.investor.code, r.rank, r.percent, r.projects) for r in ranking] == [
        ("SGTVT", 1, Decimal(50), 1),
        ("BQL74", 2, Decimal(0), 1),
    ]


@pytest.mark.parametrize("on", [dt.date(2024, 6, 30), dt.date(2024, 9, 30)])
def test_the_maps_features_carry_the_python_status_and_share(many: Register, on: dt.date) -> None:
    progress = progress_of(year=2024, on=on)
    located = Project.objects.filter(geometry__isnull=False).order_by("code")
    expected = []
    for item in located:
        state = progress.get(item.pk)
        percent = state.percent if state is not None else None
        status = state.status if state is not None else ScheduleStatus.NO_PLAN
        expected.append((item.code, str(status), float(round(percent, 1)) if percent is not None else None))

    for ask in (projects_geojson, lambda **kw: json.loads(projects_geojson_utf8(**kw))):
        features = ask(year=2024, on=on)["features"]
        planned = ask(year=2024, on=on, with_plan=True)["features"]

        assert [(f["properties"]["code"], f["properties"]["status"], f["properties"]["percent"]) for f in features] == (
            expected
        )
        assert [f["properties"]["code"] for f in planned] == [
            code for code, _s, percent in expected if percent is not None
        ]


@pytest.mark.parametrize("paid", ["332.5", "333.5", "0.25", "0.75", "999.95"])
def test_the_maps_share_rounds_a_half_to_even(register: Register, paid: str) -> None:
    # Given a plan of 1,000 of which ``paid`` is disbursed: a share whose hundredths are exactly 5
    item = project("H1", register.transport, plan={"provincial": 1000}, geometry=POINT)
    disburse(item, "202406", paid)
    on = dt.date(2024, 9, 30)

    # When the map is asked, as objects and as the API's text
    shares = [
        projects_geojson(year=2024, on=on)["features"][0]["properties"]["percent"],
        json.loads(projects_geojson_utf8(year=2024, on=on))["features"][0]["properties"]["percent"],
    ]

    # Then both give Python's rounding of the exact share: a half goes to the even tenth (33.25 → 33.2,
    # 33.35 → 33.4, 0.025 → 0.0), as the list and the project's page write it
    assert shares == [float(round(Decimal(paid) * 100 / 1000, 1))] * 2


def test_the_maps_text_of_plain_names_is_written_as_the_database_sent_them(register: Register) -> None:
    # Given projects named in Vietnamese with no character JSON escapes, out of code order in the register
    for code in ("Z9", "A1", "Đ2", "a0"):
        project(code, register.transport, plan={"provincial": 100}, geometry=POINT)
        Project.objects.filter(code=code).update(name=f"Dự án đường {code} – Bến Cát")
    on = dt.date(2024, 9, 30)

    # When the map is asked as the API's text
    text = projects_geojson_utf8(year=2024, on=on)

    # Then the names are there as they are, the features in the order of the codes' code points, and the
    # text is the collection the map page draws
    assert "Dự án đường Đ2 – Bến Cát".encode() in text
    assert [f["properties"]["code"] for f in json.loads(text)["features"]] == ["A1", "Z9", "a0", "Đ2"]
    assert json.loads(text) == projects_geojson(year=2024, on=on)


@pytest.mark.parametrize("on", [dt.date(2023, 12, 31), *DAYS, dt.date(2025, 1, 31)])
def test_the_rater_gives_what_progress_make_gives(on: dt.date) -> None:
    milestones = milestones_parse("06-30:30;09-30:60;12-31:90;+01-31:100", year=2024)
    rate = ProgressRater(year=2024, on=on, milestones=milestones)
    plans = [Decimal(-5), Decimal(0), Decimal("0.001"), Decimal(1000), Decimal("1000.125")]
    paid = [
        Decimal(0),
        Decimal("299.999"),
        Decimal(300),
        Decimal("599.999"),
        Decimal(600),
        Decimal("750.5"),
        Decimal(1200),
    ]

    for plan in plans:
        for disbursed in paid:
            made = progress_make(
                plan=plan, disbursed=disbursed, year=2024, on=on, milestones=milestones, carried=Decimal(70)
            )
            rated = rate(plan=plan, disbursed=disbursed, carried=Decimal(70))
            assert (rated, str(rated.shortfall)) == (made, str(made.shortfall)), (plan, disbursed)


def test_the_map_leaves_out_the_projects_without_a_place(register: Register) -> None:
    placed = project("M1", register.transport, plan={"provincial": 100}, geometry=POINT)
    project("M2", register.health, plan={"provincial": 100})
    Project.objects.filter(code="M2").update(geometry={})  # written before the form checked it
    project("M3", register.construction, plan={"provincial": 100})
    line = {"type": "LineString", "coordinates": [[106.6, 10.9], [106.7, 11.0]]}
    project("M4", register.construction, geometry=line)
    disburse(placed, "202406", 25)

    features = projects_geojson(year=2024, on=dt.date(2024, 9, 30))["features"]

    assert [(f["properties"]["code"], f["properties"]["investor"], f["geometry"]) for f in features] == [
        ("M1", register.transport.name, POINT),
        ("M4", register.construction.name, line),
    ]


def test_the_maps_text_is_its_collection_with_names_escaped(register: Register) -> None:
    # Given a project whose name holds quotes, a backslash, markup and Vietnamese letters
    odd = 'Đường "Vành đai 3" \\ <b>đoạn</b>\tqua Thủ Dầu Một'
    item = project("Q1", register.transport, plan={"provincial": 1000}, geometry=POINT)
    Project.objects.filter(pk=item.pk).update(name=odd)
    disburse(item, "202406", "333.35")
    project("Q2", register.health, geometry=POINT)  # no plan this year
    on = dt.date(2024, 9, 30)

    # When the map is asked as text (the API's answer) and as objects (the map page's)
    text = projects_geojson_utf8(year=2024, on=on)
    planned = projects_geojson_utf8(year=2024, on=on, with_plan=True)

    # Then the text is valid JSON holding exactly the collection, the name as it was written
    assert json.loads(text) == projects_geojson(year=2024, on=on)
    assert [f["properties"]["name"] for f in json.loads(text)["features"]] == [odd, "Dự án Q2"]
    assert [(f["properties"]["code"], f["properties"]["percent"]) for f in json.loads(planned)["features"]] == [
        ("Q1", 33.3)
    ]


def test_the_maps_text_of_a_register_with_no_place_is_an_empty_collection(register: Register) -> None:
    project("E1", register.transport, plan={"provincial": 100})

    text = projects_geojson_utf8(year=2024, on=dt.date(2024, 9, 30))

    assert json.loads(text) == {"type": "FeatureCollection", "features": []}


def test_the_map_leaves_the_cycle_collector_as_it_found_it(register: Register) -> None:
    project("C1", register.transport, plan={"provincial": 100}, geometry=POINT)
    running = gc.isenabled()
    try:
        gc.enable()
        assert len(projects_geojson(year=2024, on=dt.date(2024, 9, 30))["features"]) == 1
        assert gc.isenabled()
        gc.disable()
        assert len(projects_geojson(year=2024, on=dt.date(2024, 9, 30))["features"]) == 1
        assert not gc.isenabled()
    finally:
        if running:
            gc.enable()


def test_the_questions_run_without_parallel_workers_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner setting")
    from dieuhanh.projects.selectors import _fetch

    settings = "SELECT current_setting('max_parallel_workers_per_gather'), current_setting('work_mem')"
    assert _fetch(settings, []) == [("0", "64MB")]

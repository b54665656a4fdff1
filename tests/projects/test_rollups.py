"""The rollup of disbursement to date (``projects.rollups``): after every kind of write it holds
what a fresh sum of the disbursement says, month by month; and the questions that read it answer
as the fresh sums do."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum

from dieuhanh.projects import bulk
from dieuhanh.projects.models import DisbursedToDate, Disbursement, Project
from dieuhanh.projects.rollups import disbursed_rebuild, disbursed_refresh, window_periods
from dieuhanh.projects.selectors import (
    investor_ranking,
    progress_of,
    project_list,
    projects_geojson,
    projects_geojson_text,
)
from dieuhanh.projects.services import (
    DisbursementRow,
    disbursements_delete,
    disbursements_write,
    project_delete,
    transfer_make,
)
from tests.projects.conftest import Register, disburse, project

pytestmark = pytest.mark.django_db

Key = tuple[int, int, str]
POINT = {"type": "Point", "coordinates": [106.65, 10.98]}


def fresh() -> dict[Key, Decimal]:
    """Disbursed to date of each project, plan year and month of the plan's window, summed afresh
    (a month is there only when something was reported by it)."""
    found: dict[Key, Decimal] = {}
    for pk, year in Disbursement.objects.order_by().values_list("project_id", "plan_year").distinct():
        for period in window_periods(year):
            months = Disbursement.objects.filter(project_id=pk, plan_year=year, period__lte=period)
            if months.exists():
                found[(pk, year, period)] = months.aggregate(total=Sum("amount"))["total"]
    return found


def rolled() -> dict[Key, Decimal]:
    return {
        (pk, year, period): amount
        for pk, year, period, amount in DisbursedToDate.objects.values_list(
            "project_id", "plan_year", "period", "amount"
        )
    }


def two_projects(register: Register) -> tuple[Project, Project]:
    a = project("DA-A", register.transport, plan={"provincial": 1000, "central": 500}, geometry=POINT)
    b = project("DA-B", register.health, plan={"provincial": 800}, geometry=POINT)
    return a, b


def test_a_month_without_a_report_holds_the_month_before_and_none_before_the_first(register: Register) -> None:
    a, _b = two_projects(register)
    disburse(a, "202402", 100)
    disburse(a, "202405", 50)
    disburse(a, "202405", 25, source="central")

    held = rolled()

    assert (a.pk, 2024, "202401") not in held
    assert held[(a.pk, 2024, "202402")] == held[(a.pk, 2024, "202404")] == Decimal(100)
    assert held[(a.pk, 2024, "202405")] == held[(a.pk, 2024, "202501")] == Decimal(175)
    assert held == fresh()


def test_the_rollup_is_a_fresh_sum_after_new_months_changed_months_and_other_years(register: Register) -> None:
    a, b = two_projects(register)
    disburse(a, "202403", 100)
    disburse(b, "202406", "40.125")
    disburse(a, "202501", 10)
    disburse(a, "202302", 7, year=2023)

    disbursements_write(
        rows=[
            DisbursementRow(a.pk, 2024, "provincial", "202403", Decimal(60)),  # changed
            DisbursementRow(a.pk, 2024, "central", "202407", Decimal("0.001")),  # new
            DisbursementRow(b.pk, 2024, "provincial", "202406", Decimal("40.125")),  # unchanged
        ]
    )

    assert rolled() == fresh()
    assert rolled()[(a.pk, 2024, "202501")] == Decimal("70.001")
    assert rolled()[(a.pk, 2023, "202401")] == Decimal(7)


def test_deleting_months_keeps_the_rollup_a_fresh_sum(register: Register) -> None:
    a, b = two_projects(register)
    for period in ("202401", "202402", "202403"):
        disburse(a, period, 10)
        disburse(b, period, 20)

    disbursements_delete(disbursements=Disbursement.objects.filter(project=a, period__in=["202401", "202403"]))
    disbursements_delete(disbursements=Disbursement.objects.filter(project=b))

    assert rolled() == fresh()
    assert rolled()[(a.pk, 2024, "202501")] == Decimal(10)
    assert not DisbursedToDate.objects.filter(project=b).exists()


def test_a_deleted_project_takes_its_rollup_with_it(register: Register) -> None:
    a, b = two_projects(register)
    disburse(a, "202401", 10)
    disburse(b, "202401", 20)

    project_delete(project=a)

    assert rolled() == fresh()
    assert {pk for pk, _year, _period in rolled()} == {b.pk}


def test_a_rebuild_writes_the_rows_the_writes_kept(register: Register) -> None:
    a, b = two_projects(register)
    disburse(a, "202402", 10)
    disburse(b, "202512", 20, year=2025)
    kept = rolled()
    DisbursedToDate.objects.filter(project=a).update(amount=Decimal(999))
    DisbursedToDate.objects.filter(project=b).delete()

    count = disbursed_rebuild()

    assert rolled() == kept == fresh()
    assert count == len(kept)


def test_a_refresh_of_some_projects_leaves_the_others_alone(register: Register) -> None:
    a, b = two_projects(register)
    disburse(a, "202402", 10)
    disburse(b, "202402", 20)
    DisbursedToDate.objects.update(amount=Decimal(1))

    disbursed_refresh(years=[2024], projects=[a.pk])

    assert rolled()[(a.pk, 2024, "202402")] == Decimal(10)
    assert rolled()[(b.pk, 2024, "202402")] == Decimal(1)


def _by_project(year: int, on: dt.date) -> dict[str, tuple[Decimal, Decimal, str]]:
    return {
        row.project.code: (row.progress.plan, row.progress.disbursed, str(row.progress.status))
        for row in project_list(year=year, on=on, order="code")
    }


def _fresh_by_project(year: int, on: dt.date) -> dict[str, tuple[Decimal, Decimal, str]]:
    """Each project's progress summed afresh (``progress_of``; a project with nothing of the year has no plan)."""
    summed = progress_of(year=year, on=on)
    nothing = (Decimal(0), Decimal(0), "no_plan")
    return {
        code: (summed[pk].plan, summed[pk].disbursed, str(summed[pk].status)) if pk in summed else nothing
        for pk, code in Project.objects.values_list("pk", "code")
    }


@pytest.mark.parametrize(
    "on",
    [dt.date(2023, 12, 31), dt.date(2024, 3, 15), dt.date(2024, 9, 30), dt.date(2025, 1, 31), dt.date(2025, 6, 30)],
)
def test_the_list_reads_from_the_rollup_what_fresh_sums_say_on_any_day(register: Register, on: dt.date) -> None:
    a, b = two_projects(register)
    disburse(a, "202402", 100)
    disburse(a, "202409", 300)
    disburse(a, "202501", 200)
    disburse(b, "202410", 80)

    assert _by_project(2024, on) == _fresh_by_project(2024, on)


def test_after_a_transfer_the_list_and_ranking_read_what_fresh_sums_say(register: Register) -> None:
    a, b = two_projects(register)
    disburse(a, "202402", 100)
    disburse(b, "202403", 700)
    on = dt.date(2024, 9, 30)

    transfer_make(
        year=2024,
        source="provincial",
        from_project=a,
        to_project=b,
        amount=Decimal(300),
        effective_on=dt.date(2024, 6, 1),
        decision_number="99/QĐ-UBND",
        decision_date=dt.date(2024, 5, 30),
    )

    assert rolled() == fresh()
    assert _by_project(2024, on) == _fresh_by_project(2024, on)
    assert _by_project(2024, on)["DA-B"][:2] == (Decimal(1100), Decimal(700))
    ranking = {row.investor.code: (row.plan, row.disbursed) for row in investor_ranking(year=2024, on=on)}
    assert ranking == {"SGTVT": (Decimal(1200), Decimal(100)), "SYT": (Decimal(1100), Decimal(700))}


def test_the_maps_json_is_the_collection_of_the_map(register: Register) -> None:
    a, b = two_projects(register)
    project("DA-C", register.construction, plan={"provincial": 300}, geometry=None)
    project("DA-D", register.construction, geometry={"type": "LineString", "coordinates": [[106, 11], [106.5, 11.2]]})
    disburse(a, "202402", 333)
    disburse(b, "202403", "0.4")
    on = dt.date(2024, 7, 31)

    for with_plan in (False, True):
        text = projects_geojson_text(year=2024, on=on, with_plan=with_plan)
        collection = projects_geojson(year=2024, on=on, with_plan=with_plan)

        assert json.loads(text.body) == collection
        assert text.features == len(collection["features"])
    assert [f["properties"]["code"] for f in json.loads(projects_geojson_text(year=2024, on=on).body)["features"]] == [
        "DA-A",
        "DA-B",
        "DA-D",
    ]


def test_the_maps_json_of_nothing_is_an_empty_collection(register: Register) -> None:
    text = projects_geojson_text(year=2024, on=dt.date(2024, 7, 31))

    assert json.loads(text.body) == {"type": "FeatureCollection", "features": []}
    assert text.features == 0


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the set-based import runs on PostgreSQL only"
)
HEADER = "project,plan_year,source,period,amount\n"


@postgres_only
def test_the_postgresql_import_keeps_the_rollup_a_fresh_sum(register: Register) -> None:
    a, _b = two_projects(register)
    disburse(a, "202401", 5)  # held before: the file changes it and adds months
    content = HEADER + "DA-A,2024,provincial,202401,15\nDA-A,2024,central,202403,20\nDA-B,2024,provincial,202402,30\n"

    counts = bulk.disbursement_import_postgres(stream=io.BytesIO(content.encode()))

    assert counts is not None
    assert (counts.created, counts.updated) == (2, 1)
    assert rolled() == fresh()
    assert rolled()[(a.pk, 2024, "202501")] == Decimal(35)


@postgres_only
def test_a_dry_run_of_the_postgresql_import_leaves_the_rollup(register: Register) -> None:
    a, _b = two_projects(register)
    disburse(a, "202401", 5)
    kept = rolled()

    bulk.disbursement_import_postgres(
        stream=io.BytesIO((HEADER + "DA-A,2024,provincial,202401,15\n").encode()), dry_run=True
    )

    assert rolled() == kept == fresh()


@postgres_only
def test_a_first_load_by_the_postgresql_import_fills_the_rollup(
    register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "BULK_LOAD_ABOVE", 2)
    _a, b = two_projects(register)
    content = (
        HEADER + "DA-A,2024,provincial,202401,15\nDA-A,2024,central,202403,20\n"
        "DA-B,2024,provincial,202402,30\nDA-B,2023,provincial,202401,1.5\n"
    )

    counts = bulk.disbursement_import_postgres(stream=io.BytesIO(content.encode()))

    assert counts is not None
    assert counts.plan_years == [2023, 2024]
    assert rolled() == fresh()
    assert rolled()[(b.pk, 2023, "202401")] == Decimal("1.5")
    assert len(rolled()) == 13 + 12 + 1  # DA-A from January, DA-B's 2024 from February, its 2023's last month


def test_the_command_writes_the_rollup_again(register: Register) -> None:
    a, _b = two_projects(register)
    disburse(a, "202402", 10)
    DisbursedToDate.objects.all().delete()
    out = io.StringIO()

    call_command("projects", "rollup", stdout=out)

    assert rolled() == fresh()
    assert ": 12 " in out.getvalue()  # February to January of the next year

"""Disbursement to date (``projects.todate``): the register's questions read one row a project and
year once it is current, give the same answers as the monthly rows summed, and fall back to the
monthly rows the moment any writer changes a year."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.contrib.auth.models import AnonymousUser
from django.db import connection, connections, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from dieuhanh.projects import todate
from dieuhanh.projects.models import Disbursement, DisbursementToDate, DisbursementToDateYear
from dieuhanh.projects.selectors import investor_ranking, project_list, projects_geojson
from dieuhanh.projects.services import DisbursementRow, disbursements_delete, disbursements_write
from tests.projects.conftest import Register, disburse, project

pytestmark = pytest.mark.django_db

POINT = {"type": "Point", "coordinates": [106.65, 10.98]}

# Each boundary of the plan's window: before it, its first and last months, January of the next
# year (the plan's last month), after it.
DAYS = [
    dt.date(2023, 12, 31),
    dt.date(2024, 1, 1),
    dt.date(2024, 1, 31),
    dt.date(2024, 6, 30),
    dt.date(2024, 7, 1),
    dt.date(2024, 12, 31),
    dt.date(2025, 1, 15),
    dt.date(2025, 3, 31),
]


@pytest.fixture
def books(register: Register) -> list[int]:
    """Four projects of 2024: disbursed in several months and both sources, in January of 2025,
    nothing at all, and one whose plan is of 2023 (another year's rows must not count)."""
    a = project("A", register.transport, plan={"provincial": 1_000, "central": 500}, geometry=POINT)
    b = project("B", register.health, plan={"provincial": 2_000}, geometry=POINT)
    c = project("C", register.construction, plan={"provincial": 800}, geometry=POINT)
    d = project("D", register.transport, plan={"provincial": 400}, year=2023, geometry=POINT)
    for period, amount in (("202401", "10.5"), ("202406", 100), ("202407", "0.125"), ("202412", 300)):
        disburse(a, period, amount)
    disburse(a, "202406", 50, source="central")
    disburse(a, "202501", "44.875", source="central")
    disburse(b, "202403", 700)
    disburse(b, "202501", 600)
    disburse(d, "202312", 100, year=2023)
    disburse(d, "202401", 250, year=2023)
    return [a.pk, b.pk, c.pk, d.pk]


def answers(on: dt.date) -> tuple[object, ...]:
    listed = [(r.project.code, r.progress) for r in project_list(year=2024, on=on)]
    ranking = [(r.investor.code, r.rank, r.plan, r.disbursed, r.status) for r in investor_ranking(year=2024, on=on)]
    return listed, ranking, projects_geojson(year=2024, on=on)


def by_hand(on: dt.date) -> dict[str, Decimal]:
    month = f"{on.year}{on.month:02d}"
    paid: dict[str, Decimal] = {}
    for d in Disbursement.objects.filter(plan_year=2024).select_related("project"):
        if d.period <= month:
            paid[d.project.code] = paid.get(d.project.code, Decimal(0)) + d.amount
    return paid


def test_the_columns_of_a_plan_year_are_its_thirteen_months() -> None:
    assert todate.through_column(2024, dt.date(2023, 12, 31)) is None
    assert todate.through_column(2024, dt.date(2024, 1, 1)) == "through_01"
    assert todate.through_column(2024, dt.date(2024, 9, 30)) == "through_09"
    assert todate.through_column(2024, dt.date(2024, 12, 31)) == "through_12"
    assert todate.through_column(2024, dt.date(2025, 1, 1)) == "through_13"
    assert todate.through_column(2024, dt.date(2031, 5, 1)) == "through_13"


def test_a_refreshed_year_holds_each_projects_disbursement_through_each_month(books: list[int]) -> None:
    todate.refresh([2024])
    row = DisbursementToDate.objects.get(plan_year=2024, project_id=books[0])
    assert [getattr(row, f"through_{k:02d}") for k in range(1, 14)] == [
        Decimal("10.5"),
        *[Decimal("10.5")] * 4,
        *[Decimal("160.5")],
        *[Decimal("160.625")] * 5,
        Decimal("460.625"),
        Decimal("505.5"),
    ]
    # A project without disbursement of the year has no row; another year's rows are its own.
    assert not DisbursementToDate.objects.filter(project_id=books[2]).exists()
    assert not DisbursementToDate.objects.filter(plan_year=2024, project_id=books[3]).exists()
    assert todate.is_current(2024)
    assert not todate.is_current(2023)


@pytest.mark.parametrize("on", DAYS, ids=str)
def test_the_questions_answer_the_same_from_the_year_to_date_as_from_the_months(books: list[int], on: dt.date) -> None:
    summed = answers(on)
    todate.refresh([2024])
    with CaptureQueriesContext(connection) as queries:
        read = answers(on)
    assert read == summed
    if todate.through_column(2024, on) is not None:
        assert any(DisbursementToDate._meta.db_table in q["sql"] for q in queries.captured_queries)
        assert not any(f'"{Disbursement._meta.db_table}"' in q["sql"] for q in queries.captured_queries)
    paid = {r.project.code: r.progress.disbursed for r in project_list(year=2024, on=on)}
    assert {code: amount for code, amount in paid.items() if amount} == by_hand(on)


def test_every_writer_makes_the_year_stale_and_the_questions_see_the_new_figure(
    books: list[int], register: Register
) -> None:
    on = dt.date(2024, 12, 31)
    todate.refresh([2023, 2024])

    def paid_of(code: str) -> Decimal:
        return next(r.progress.disbursed for r in project_list(year=2024, on=on) if r.project.code == code)

    # The write service (imports in Python, the API, the admin's save, the demo).
    disbursements_write(rows=[DisbursementRow(books[2], 2024, "provincial", "202411", Decimal(80))])
    assert not todate.is_current(2024)
    assert todate.is_current(2023)
    assert paid_of("C") == Decimal(80)

    # A row saved one by one.
    todate.refresh([2024])
    Disbursement.objects.create(project_id=books[2], plan_year=2024, source="central", period="202410", amount=5)
    assert not todate.is_current(2024)
    assert paid_of("C") == Decimal(85)

    # The admin's delete, one row and a selection.
    todate.refresh([2024])
    admin = site._registry[Disbursement]
    request = RequestFactory().post("/")
    request.user = AnonymousUser()
    admin.delete_model(request, Disbursement.objects.get(project_id=books[2], period="202410"))
    assert not todate.is_current(2024)
    assert paid_of("C") == Decimal(80)
    todate.refresh([2024])
    admin.delete_queryset(request, Disbursement.objects.filter(project_id=books[2]))
    assert not todate.is_current(2024)
    assert paid_of("C") == Decimal(0)

    # The refresh makes it current again, with the same answer.
    before = answers(on)
    todate.refresh([2024])
    assert todate.is_current(2024)
    assert answers(on) == before


def test_deleting_rows_leaves_the_other_years_current(books: list[int]) -> None:
    todate.refresh([2023, 2024])
    assert disbursements_delete(disbursements=Disbursement.objects.filter(plan_year=2023)) == 2
    assert sorted(DisbursementToDateYear.objects.values_list("plan_year", flat=True)) == [2024]


def test_the_registers_figures_refresh_makes_its_years_current(books: list[int]) -> None:
    from dieuhanh.projects.services import projects_figures_refresh

    projects_figures_refresh(years=[2024], today=dt.date(2024, 12, 31))
    assert todate.is_current(2024)
    assert DisbursementToDate.objects.get(plan_year=2024, project_id=books[1]).through_13 == Decimal(1_300)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions: PostgreSQL")
def test_a_rebuild_waits_for_a_write_in_progress_and_then_counts_it(register: Register) -> None:
    item = project("E", register.transport, plan={"provincial": 1_000}, geometry=POINT)
    disburse(item, "202402", 10)
    written, release, rebuilt = threading.Event(), threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def write() -> None:
        try:
            with transaction.atomic():
                disbursements_write(rows=[DisbursementRow(item.pk, 2024, "provincial", "202403", Decimal(5))])
                written.set()
                release.wait(10)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    def rebuild() -> None:
        try:
            todate.refresh([2024])
            rebuilt.set()
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    writer = threading.Thread(target=write)
    writer.start()
    assert written.wait(10)
    rebuilder = threading.Thread(target=rebuild)
    rebuilder.start()
    # The rebuild waits for the write's transaction rather than read the months without it.
    assert not rebuilt.wait(0.5)
    release.set()
    writer.join(10)
    rebuilder.join(10)
    assert failures == []
    assert todate.is_current(2024)
    assert DisbursementToDate.objects.get(plan_year=2024, project_id=item.pk).through_03 == Decimal(15)

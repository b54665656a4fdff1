"""Disbursement to date: each project's disbursement of a plan year summed as at the end of each
month of the plan (``DisbursementToDate``), so that the register's questions — the project list,
the investor ranking, the map — read one row a project rather than summing every month and
source of the year (a national year: 25,000 rows rather than 480,000).

The rows are derived, never written by hand. ``refresh(years)`` rebuilds a year's rows from its
disbursement and records the year as current (``DisbursementToDateYear``); every write of a year's
disbursement — the imports, the write service, the admin — calls ``stale(years)`` in its
transaction, and the register's figures refresh (``figures.figures_refresh``) rebuilds the years it
refreshes. ``paid_sql`` reads a year's rows only while the year is current, and otherwise sums the
monthly rows as the questions always did: the answer is the same either way (tests/projects/
test_todate.py compares them), only its speed differs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction

from dieuhanh.projects.models import PLAN_MONTHS, Disbursement, DisbursementToDate, DisbursementToDateYear


def _month_codes(year: int) -> list[str]:
    """The months a plan of ``year`` may be disbursed in, as codes: January … December, then
    January of the next year (``Disbursement.clean``)."""
    return [f"{year}{month:02d}" for month in range(1, 13)] + [f"{year + 1}01"]


def through_column(year: int, on: dt.date) -> str | None:
    """The column of ``DisbursementToDate`` that holds a plan of ``year``'s disbursement up to
    and including the month of ``on``; None when ``on`` is before the plan's first month (nothing
    can have been disbursed then)."""
    code = f"{on.year}{on.month:02d}"
    codes = _month_codes(year)
    if code < codes[0]:
        return None
    reached = sum(1 for month in codes if month <= code)
    return f"through_{reached:02d}"


# The advisory lock of disbursement to date: "todate".
LOCK = 0x746F_6461_7465


def _lock() -> None:
    """Hold, until the transaction ends, the lock of disbursement to date (PostgreSQL; SQLite lets
    one writer at a time anyway). A rebuild and a write of disbursement then follow one another: a
    rebuild cannot read the months before a write commits and then record the year current after
    the write said it was not. One lock for every year, taken first by each: no two transactions
    can each hold a year the other waits for."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])


def is_current(year: int) -> bool:
    return DisbursementToDateYear.objects.filter(plan_year=year).exists()


def stale(years: Iterable[int]) -> None:
    """The rows of ``years`` no longer match their disbursement: read the monthly rows until
    ``refresh``. Called by every writer of disbursement, in its transaction."""
    wanted = sorted({int(year) for year in years})
    if wanted:
        with transaction.atomic():
            _lock()
            DisbursementToDateYear.objects.filter(plan_year__in=wanted).delete()


def refresh(years: Iterable[int]) -> None:
    """Rebuild the rows of ``years`` from their disbursement, one statement a year, and record each
    year as current."""
    table = connection.ops.quote_name(DisbursementToDate._meta.db_table)
    source = connection.ops.quote_name(Disbursement._meta.db_table)
    columns = ", ".join(f"through_{k:02d}" for k in range(1, PLAN_MONTHS + 1))
    # Each month's sum (one addition a row), then the months added up project by project: some
    # twice as fast as summing every row once for each month it counts in (bench/unmet.md).
    months = ", ".join(f"SUM(CASE WHEN period = %s THEN amount END) AS m{k}" for k in range(1, PLAN_MONTHS + 1))
    through = ", ".join(" + ".join(f"COALESCE(m{j}, 0)" for j in range(1, k + 1)) for k in range(1, PLAN_MONTHS + 1))
    wanted = sorted({int(year) for year in years})
    if not wanted:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        _lock()
        for year in wanted:
            cursor.execute(f"DELETE FROM {table} WHERE plan_year = %s", [year])  # noqa: S608 - table names from models
            cursor.execute(
                f"INSERT INTO {table} (project_id, plan_year, {columns})"  # noqa: S608 - names from models
                f" SELECT project_id, plan_year, {through} FROM (SELECT project_id, plan_year, {months}"
                f" FROM {source} WHERE plan_year = %s GROUP BY plan_year, project_id) monthly",
                [*_month_codes(year), year],
            )
            DisbursementToDateYear.objects.update_or_create(plan_year=year)
        if connection.vendor == "postgresql":
            # The planner's counts of the rows just written (a year's 25,000 rows read by the index,
            # not guessed at 500 and joined by a plan made for that).
            cursor.execute(f"ANALYZE {table}")


def paid_sql(*, year: int, on: dt.date, narrow: str = "", params: Iterable[object] = ()) -> tuple[str, list[object]]:
    """A SELECT of ``project_id`` and ``paid`` — each project's disbursement of a plan of ``year``
    up to the month of ``on``, all sources — for the projects with any, narrowed by the condition
    ``narrow`` on ``project_id`` (with its ``params``): from the year's rows of disbursement to
    date when they are current, else summed from the monthly rows."""
    extra = list(params)
    column = through_column(year, on)
    if column is not None and is_current(year):
        table = connection.ops.quote_name(DisbursementToDate._meta.db_table)
        return f"SELECT project_id, {column} AS paid FROM {table} WHERE plan_year = %s{narrow}", [year, *extra]  # noqa: S608 - names from models
    source = connection.ops.quote_name(Disbursement._meta.db_table)
    return (
        f"SELECT project_id, SUM(amount) AS paid FROM {source}"  # noqa: S608 - names from models
        f" WHERE plan_year = %s AND period <= %s{narrow} GROUP BY project_id",
        [year, f"{on.year}{on.month:02d}", *extra],
    )

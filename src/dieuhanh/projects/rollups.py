"""The register's rollup: disbursement to date (``DisbursedToDate``), by project, plan year and month.

A year's plan is disbursed from January to January of the next year (13 months, the plan's
window). For each project and plan year with any disbursement, the rollup holds one row for each
month of the window from the first month reported on: the sum of every source's disbursement of
that plan up to and including the month. So "disbursed as at a day" of a year is one row a
project — the row of the day's month, or of the window's last month after it — where the
disbursement itself holds one row for each source and month (a national September: 480,000 rows
summed, against 50,000 rows read).

Every writer of disbursement calls ``disbursed_refresh`` for what it wrote, in its transaction
(``services.disbursements_write``, ``services.disbursements_delete``, the PostgreSQL import in
``bulk.py``); a project's rows go with it (``on_delete=CASCADE``). A refresh computes the rows of
the plan years and projects it is given again from the disbursement — a ``DELETE`` and an
``INSERT … SELECT`` — rather than adding to them, so it is exact whatever was written before.
``disbursed_rebuild`` does it for every year (``dieuhanh projects-rollup``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction

from dieuhanh.projects.models import DisbursedToDate, Disbursement

# Project ids asked about at once (SQLite's limit on a statement's parameters).
CHUNK = 500
# The memory PostgreSQL may give the sort of a whole year's disbursement by project and month.
WORK_MEM = "256MB"


def window_periods(year: int) -> list[str]:
    """The months a year's plan is disbursed in, ``YYYYMM``: January to December, and January of the next year."""
    return [f"{year:04d}{month:02d}" for month in range(1, 13)] + [f"{year + 1:04d}01"]


def as_at_period(year: int, period: str) -> str:
    """The rollup's month that says what of ``year``'s plan was disbursed up to ``period``: the
    month itself, or the window's last month after the window (no row holds a month before it)."""
    return min(period, window_periods(year)[-1])


def _refresh_sql(years: Sequence[int], where: str) -> tuple[str, str]:
    rollup = DisbursedToDate._meta.db_table
    months = " UNION ALL ".join(
        f"SELECT {int(year)} AS plan_year, '{period}' AS period" for year in years for period in window_periods(year)
    )
    in_years = ", ".join(str(int(year)) for year in years)
    delete = f"DELETE FROM {rollup} WHERE plan_year IN ({in_years}){where}"
    # Each month reported, with the running sum up to it and the next month reported; each month
    # of the window is then given the running sum of the last month reported up to it.
    insert = (
        f"INSERT INTO {rollup} (project_id, plan_year, period, amount)"
        " SELECT reported.project_id, reported.plan_year, w.period, reported.running"
        " FROM (SELECT project_id, plan_year, period,"
        " SUM(SUM(amount)) OVER (PARTITION BY project_id, plan_year ORDER BY period) AS running,"
        " LEAD(period) OVER (PARTITION BY project_id, plan_year ORDER BY period) AS following"
        f" FROM {Disbursement._meta.db_table} WHERE plan_year IN ({in_years}){where}"
        " GROUP BY project_id, plan_year, period) reported"
        f" JOIN ({months}) w ON w.plan_year = reported.plan_year AND w.period >= reported.period"
        " AND (reported.following IS NULL OR w.period < reported.following)"
    )
    return delete, insert


def disbursed_refresh(
    *,
    years: Iterable[int],
    projects: Iterable[int] | None = None,
    projects_sql: tuple[str, Sequence[Any]] | None = None,
) -> None:
    """Compute the rollup's rows of ``years`` again from the disbursement: of every project, or
    only of ``projects`` (ids), or of the projects a query selects (``projects_sql``: a SELECT of
    one column of project ids, and its parameters)."""
    wanted = sorted({int(year) for year in years})
    if not wanted:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        if projects_sql is not None:
            subquery, params = projects_sql
            delete, insert = _refresh_sql(wanted, f" AND project_id IN ({subquery})")
            cursor.execute(delete, list(params))
            cursor.execute(insert, list(params))
        elif projects is None:
            delete, insert = _refresh_sql(wanted, "")
            cursor.execute(delete)
            if connection.vendor == "postgresql":
                # Whole years (a national first load: millions of rows) sorted in memory, not on disk;
                # the setting is the transaction's, so it is put back.
                cursor.execute("SELECT current_setting('work_mem')")
                previous = cursor.fetchone()[0]
                cursor.execute("SELECT set_config('work_mem', %s, true)", [WORK_MEM])
                cursor.execute(insert)
                cursor.execute("SELECT set_config('work_mem', %s, true)", [previous])
            else:
                cursor.execute(insert)
        else:
            ids = sorted(set(projects))
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                delete, insert = _refresh_sql(wanted, f" AND project_id IN ({', '.join(['%s'] * len(chunk))})")
                cursor.execute(delete, chunk)
                cursor.execute(insert, chunk)


def disbursed_rebuild() -> int:
    """Write the whole rollup again from the disbursement (every plan year held); its row count."""
    with transaction.atomic():
        DisbursedToDate.objects.all().delete()
        years = list(Disbursement.objects.order_by().values_list("plan_year", flat=True).distinct())
        disbursed_refresh(years=years)
        return DisbursedToDate.objects.count()

"""The monthly run: which periods it reports on, that it keeps each report once, and the command."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command

from dieuhanh.reports.models import GeneratedReport
from dieuhanh.reports.selectors import scheduled_periods
from dieuhanh.reports.services import reports_run_scheduled
from tests.reports.conftest import Plans


@pytest.mark.parametrize(
    ("today", "periods"),
    [
        (dt.date(2023, 5, 3), ["202304"]),
        (dt.date(2023, 4, 1), ["202303", "2023Q1"]),
        (dt.date(2023, 7, 5), ["202306", "2023Q2", "2023S1"]),
        (dt.date(2023, 10, 2), ["202309", "2023Q3", "202309YTD"]),
        (dt.date(2024, 1, 4), ["202312", "2023Q4", "2023"]),
    ],
)
def test_a_monthly_run_reports_the_month_that_ended_and_what_ended_with_it(today: dt.date, periods: list[str]) -> None:
    assert [p.code for p in scheduled_periods(today=today)] == periods


@pytest.mark.django_db
def test_a_second_run_in_the_same_month_makes_nothing_again(plans: Plans) -> None:
    province = plans.tree.province

    first = reports_run_scheduled(org_units=[province], today=dt.date(2023, 7, 5), formats=["docx", "html"])
    again = reports_run_scheduled(org_units=[province], today=dt.date(2023, 7, 20), formats=["docx", "html"])

    assert len(first.made) == 6
    assert again.made == []
    assert len(again.skipped) == 6
    kept = GeneratedReport.objects.filter(trigger="scheduled")
    assert sorted(kept.values_list("period", "file_format")) == sorted(
        (p, f) for p in ("202306", "2023Q2", "2023S1") for f in ("docx", "html")
    )
    assert all(r.created_by is None for r in kept)


@pytest.mark.django_db
def test_the_scheduled_command_reports_for_the_province_by_default(plans: Plans) -> None:
    out = StringIO()

    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2023, 5, 3)):
        call_command("report", "--scheduled", "--format", "html", stdout=out)
        call_command("report", "--scheduled", "--format", "html", "--force", stdout=StringIO())

    records: Any = GeneratedReport.objects.order_by("id")
    assert [(r.org_unit.code, r.period, r.file_format) for r in records] == [("74", "202304", "html")] * 2
    assert "202304" in out.getvalue()

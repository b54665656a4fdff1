"""Data entry with approval in a real browser, on the demo: a commune's reporter fills in the monthly
report (a figure that reads two ways is refused with a message, then corrected) and submits it; the
approver of the city above approves it on the approvals page. Screenshots of both pages."""

from __future__ import annotations

from typing import Any

import pytest

from dieuhanh.accounts.choices import Role
from dieuhanh.accounts.services import membership_add
from dieuhanh.indicators.models import Indicator
from dieuhanh.reporting.choices import ReportStatus
from dieuhanh.reporting.models import DataSet, DataSetReport
from dieuhanh.reporting.selectors import expected_units
from tests.browser.conftest import screenshot
from tests.conftest import DEMO_UNTIL
from tests.factories import UserFactory

# Transactional: signing in and entering figures write, which the live server could not see while
# the test held its own transaction open.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "mat-khau-thu-nghiem-2023"


def _sign_in(page: Any, base: str, username: str, path: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?next={path}")
    page.fill("[name=username]", username)
    page.fill("[name=password]", PASSWORD)
    page.click(".login [type=submit]")
    page.wait_for_url(base + path)


def test_a_commune_enters_and_submits_its_report_and_the_city_approves_it(
    page: Any, demo_url: str, django_db_blocker: Any
) -> None:
    # Given a reporter of a commune and an approver of the city above it, and the month to report
    with django_db_blocker.unblock():
        data_set = DataSet.objects.create(
            code="XA_KTXH_THANG",
            name="Báo cáo tình hình kinh tế - xã hội hằng tháng cấp xã",
            period_type="monthly",
            org_unit_kind="commune",
        )
        data_set.indicators.set(Indicator.objects.filter(code__in=["ENT_NEW", "ENT_DISSOLVED", "TRAFFIC_ACCIDENTS"]))
        period = DEMO_UNTIL
        # The first by code: the same commune on both databases (their orders of the tree differ).
        commune = min(expected_units(data_set=data_set, periods=[period])[period], key=lambda u: u.code)
        for username, role, unit in (
            ("bao-cao-xa", Role.REPORTER, commune),
            ("duyet-tp", Role.APPROVER, commune.parent),
        ):
            user = UserFactory(username=username)
            user.set_password(PASSWORD)
            user.save()
            membership_add(user=user, role=role, org_unit=unit)
    entry = f"/reporting/entry/{data_set.code}/{commune.code}/{period.code}/"

    # When the reporter types a figure that reads two ways and submits
    _sign_in(page, demo_url, "bao-cao-xa", entry)
    fields = page.locator(".entry-table input[type=text]")
    for index in range(fields.count()):
        if not fields.nth(index).input_value():
            fields.nth(index).fill("1")
    first = fields.nth(0)
    first.fill("2.500")
    page.click("button[value=submit]")

    # Then nothing is written and the field says how to write it
    assert "2500" in page.locator("#entry-problems").inner_text()
    assert first.get_attribute("aria-invalid") == "true"

    # When they correct it and submit
    page.locator(".entry-table input[type=text]").nth(0).fill("2500")
    page.click("button[value=submit]")
    page.wait_for_selector(".message--success")

    # Then the report waits for approval
    assert page.locator("[data-report-status]").get_attribute("data-report-status") == ReportStatus.SUBMITTED
    screenshot(page, "data-entry")

    # When the approver of the city approves it
    _sign_in(page, demo_url, "duyet-tp", "/reporting/approvals/")
    row = page.locator(f"tr:has(a[href='{entry}'])")
    assert row.count() == 1
    screenshot(page, "approvals")
    row.locator("button[value=approve]").click()
    page.wait_for_selector(".message--success")

    # Then the report is approved, and its form is read-only
    with django_db_blocker.unblock():
        report = DataSetReport.objects.get(data_set=data_set, org_unit=commune, period=period.code)
        assert report.status == ReportStatus.APPROVED
        assert [s.action for s in report.steps.all()] == ["submit", "approve"]
    page.goto(demo_url + entry)
    assert page.locator("button[value=submit]").count() == 0
    assert page.locator(".entry-table input[readonly]").count() == fields.count()

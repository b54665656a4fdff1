"""The report's PDF, made and downloaded in a real browser from the reports page, lists one font family:
the Liberation Serif shipped with the package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dieuhanh.accounts.choices import Role
from dieuhanh.accounts.services import membership_add
from tests.browser.conftest import screenshot
from tests.factories import UserFactory
from tests.reports.pdffonts import font_families, font_names, pdffonts

# Transactional: signing in and making a report write, which the live server could not do while the
# test held its own transaction open. The flush after the test is the module's last use of the demo.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "mat-khau-thu-nghiem-2023"


@pytest.fixture(scope="module")
def clerk(demo_url: str, django_db_blocker: Any) -> str:
    """An office clerk who makes reports, committed so that the live server sees them (the module's
    database is flushed at its end)."""
    with django_db_blocker.unblock():
        user = UserFactory(username="van-thu")
        user.set_password(PASSWORD)
        user.save()
        # The office makes the province's reports: an operator (roles, docs/deployment.md).
        membership_add(user=user, role=Role.OPERATOR)
    return user.get_username()


def choose(page: Any, name: str, value: str) -> None:
    """Set a field whether the page offers it as a list or as a text box."""
    field = page.locator(f"[name={name}]")
    if field.evaluate("e => e.tagName") == "SELECT":
        field.select_option(value)
    else:
        field.fill(value)


def test_the_pdf_made_on_the_reports_page_lists_only_the_shipped_font(
    page: Any, demo_url: str, clerk: str, settings: Any, tmp_path: Path
) -> None:
    # Given the clerk signed in on the reports page (the files kept go to a folder of the test's own)
    pdffonts()
    settings.MEDIA_ROOT = tmp_path / "media"
    page.goto(demo_url + "/accounts/login/?next=/reports/")
    page.fill("[name=username]", clerk)
    page.fill("[name=password]", PASSWORD)
    page.click(".login [type=submit]")
    page.wait_for_url(demo_url + "/reports/")

    # When they make the half-year report of the province as PDF and download it
    choose(page, "org_unit", "74")
    # the period in words: a year and a part of it
    choose(page, "year", "2023")
    page.select_option("[name=part]", label="6 tháng đầu năm")
    page.uncheck("[name=formats][value=docx]")
    page.check("[name=formats][value=pdf]")
    page.click("form.pickers button[type=submit]:not([formaction])")
    page.wait_for_url(demo_url + "/reports/")
    screenshot(page, "reports-made", full_page=False)
    with page.expect_download() as download:
        page.click("table a[href*='/download']")
    pdf = tmp_path / "bao-cao.pdf"
    download.value.save_as(pdf)

    # Then the PDF names one font family, Liberation Serif, in every face it uses
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert font_families(pdf) == {"Liberation Serif"}, font_names(pdf)

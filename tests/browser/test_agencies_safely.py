"""Many agencies, safely, in a real browser on the demo (issue 15's acceptance), with a screenshot of
every step.

Since 1 July 2025 the level under the city is the commune: a commune's reporter reads and writes its
own commune's figures and no other's — on the pages and through the API with its token; the approver
of the city above approves its report; the city's leaders see the approved figure (and, when they ask,
the one awaiting approval, marked as such); the public sees public indicators only.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from typing import Any

import pytest

from dieuhanh.accounts.choices import Role
from dieuhanh.accounts.services import api_token_create, membership_add
from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.figures.models import DataValue
from dieuhanh.figures.services import figure_delete, figure_set
from dieuhanh.indicators.models import Indicator
from dieuhanh.reporting.choices import ReportStatus
from dieuhanh.reporting.models import DataSet, DataSetReport
from dieuhanh.reporting.selectors import expected_units
from tests.browser.conftest import screenshot
from tests.conftest import DEMO_UNTIL
from tests.factories import IndicatorFactory, UserFactory

# Transactional: signing in and entering figures write, which the live server would not see while the
# test held a transaction of its own open.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "mat-khau-nghiem-thu-2026"
INTERNAL = "TTHC_TRE_HAN"  # not public: the commune's late administrative dossiers
REPORTED = ["ENT_NEW", "TRAFFIC_ACCIDENTS", INTERNAL]
ENTERED = {"ENT_NEW": "7", "TRAFFIC_ACCIDENTS": "2", INTERNAL: "3"}


def sign_in(page: Any, base: str, username: str, path: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?{urllib.parse.urlencode({'next': path})}")
    page.fill("[name=username]", username)
    page.fill("[name=password]", PASSWORD)
    page.click(".login [type=submit]")
    page.wait_for_url(base + path)


def api(base: str, path: str, *, token: str | None = None, method: str = "GET", body: Any = None) -> tuple[int, Any]:
    """A call to the live server's API, as a program holding ``token`` (or nobody) makes it."""
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - the live server
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def shown_value(page: Any) -> str:
    """The figure the indicator page states for its unit and period."""
    return page.locator(".indicator-summary [data-measure=value], dd[data-measure=value]").first.inner_text()


def test_a_communes_reporter_an_approver_leaders_and_the_public_each_see_what_is_theirs(
    page: Any, demo_url: str, django_db_blocker: Any
) -> None:
    period = DEMO_UNTIL
    # Given a monthly report of the communes holding a non-public indicator, two communes of one
    # city, the first not having reported the month yet, and the people of the story
    with django_db_blocker.unblock():
        internal = IndicatorFactory(
            code=INTERNAL, name="Số hồ sơ thủ tục hành chính trễ hạn", unit="hồ sơ", is_public=False, min_value=0
        )
        data_set = DataSet.objects.create(
            code="XA_NGHIEM_THU",
            name="Báo cáo hằng tháng cấp xã (nghiệm thu)",
            period_type="monthly",
            org_unit_kind="commune",
        )
        data_set.indicators.set(Indicator.objects.filter(code__in=REPORTED))
        communes = sorted(expected_units(data_set=data_set, periods=[period])[period], key=lambda u: u.code)
        commune = communes[0]
        other = next(u for u in communes[1:] if u.parent_id == commune.parent_id)
        city = commune.parent
        for value in DataValue.objects.filter(org_unit=commune, period=period.code, indicator__code__in=REPORTED):
            figure_delete(data_value=value)
        figure_set(indicator=internal, org_unit=other, period=period, value=Decimal(5), status=DataValueStatus.APPROVED)
        token = ""
        people = {
            "bao-cao-xa": (Role.REPORTER, commune),
            "duyet-thanh-pho": (Role.APPROVER, city),
            "lanh-dao": (Role.VIEWER, city),
        }
        for username, (role, unit) in people.items():
            user = UserFactory(username=username)
            user.set_password(PASSWORD)
            user.save()
            membership_add(user=user, role=role, org_unit=unit)
            if username == "bao-cao-xa":
                token = api_token_create(user=user).key
    entry = f"/reporting/entry/{data_set.code}/{commune.code}/{period.code}/"
    own = f"/indicators/{INTERNAL}/?org_unit={commune.code}&period={period.code}"
    others = f"/indicators/{INTERNAL}/?org_unit={other.code}&period={period.code}"
    headline = f"/indicators/ENT_NEW/?org_unit={commune.code}&period={period.code}"

    # When the commune's reporter fills in the month's report and sends it
    sign_in(page, demo_url, "bao-cao-xa", entry)
    for code, value in ENTERED.items():
        page.locator(f".entry-table tr:has-text('{code}') input[type=text]").first.fill(value)
    page.click("button[value=submit]")
    page.wait_for_selector(".message--success")
    assert page.locator("[data-report-status]").get_attribute("data-report-status") == ReportStatus.SUBMITTED
    screenshot(page, "agencies-1-reporter-submits")

    # Then the reporter reads its commune's non-public figure, awaiting approval and marked so, and
    # the other commune's is not there for it
    page.goto(f"{demo_url}{own}&basis=submitted")
    assert shown_value(page).startswith("3")
    assert page.locator("[data-unapproved]").count() >= 1
    screenshot(page, "agencies-2-reporter-reads-own")
    assert page.goto(demo_url + others).status == 404

    # And with its token the API gives it its own commune's figures only, and writes only there
    status, listed = api(demo_url, f"/api/v1/data-values/?indicator={INTERNAL}&period={period.code}", token=token)
    assert status == 200
    assert {(v["org_unit"], Decimal(str(v["value"]))) for v in listed["results"]} == {(commune.code, Decimal(3))}
    status, theirs = api(demo_url, f"/api/v1/data-values/?indicator={INTERNAL}&org_unit={other.code}", token=token)
    assert (status, theirs["results"]) == (200, [])
    refused, answer = api(
        demo_url,
        "/api/v1/data-values/",
        token=token,
        method="POST",
        body={"indicator": INTERNAL, "org_unit": other.code, "period": period.code, "value": 9},
    )
    assert refused == 403, answer
    assert other.code in answer["detail"]
    mine = next(v for v in listed["results"] if v["org_unit"] == commune.code)

    # When the city's leaders open the commune's headline figure, approved figures only
    sign_in(page, demo_url, "lanh-dao", headline)
    # Then the commune's figure awaiting approval is not counted, and they are told it awaits
    assert not shown_value(page).startswith("7")
    assert page.locator("[data-awaiting]").count() == 1
    screenshot(page, "agencies-3-leader-before-approval")
    # And asked, they see it, marked as awaiting approval
    page.goto(f"{demo_url}{headline}&basis=submitted")
    assert shown_value(page).startswith("7")
    assert page.locator("[data-unapproved]").count() >= 1

    # When the approver of the city approves the commune's report
    sign_in(page, demo_url, "duyet-thanh-pho", "/reporting/approvals/")
    row = page.locator(f"tr:has(a[href='{entry}'])")
    assert row.count() == 1
    screenshot(page, "agencies-4-approver")
    row.locator("button[value=approve]").click()
    page.wait_for_selector(".message--success")
    with django_db_blocker.unblock():
        report = DataSetReport.objects.get(data_set=data_set, org_unit=commune, period=period.code)
        assert report.status == ReportStatus.APPROVED

    # Then the leaders see it as an approved figure, unmarked
    sign_in(page, demo_url, "lanh-dao", headline)
    assert shown_value(page).startswith("7")
    assert page.locator("[data-unapproved]").count() == 0
    assert page.locator("[data-awaiting]").count() == 0
    screenshot(page, "agencies-5-leader-after-approval")
    # And the approved figure is locked: the reporter's token can no longer change it
    locked, answer = api(demo_url, f"/api/v1/data-values/{mine['id']}/", token=token, method="PATCH", body={"value": 4})
    assert locked == 409, answer

    # When anyone opens the pages without signing in
    page.context.clear_cookies()
    page.goto(demo_url + headline)
    # Then the public indicator is there with its approved figure, and the non-public one is not
    assert shown_value(page).startswith("7")
    assert page.locator(f"[data-indicator={INTERNAL}]").count() == 0
    screenshot(page, "agencies-6-public")
    assert page.goto(demo_url + own).status == 404
    status, listed = api(demo_url, f"/api/v1/data-values/?indicator={INTERNAL}")
    assert status in (401, 403) or listed["results"] == []

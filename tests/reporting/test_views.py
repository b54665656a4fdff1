"""The reporting calendar's pages: a period's reports unit by unit, and a unit's own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from dieuhanh.accounts.choices import Role
from dieuhanh.accounts.services import membership_add
from tests.factories import UserFactory
from tests.reporting.conftest import World, report, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client: Client, world: World) -> Client:
    """A viewer of the province: a leader, who sees every unit's reports."""
    reader = UserFactory(username="reader")
    membership_add(user=reader, role=Role.VIEWER, org_unit=world.province)
    client.force_login(reader)
    return client


def test_the_calendar_shows_each_units_state_and_the_due_date_in_vietnamese(world: World, signed_in: Client) -> None:
    report(world, world.commune_a, "202506", on=dt.date(2025, 7, 21))
    send(world.a, world.commune_b, "202506", on=dt.date(2025, 7, 1))

    page = signed_in.get("/reporting/?period=202506")

    html = page.content.decode()
    assert page.status_code == 200
    assert "Lịch báo cáo" in html
    assert "Báo cáo tháng cấp xã" in html
    assert "hạn nộp 18/7/2025" in html
    assert "Trễ hạn: 1" in html
    assert "Chưa nộp: 1" in html
    assert "21/7/2025" in html
    assert html.index("Phường Phú Lợi") < html.index("Phường Hiệp Thành")  # the missing first
    assert 'href="/reporting/"' in html  # the main menu


def test_the_calendar_is_in_english_when_asked(world: World, signed_in: Client) -> None:
    signed_in.cookies["django_language"] = "en"

    page = signed_in.get("/reporting/?period=202506")

    assert "Reporting calendar" in page.content.decode()
    assert "Not submitted: 2" in page.content.decode()


def test_a_period_that_cannot_be_read_is_answered_with_what_to_write(world: World, signed_in: Client) -> None:
    page = signed_in.get("/reporting/?period=2025-06")

    assert page.status_code == 400
    assert "2023Q2" in page.content.decode()


def test_anonymous_visitors_are_asked_to_sign_in(world: World, client: Client) -> None:
    assert client.get("/reporting/").status_code == 302
    assert client.get("/reporting/unit/26000/").status_code == 302


def test_a_units_page_lists_the_reports_it_owes_in_the_coming_months(
    world: World, signed_in: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dt.date(2025, 9, 10))
    report(world, world.ward, "202507", on=dt.date(2025, 8, 1))

    page = signed_in.get("/reporting/unit/26000/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "Phường Thủ Dầu Một" in html
    for due in ("18/8/2025", "18/9/2025", "18/10/2025", "18/11/2025", "18/12/2025"):
        assert due in html
    assert "Đúng hạn" in html
    assert "Chưa đến hạn" in html


def test_an_unknown_units_page_is_not_found(world: World, signed_in: Client) -> None:
    assert signed_in.get("/reporting/unit/99999/").status_code == 404

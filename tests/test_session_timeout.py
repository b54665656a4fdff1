"""Sessions end after DIEUHANH_SESSION_IDLE_MINUTES without a request (30) and in any case
DIEUHANH_SESSION_MAX_HOURS after signing in (12), not after Django's fourteen days."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from tests.factories import UserFactory


class Clock:
    """The middleware's clock, moved by the test."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset

    def advance(self, *, minutes: float = 0, hours: float = 0) -> None:
        self.offset += minutes * 60 + hours * 3600


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("dieuhanh.accounts.middleware.time", SimpleNamespace(time=clock.time))
    return clock


@pytest.fixture
def operator_client(db: None) -> Client:
    client = Client()
    client.force_login(UserFactory(username="operator", is_staff=True, is_superuser=True))
    return client


def test_a_session_left_idle_for_more_than_thirty_minutes_is_signed_out_with_a_message(
    operator_client: Client, clock: Clock
) -> None:
    # Given an operator signed in, working on the admin
    assert operator_client.get("/admin/").status_code == 200

    # When they come back 31 minutes later
    clock.advance(minutes=31)
    response = operator_client.get("/admin/", follow=True)

    # Then they must sign in again, and are told why in Vietnamese
    assert response.redirect_chain[0][0].startswith("/admin/login/")
    assert "_auth_user_id" not in operator_client.session
    assert "đăng xuất sau 30 phút không hoạt động" in response.content.decode()


def test_a_session_used_every_twenty_minutes_stays_open(operator_client: Client, clock: Clock) -> None:
    for _ in range(6):
        clock.advance(minutes=20)
        assert operator_client.get("/admin/").status_code == 200


def test_a_session_ends_twelve_hours_after_sign_in_however_busy(operator_client: Client, clock: Clock) -> None:
    # Given an operator active every ten minutes for 11 h 50
    for _ in range(71):
        clock.advance(minutes=10)
        assert operator_client.get("/admin/").status_code == 200

    # When the next request comes after the twelfth hour
    clock.advance(minutes=11)
    response = operator_client.get("/admin/")

    # Then the session is over
    assert response.status_code == 302
    assert "_auth_user_id" not in operator_client.session


def test_signing_in_again_starts_the_clocks_again(db: None, clock: Clock) -> None:
    # Given a user signed in 11 h 50 ago, active until now
    user = UserFactory(username="operator", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    for _ in range(71):
        clock.advance(minutes=10)
        client.get("/admin/")

    # When they sign in again in the same session, then work another hour
    client.force_login(user)
    clock.advance(minutes=20)
    client.get("/admin/")
    clock.advance(minutes=20)

    # Then they are still signed in
    assert client.get("/admin/").status_code == 200


def test_the_limits_are_settings(operator_client: Client, clock: Clock, settings: Any) -> None:
    settings.DIEUHANH_SESSION_IDLE_MINUTES = 5
    clock.advance(minutes=6)

    assert operator_client.get("/admin/").status_code == 302


def test_the_session_cookie_lives_twelve_hours_not_fourteen_days(settings: Any) -> None:
    assert settings.SESSION_COOKIE_AGE == 12 * 3600

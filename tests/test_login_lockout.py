"""Login lockout (django-axes): ten failed sign-ins for an account, or from an address, and sign-in
is refused for fifteen minutes, on the sign-in page and the admin's, with a Vietnamese page saying
until when."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"


def sign_in(client: Client, username: str, password: str, *, url: str = "/accounts/login/", **extra: Any) -> Any:
    return client.post(url, {"username": username, "password": password}, **extra)


@pytest.fixture
def owner(db: None) -> Any:
    return UserFactory(username="owner", is_staff=True, is_superuser=True)


def test_the_right_password_after_ten_wrong_ones_for_an_account_is_refused_in_vietnamese_with_the_time(
    client: Client, owner: Any
) -> None:
    # Given ten wrong passwords for the owner's account (the tenth is answered with the lockout)
    answers = [sign_in(client, "owner", "wrong").status_code for _ in range(10)]
    assert answers == [200] * 9 + [429]

    # When the right one is tried
    response = sign_in(client, "owner", PASSWORD)

    # Then sign-in is refused, in Vietnamese, saying when to try again (15 minutes on)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Tạm thời không cho đăng nhập" in page
    until = timezone.localtime(timezone.now() + dt.timedelta(minutes=15))
    assert until.strftime("%H:%M") in page or (until - dt.timedelta(minutes=1)).strftime("%H:%M") in page
    assert response["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session


def test_nine_wrong_passwords_still_let_the_right_one_in(client: Client, owner: Any) -> None:
    for _ in range(9):
        sign_in(client, "owner", "wrong")

    response = sign_in(client, "owner", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_a_locked_account_is_refused_from_another_address_too(client: Client, owner: Any) -> None:
    # Given ten wrong passwords for the account from one address
    for _ in range(10):
        sign_in(client, "owner", "wrong", REMOTE_ADDR="203.0.113.7")

    # When its owner signs in from another
    response = sign_in(Client(), "owner", PASSWORD, REMOTE_ADDR="198.51.100.20")

    # Then the account is still locked
    assert response.status_code == 429


def test_ten_failures_from_one_address_lock_that_address_for_every_account_but_not_others(
    client: Client, owner: Any
) -> None:
    # Given ten wrong passwords for ten different accounts from one address
    for number in range(10):
        sign_in(client, f"guess{number}", "wrong", REMOTE_ADDR="203.0.113.7")

    # When the owner signs in from that address, and from another
    from_there = sign_in(Client(), "owner", PASSWORD, REMOTE_ADDR="203.0.113.7")
    elsewhere = sign_in(Client(), "owner", PASSWORD, REMOTE_ADDR="198.51.100.20")

    # Then the address is refused, the other is not
    assert from_there.status_code == 429
    assert elsewhere.status_code == 302


def test_the_admins_sign_in_is_locked_as_well(client: Client, owner: Any) -> None:
    for _ in range(10):
        sign_in(client, "owner", "wrong", url="/admin/login/?next=/admin/")

    response = sign_in(client, "owner", PASSWORD, url="/admin/login/?next=/admin/")

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_sign_in_opens_again_fifteen_minutes_after_the_last_try(client: Client, owner: Any) -> None:
    # Given a locked account
    for _ in range(11):
        sign_in(client, "owner", "wrong")

    # When sixteen minutes have passed since (the attempts are dated sixteen minutes earlier)
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    response = sign_in(client, "owner", PASSWORD)

    # Then the right password lets the owner in
    assert response.status_code == 302


def test_the_limit_and_the_wait_are_settings(client: Client, owner: Any, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=5)
    for _ in range(3):
        sign_in(client, "owner", "wrong")

    response = sign_in(client, "owner", PASSWORD)

    assert response.status_code == 429
    assert response["Retry-After"] == "300"


def test_a_forwarded_address_is_ignored_unless_a_proxy_is_declared(client: Client, owner: Any, settings: Any) -> None:
    # Given ten failures from one address, each claiming another in X-Forwarded-For
    for number in range(10):
        sign_in(client, f"guess{number}", "wrong", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{number}")

    # Then the claims did not help: the real address is locked
    assert sign_in(Client(), "owner", PASSWORD, REMOTE_ADDR="203.0.113.7").status_code == 429


def test_behind_a_declared_proxy_the_address_it_forwards_is_the_one_locked(
    client: Client, owner: Any, settings: Any
) -> None:
    # Given one reverse proxy in front (all requests come from its address)
    settings.DIEUHANH_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    # and ten failures from one client, which also tries to forge an address of its own
    for number in range(10):
        sign_in(client, f"guess{number}", "wrong", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7", **proxy)

    # Then that client is locked, another client behind the same proxy is not
    locked = sign_in(Client(), "owner", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    other = sign_in(Client(), "owner", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.20", **proxy)
    assert locked.status_code == 429
    assert other.status_code == 302

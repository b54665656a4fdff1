"""Sessions are Django's database sessions, read by a prepared statement (``accounts.sessions``):
the same session, the same expiry, the same answer to a key that is not one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangosStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from dieuhanh.accounts.sessions import SessionStore
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_product_uses_this_store() -> None:
    assert settings.SESSION_ENGINE == "dieuhanh.accounts.sessions"


def test_a_session_reads_back_what_django_wrote() -> None:
    written = DjangosStore()
    written["colour"] = "đỏ"
    written["count"] = 3
    written.save()

    ours = SessionStore(written.session_key)

    assert ours.load() == {"colour": "đỏ", "count": 3}
    assert ours.session_key == written.session_key


def test_an_expired_session_is_no_session() -> None:
    written = SessionStore()
    written["colour"] = "đỏ"
    written.save()
    Session.objects.filter(session_key=written.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))

    ours = SessionStore(written.session_key)

    assert ours.load() == {}
    assert ours.session_key is None


def test_an_unknown_key_gets_a_new_session_when_saved() -> None:
    ours = SessionStore("x" * 32)

    assert ours.load() == {}
    ours["colour"] = "xanh"
    ours.save()

    assert ours.session_key != "x" * 32
    assert SessionStore(ours.session_key).load() == {"colour": "xanh"}


def test_a_signed_in_user_stays_signed_in_until_the_session_expires() -> None:
    client = Client()
    client.force_login(UserFactory(username="lan"))
    assert client.get("/").wsgi_request.user.username == "lan"

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    assert client.get("/").wsgi_request.user.is_authenticated is False

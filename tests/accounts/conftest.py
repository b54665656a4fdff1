"""The fake single sign-on provider (tests/accounts/sso.py) as a fixture."""

from __future__ import annotations

import pytest
import requests

from tests.accounts.sso import FakeProvider


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> FakeProvider:
    fake = FakeProvider()
    monkeypatch.setattr(requests, "get", fake.get)
    monkeypatch.setattr(requests, "post", fake.post)
    return fake

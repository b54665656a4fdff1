"""Single sign-on in a real browser: the button on the sign-in page takes Chromium to the provider
and back (top-level navigations and redirects) with nothing refused by the Content-Security-Policy,
and the user lands signed in where they were going. The provider's sign-in page is played by
Playwright (every request to the provider's address answered with the redirect back); its token,
userinfo and JWKS endpoints by tests/accounts/sso.py's fake, in the server's process."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from dieuhanh.accounts.choices import Role
from dieuhanh.accounts.services import membership_add
from tests.accounts.sso import ISSUER, FakeProvider, oidc_enabled, query_of
from tests.browser.conftest import launched, screenshot
from tests.factories import OrgUnitFactory, UserFactory

# Transactional: the live server must see the user; this module needs no demo.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def server_url(chromium: str, django_db_blocker: Any) -> Iterator[str]:
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        server = LiveServer("localhost")
        try:
            yield server.url
        finally:
            server.stop()


def test_the_sso_button_signs_a_known_user_in_through_the_provider_with_nothing_refused(
    chromium: str, server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a reporter made in dieuhanh, and a provider vouching for their address
    user = UserFactory(username="nguyenvana", email="nguyenvana@binhduong.gov.vn")
    membership_add(user=user, role=Role.REPORTER, org_unit=OrgUnitFactory(code="718", kind="district"))
    provider = FakeProvider(claims={"sub": "subject-1", "email": "nguyenvana@binhduong.gov.vn"})
    monkeypatch.setattr(requests, "get", provider.get)
    monkeypatch.setattr(requests, "post", provider.post)
    asked: list[str] = []

    def provider_sign_in_page(route: Any) -> None:
        question = query_of(route.request.url)
        asked.append(route.request.url)
        provider.nonce = question["nonce"]
        back = question["redirect_uri"] + "?" + urlencode({"code": "code-1", "state": question["state"]})
        route.fulfill(status=302, headers={"Location": back})

    with oidc_enabled(), launched(chromium) as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        page = context.new_page()
        refused: list[str] = []
        page.on("console", lambda message: refused.append(message.text) if "Refused to" in message.text else None)
        page.route(f"{ISSUER}/**", provider_sign_in_page)
        try:
            # When they open the sign-in page on the way to the reporting calendar and click the button
            page.goto(server_url + "/accounts/login/?next=/reporting/")
            screenshot(page, "sign-in-with-sso", full_page=False)
            page.click("text=Đăng nhập bằng tài khoản một cửa (SSO)")
            page.wait_for_url(server_url + "/reporting/")
            signed_in_as = page.text_content(".site-tools__user")
        finally:
            context.close()

    # Then the browser went to the provider and came back signed in, with nothing refused
    assert len(asked) == 1
    assert query_of(asked[0])["redirect_uri"] == server_url + "/oidc/callback/"
    assert signed_in_as == "nguyenvana"
    assert refused == []

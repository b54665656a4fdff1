"""The frame of every page: language, menu, sign-in, accessibility aids, no outside requests."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from dieuhanh.accounts.choices import Role
from dieuhanh.accounts.services import membership_add
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_page_language_is_vietnamese_by_default_and_switches_to_english(client: Client) -> None:
    assert '<html lang="vi">' in client.get("/").content.decode()

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/?period=2023"})
    assert response.status_code == 302
    assert response["Location"] == "/?period=2023"
    assert '<html lang="en">' in client.get("/").content.decode()


def test_a_browser_set_to_english_still_gets_vietnamese_until_the_user_chooses(client: Client) -> None:
    assert '<html lang="vi">' in client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert '<html lang="en">' in client.get("/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()


def test_the_layout_has_a_skip_link_to_the_main_content(client: Client) -> None:
    html = client.get("/").content.decode()

    assert html.index('class="skip-link" href="#main"') < html.index('id="main"')


def test_the_layout_loads_only_its_own_assets(client: Client) -> None:
    html = client.get("/").content.decode()

    assert '<script src="/static/vendor/htmx.min.js" defer></script>' in html
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_anonymous_visitors_are_offered_sign_in_but_not_data_entry_or_administration(client: Client) -> None:
    html = client.get("/").content.decode()

    assert 'href="/accounts/login/?next=/"' in html
    assert 'href="/imports/"' not in html
    assert 'href="/admin/"' not in html
    assert 'href="/api/docs/"' in html


def test_an_administrator_sees_data_entry_the_administration_and_a_sign_out_button(client: Client, owner: Any) -> None:
    client.force_login(owner)

    html = client.get("/").content.decode()

    assert 'href="/imports/"' in html
    assert 'action="/accounts/logout/"' in html
    assert 'href="/admin/"' in html  # an administrator is made staff


def test_a_reporter_sees_data_entry_but_not_the_administration(client: Client, tree: Any) -> None:
    user = UserFactory(username="reporter")
    membership_add(user=user, role=Role.REPORTER, org_unit=tree.district_a)
    client.force_login(user)

    html = client.get("/").content.decode()

    assert 'href="/imports/"' in html
    assert 'href="/admin/"' not in html


def test_staff_see_the_administration_link(client: Client, colleague: Any) -> None:
    colleague.is_staff = True
    colleague.save()
    client.force_login(colleague)

    html = client.get("/").content.decode()

    assert 'href="/admin/"' in html
    assert 'href="/imports/"' not in html  # staff, but without the permission to import


def test_signing_in_leads_back_to_the_overview(client: Client, colleague: Any) -> None:
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert 'name="password"' in page.content.decode()

    response = client.post("/accounts/login/", {"username": "colleague", "password": "correct horse battery staple"})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_wrong_password_is_reported_on_the_sign_in_page(client: Client, colleague: Any) -> None:
    response = client.post("/accounts/login/", {"username": "colleague", "password": "wrong"})

    assert response.status_code == 200
    assert 'class="alert alert--error"' in response.content.decode()

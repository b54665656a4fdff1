"""API tokens per user, expiring; ``dieuhanh user create`` and ``dieuhanh user token``."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from rest_framework.test import APIClient

from dieuhanh.accounts.choices import Role
from dieuhanh.accounts.models import ApiToken
from dieuhanh.accounts.scope import scope_of
from dieuhanh.accounts.services import api_token_create, membership_add
from tests.conftest import Tree
from tests.factories import IndicatorFactory, OrgUnitFactory, UserFactory, put

pytestmark = pytest.mark.django_db


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_is_stored_as_a_digest_and_acts_as_its_user_within_their_scope(tree: Tree) -> None:
    secret = IndicatorFactory(code="SECRET", is_public=False)
    put(secret, tree.commune_a1, "202301", 1)
    put(secret, tree.commune_b1, "202301", 2)
    user = UserFactory(username="reporter")
    membership_add(user=user, role=Role.REPORTER, org_unit=tree.district_a)
    issued = api_token_create(user=user)

    values = _client(issued.key).get("/api/v1/data-values/").json()["results"]

    assert issued.key not in {t.digest for t in ApiToken.objects.all()}
    assert [v["org_unit"] for v in values] == ["25741"]
    assert ApiToken.objects.get().last_used_at is not None


def test_an_expired_token_is_refused_with_401_saying_so(tree: Tree) -> None:
    issued = api_token_create(user=UserFactory(username="someone"), days=1)
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))

    response = _client(issued.key).get("/api/v1/data-values/")

    assert response.status_code == 401
    assert "dieuhanh user token" in response.json()["detail"]


def test_an_unknown_token_is_refused_with_401() -> None:
    assert _client("dh_nothing").get("/api/v1/indicators/").status_code == 401


def test_a_bearer_token_is_accepted_too(tree: Tree) -> None:
    issued = api_token_create(user=UserFactory(username="someone"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.key}")

    assert client.get("/api/v1/imports/").status_code == 200


def test_the_command_creates_a_reporter_of_units_named_by_todays_codes_and_prints_a_password(tree: Tree) -> None:
    out = StringIO()

    call_command("user", "create", "nguyenvana", "--role", "reporter", "--org-unit", "718,719", stdout=out)

    user = get_user_model().objects.get(username="nguyenvana")
    printed = [word for word in out.getvalue().split() if user.check_password(word)]
    assert len(printed) == 1
    assert scope_of(user).may_write_unit(tree.commune_b1)
    assert not scope_of(user).may_write_unit(tree.province)


def test_the_command_refuses_a_code_that_names_no_unit_today_listing_the_units(tree: Tree) -> None:
    OrgUnitFactory(code="25747", name="Phường Phú Cường", valid_to=dt.date(2025, 6, 30))

    with pytest.raises(CommandError, match="Phú Cường"):
        call_command("user", "create", "someone", "--role", "viewer", "--org-unit", "25747")
    assert not get_user_model().objects.filter(username="someone").exists()


def test_the_command_refuses_a_unit_role_without_units() -> None:
    with pytest.raises(CommandError, match="--org-unit"):
        call_command("user", "create", "someone", "--role", "reporter")


def test_the_token_command_prints_a_working_token_once(tree: Tree) -> None:
    UserFactory(username="bot")
    out, err = StringIO(), StringIO()

    call_command("user", "token", "bot", "--days", "30", stdout=out, stderr=err)

    key = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert _client(key).get("/api/v1/imports/").status_code == 200
    assert (token.expires_at - timezone.now()).days in {29, 30}


def test_the_token_command_refuses_an_unknown_user() -> None:
    with pytest.raises(CommandError, match="nobody"):
        call_command("user", "token", "nobody")

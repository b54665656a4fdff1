"""Single sign-on (OpenID Connect), an option: off, nothing changes; on, the sign-in page offers it,
the provider vouches for a person, and dieuhanh lets in only a user it already knows (matched by
e-mail address), with the roles dieuhanh gave them and never one the provider claims."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import NoReverseMatch, reverse

from dieuhanh.accounts.choices import Role
from dieuhanh.accounts.middleware import SessionTimeoutMiddleware
from dieuhanh.accounts.models import SingleSignOnLink
from dieuhanh.accounts.services import membership_add
from tests.accounts.sso import (
    CLIENT_ID,
    END_SESSION,
    ENDPOINTS,
    ISSUER,
    FakeProvider,
    oidc_enabled,
    query_of,
    sso_sign_in,
)
from tests.factories import OrgUnitFactory, UserFactory
from tests.test_security_settings import deploy_check, production_env

BUTTON = "Đăng nhập bằng tài khoản một cửa (SSO)"


@pytest.fixture
def sso(db: None) -> Iterator[None]:
    with oidc_enabled():
        yield


@pytest.fixture
def reporter(db: None) -> Any:
    """A reporter of district 718, made with `dieuhanh user create … --email`."""
    user = UserFactory(username="nguyenvana", email="nguyenvana@binhduong.gov.vn")
    membership_add(user=user, role=Role.REPORTER, org_unit=OrgUnitFactory(code="718", kind="district"))
    return user


def signed_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def page_after(client: Client, response: Any) -> str:
    assert response.status_code == 302, response
    return client.get(response["Location"]).content.decode()


# --- off --------------------------------------------------------------------------------------------


def test_without_configuration_the_sign_in_page_has_no_button_and_the_urls_do_not_exist(
    client: Client, db: None
) -> None:
    page = client.get("/accounts/login/").content.decode()

    assert BUTTON not in page
    assert "/oidc/" not in page
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("oidc_authentication_init")


# --- on: the way to the provider ------------------------------------------------------------------


def test_the_sign_in_page_offers_single_sign_on_beside_the_password(client: Client, sso: None) -> None:
    page = client.get("/accounts/login/?next=/reporting/").content.decode()

    assert BUTTON in page
    assert 'href="/oidc/authenticate/?next=/reporting/"' in page
    assert 'name="password"' in page


def test_the_button_is_in_english_for_those_who_chose_english(client: Client, sso: None) -> None:
    client.cookies["django_language"] = "en"

    assert "Sign in with the one-stop account (SSO)" in client.get("/accounts/login/").content.decode()


def test_the_button_sends_the_browser_to_the_provider_with_client_id_state_nonce_and_pkce(
    client: Client, sso: None, provider: FakeProvider
) -> None:
    response = client.get("/oidc/authenticate/?next=/reporting/")

    assert response.status_code == 302
    assert response["Location"].startswith(ENDPOINTS["OIDC_OP_AUTHORIZATION_ENDPOINT"] + "?")
    asked = query_of(response["Location"])
    assert asked["client_id"] == CLIENT_ID
    assert asked["response_type"] == "code"
    assert asked["redirect_uri"] == "http://testserver/oidc/callback/"
    assert set(asked["scope"].split()) >= {"openid", "email"}
    assert len(asked["state"]) >= 32
    assert len(asked["nonce"]) >= 32
    assert asked["nonce"] != asked["state"]
    assert asked["code_challenge_method"] == "S256"
    # Nothing was fetched: the endpoints were given.
    assert provider.requested == []


# --- on: coming back --------------------------------------------------------------------------------


def test_a_user_made_in_dieuhanh_signs_in_matched_by_email_and_lands_where_they_were_going(
    client: Client, sso: None, provider: FakeProvider, reporter: Any
) -> None:
    provider.claims = {"sub": "subject-1", "email": "NguyenVanA@BinhDuong.gov.vn", "email_verified": True}

    response = sso_sign_in(client, provider, next_url="/reporting/")

    assert response.status_code == 302
    assert response["Location"] == "/reporting/"
    assert signed_in_as(client) == str(reporter.pk)
    # The code went back with the client's secret and the PKCE verifier.
    (sent,) = provider.token_requests
    assert sent["code"] == "code-1"
    assert sent["client_id"] == CLIENT_ID
    assert sent["client_secret"] == "client-secret"
    assert len(sent["code_verifier"]) >= 43
    # The session's clocks started: the idle timeout holds for this sign-in too.
    assert isinstance(client.session[SessionTimeoutMiddleware.STARTED], int)


def test_an_unknown_person_is_refused_in_vietnamese_and_no_account_is_made(
    client: Client, sso: None, provider: FakeProvider, reporter: Any
) -> None:
    users = get_user_model().objects.count()
    provider.claims = {"sub": "subject-2", "email": "nguoila@example.com", "email_verified": True}

    response = sso_sign_in(client, provider)

    assert response["Location"] == "/accounts/login/"
    page = page_after(client, response)
    assert "Chưa có tài khoản dieuhanh nào mang địa chỉ thư điện tử nguoila@example.com" in page
    assert "quản trị viên" in page
    assert signed_in_as(client) is None
    assert get_user_model().objects.count() == users


def test_the_provider_never_gives_a_role_a_group_or_the_admin(
    client: Client, sso: None, provider: FakeProvider, reporter: Any
) -> None:
    # Given a provider that claims the reporter is an administrator, staff and in every group
    provider.claims = {
        "sub": "subject-1",
        "email": reporter.email,
        "roles": ["administrator"],
        "groups": ["dieuhanh: administrator", "admin"],
        "is_staff": True,
        "is_superuser": True,
        "realm_access": {"roles": ["administrator"]},
    }

    sso_sign_in(client, provider)

    # Then they are signed in as what dieuhanh made them: a reporter of 718, nothing more
    reporter.refresh_from_db()
    assert signed_in_as(client) == str(reporter.pk)
    assert list(reporter.memberships.values_list("role", "org_unit__code")) == [(Role.REPORTER, "718")]
    assert list(reporter.groups.values_list("name", flat=True)) == ["dieuhanh: reporter"]
    assert not reporter.is_staff
    assert not reporter.is_superuser
    assert client.get("/admin/").status_code == 302


def test_with_create_users_an_unknown_person_gets_an_account_holding_no_role(
    client: Client, provider: FakeProvider, db: None
) -> None:
    provider.claims = {
        "sub": "subject-3",
        "email": "tranthib@binhduong.gov.vn",
        "given_name": "Thị B",
        "family_name": "Trần",
        "roles": ["administrator"],
    }

    with oidc_enabled(DIEUHANH_OIDC_CREATE_USERS=True):
        sso_sign_in(client, provider)

    user = get_user_model().objects.get(email="tranthib@binhduong.gov.vn")
    assert signed_in_as(client) == str(user.pk)
    assert user.username == "tranthib@binhduong.gov.vn"
    assert (user.first_name, user.last_name) == ("Thị B", "Trần")
    assert not user.memberships.exists()
    assert not user.groups.exists()
    assert not user.is_staff
    assert not user.has_usable_password()


def test_with_matching_by_user_name_the_preferred_username_finds_the_user(
    client: Client, provider: FakeProvider, reporter: Any
) -> None:
    provider.claims = {"sub": "subject-1", "preferred_username": "nguyenvana", "email": "other@example.com"}

    with oidc_enabled(DIEUHANH_OIDC_MATCH="username"):
        sso_sign_in(client, provider)

        assert signed_in_as(client) == str(reporter.pk)


def test_the_first_sign_in_links_the_account_and_a_changed_address_still_signs_in(
    client: Client, sso: None, provider: FakeProvider, reporter: Any
) -> None:
    provider.claims = {"sub": "subject-1", "email": reporter.email, "email_verified": True}
    sso_sign_in(client, provider)
    link = SingleSignOnLink.objects.get(user=reporter)
    assert (link.issuer, link.subject) == (ISSUER, "subject-1")
    client.logout()

    # The person's address changes at the provider: the same identity still signs in as them.
    provider.claims = {"sub": "subject-1", "email": "a.nguyen@hcmc.gov.vn", "email_verified": True}
    sso_sign_in(client, provider)

    assert signed_in_as(client) == str(reporter.pk)
    assert SingleSignOnLink.objects.count() == 1


def test_another_identity_given_a_linked_accounts_address_cannot_take_the_account_over(
    client: Client, sso: None, provider: FakeProvider, reporter: Any
) -> None:
    provider.claims = {"sub": "subject-1", "email": reporter.email, "email_verified": True}
    sso_sign_in(client, provider)
    client.logout()

    # Someone else at the provider is given (or chooses) the reporter's address.
    provider.claims = {"sub": "subject-9", "email": reporter.email, "email_verified": True}
    response = sso_sign_in(client, provider)

    assert response["Location"] == "/accounts/login/"
    page = page_after(client, response)
    assert "Tài khoản nguyenvana đã được liên kết với một danh tính đăng nhập một cửa khác" in page
    assert signed_in_as(client) is None
    assert list(SingleSignOnLink.objects.values_list("subject", flat=True)) == ["subject-1"]


def test_once_the_administrator_deletes_the_link_the_next_sign_in_links_the_account_again(
    client: Client, sso: None, provider: FakeProvider, reporter: Any
) -> None:
    provider.claims = {"sub": "subject-1", "email": reporter.email, "email_verified": True}
    sso_sign_in(client, provider)
    client.logout()
    SingleSignOnLink.objects.filter(user=reporter).delete()  # the person's account at the provider made anew

    provider.claims = {"sub": "subject-9", "email": reporter.email, "email_verified": True}
    sso_sign_in(client, provider)

    assert signed_in_as(client) == str(reporter.pk)
    assert SingleSignOnLink.objects.get(user=reporter).subject == "subject-9"


def test_a_linked_account_deactivated_is_refused(
    client: Client, sso: None, provider: FakeProvider, reporter: Any
) -> None:
    provider.claims = {"sub": "subject-1", "email": reporter.email, "email_verified": True}
    sso_sign_in(client, provider)
    client.logout()
    reporter.is_active = False
    reporter.save()

    response = sso_sign_in(client, provider)

    assert "Tài khoản nguyenvana đã bị vô hiệu hóa" in page_after(client, response)
    assert signed_in_as(client) is None


def test_an_account_made_by_single_sign_on_is_linked_to_the_identity_that_made_it(
    client: Client, provider: FakeProvider, db: None
) -> None:
    provider.claims = {"sub": "subject-3", "email": "tranthib@binhduong.gov.vn"}

    with oidc_enabled(DIEUHANH_OIDC_CREATE_USERS=True):
        sso_sign_in(client, provider)

    link = SingleSignOnLink.objects.get()
    assert (link.user.username, link.subject) == ("tranthib@binhduong.gov.vn", "subject-3")


def test_the_administrator_sees_the_link_on_the_users_page_and_may_delete_it(
    client: Client, sso: None, provider: FakeProvider, reporter: Any, owner: Any
) -> None:
    provider.claims = {"sub": "subject-1", "email": reporter.email, "email_verified": True}
    sso_sign_in(client, provider)
    link = SingleSignOnLink.objects.get(user=reporter)
    client.logout()
    client.force_login(owner)
    url = reverse("admin:auth_user_change", args=[reporter.pk])

    page = client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Liên kết đăng nhập một cửa" in page
    assert "subject-1" in page

    # The user's form posted back with the link's deletion box ticked (the inline's prefix: sso_link).
    form = {
        "username": reporter.username,
        "email": reporter.email,
        "is_active": "on",
        "date_joined_0": "01/01/2025",
        "date_joined_1": "08:00:00",
    }
    for prefix, count in (("memberships", reporter.memberships.count()), ("api_tokens", 0)):
        form |= {f"{prefix}-TOTAL_FORMS": str(count), f"{prefix}-INITIAL_FORMS": str(count)}
    for i, membership in enumerate(reporter.memberships.all()):
        form |= {
            f"memberships-{i}-id": str(membership.pk),
            f"memberships-{i}-user": str(reporter.pk),
            f"memberships-{i}-role": membership.role,
            f"memberships-{i}-org_unit": str(membership.org_unit_id),
        }
    form |= {
        "sso_link-TOTAL_FORMS": "1",
        "sso_link-INITIAL_FORMS": "1",
        "sso_link-0-id": str(link.pk),
        "sso_link-0-user": str(reporter.pk),
        "sso_link-0-DELETE": "on",
    }
    response = client.post(url, form)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert not SingleSignOnLink.objects.filter(user=reporter).exists()


@pytest.mark.parametrize(
    ("claims", "id_token", "message"),
    [
        # An address the provider says it has not verified: anyone could have typed it.
        (
            {"sub": "subject-1", "email": "nguyenvana@binhduong.gov.vn", "email_verified": False},
            {},
            "chưa xác minh địa chỉ thư điện tử",
        ),
        # No address at all.
        ({"sub": "subject-1"}, {}, "không cung cấp “email”"),
        # Userinfo about another person than the ID token (OpenID Connect Core 5.3.2).
        ({"sub": "someone-else", "email": "nguyenvana@binhduong.gov.vn"}, {"sub": "subject-1"}, "chưa thành công"),
        # An ID token meant for another client of the provider.
        ({"sub": "subject-1", "email": "nguyenvana@binhduong.gov.vn"}, {"aud": "other-app"}, "chưa thành công"),
        # An ID token from another issuer.
        (
            {"sub": "subject-1", "email": "nguyenvana@binhduong.gov.vn"},
            {"iss": "https://evil.example"},
            "chưa thành công",
        ),
        # An expired ID token.
        ({"sub": "subject-1", "email": "nguyenvana@binhduong.gov.vn"}, {"exp": 1_000_000}, "chưa thành công"),
    ],
    ids=["unverified-email", "no-email", "other-subject", "other-audience", "other-issuer", "expired"],
)
@pytest.mark.usefixtures("sso", "reporter")
def test_a_doubtful_answer_of_the_provider_signs_nobody_in_and_says_so(
    client: Client, provider: FakeProvider, claims: dict[str, Any], id_token: dict[str, Any], message: str
) -> None:
    provider.claims = claims
    provider.id_token_claims = id_token

    response = sso_sign_in(client, provider)

    assert response["Location"] == "/accounts/login/"
    assert message in page_after(client, response)
    assert signed_in_as(client) is None


def test_a_replayed_callback_is_refused_without_a_server_error(
    client: Client, sso: None, provider: FakeProvider, reporter: Any
) -> None:
    provider.claims = {"sub": "subject-1", "email": reporter.email}
    start = client.get("/oidc/authenticate/")
    state = query_of(start["Location"])["state"]
    provider.nonce = query_of(start["Location"])["nonce"]
    client.get("/oidc/callback/", {"code": "code-1", "state": state})
    client.post("/accounts/logout/")

    # The same state again (each is good once), and one never issued
    again = client.get("/oidc/callback/", {"code": "code-1", "state": state})
    forged = client.get("/oidc/callback/", {"code": "code-1", "state": "made-up"})

    for response in (again, forged):
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/"
    assert signed_in_as(client) is None


def test_a_provider_that_cannot_be_reached_sends_back_to_the_password_with_a_message(
    client: Client, sso: None, provider: FakeProvider, reporter: Any
) -> None:
    start = client.get("/oidc/authenticate/")
    provider.down = True

    response = client.get("/oidc/callback/", {"code": "code-1", "state": query_of(start["Location"])["state"]})

    assert response["Location"] == "/accounts/login/"
    assert "Không kết nối được với hệ thống đăng nhập một cửa" in page_after(client, response)


def test_the_provider_cancelling_sends_back_to_sign_in(client: Client, sso: None, provider: FakeProvider) -> None:
    start = client.get("/oidc/authenticate/")
    state = query_of(start["Location"])["state"]

    response = client.get("/oidc/callback/", {"error": "access_denied", "state": state})

    assert response["Location"] == "/accounts/login/"
    assert "chưa thành công" in page_after(client, response)


# --- on: the endpoints from the issuer's discovery document ------------------------------------------

NO_ENDPOINTS = dict.fromkeys(ENDPOINTS, "")


def test_with_only_the_issuer_the_endpoints_come_from_its_discovery_document_once(
    client: Client, provider: FakeProvider, reporter: Any
) -> None:
    provider.claims = {"sub": "subject-1", "email": reporter.email}

    with oidc_enabled(**NO_ENDPOINTS):
        response = sso_sign_in(client, provider)

    assert signed_in_as(client) == str(reporter.pk)
    assert response.status_code == 302
    assert provider.requested.count(f"{ISSUER}/.well-known/openid-configuration") == 1
    assert ENDPOINTS["OIDC_OP_TOKEN_ENDPOINT"] in provider.requested


def test_a_discovery_document_naming_another_issuer_is_not_trusted(
    client: Client, provider: FakeProvider, db: None
) -> None:
    provider.discovery = {"issuer": "https://evil.example", "authorization_endpoint": "https://evil.example/auth"}

    with oidc_enabled(**NO_ENDPOINTS):
        response = client.get("/oidc/authenticate/")

        assert response["Location"] == "/accounts/login/"
        assert "Không kết nối được" in page_after(client, response)


def test_password_sign_in_works_while_the_provider_is_down(
    client: Client, provider: FakeProvider, reporter: Any
) -> None:
    provider.down = True

    with oidc_enabled(**NO_ENDPOINTS):
        response = client.post(
            "/accounts/login/", {"username": "nguyenvana", "password": "correct horse battery staple"}
        )
        assert client.get("/").status_code == 200

    assert response.status_code == 302
    assert signed_in_as(client) == str(reporter.pk)
    assert provider.requested == []


# --- on: the lockout and the session's clocks still hold --------------------------------------------


def test_an_address_locked_out_for_wrong_passwords_cannot_sign_in_through_the_provider_either(
    client: Client, sso: None, provider: FakeProvider, reporter: Any
) -> None:
    for _ in range(10):
        client.post("/accounts/login/", {"username": "someone", "password": "wrong"})
    provider.claims = {"sub": "subject-1", "email": reporter.email}

    response = sso_sign_in(client, provider)

    assert response.status_code == 429
    assert "Tạm thời không cho đăng nhập" in response.content.decode()
    assert signed_in_as(client) is None


def test_refusals_of_single_sign_on_from_many_addresses_lock_out_nobody_else(
    sso: None, provider: FakeProvider, reporter: Any
) -> None:
    # Given ten people unknown to dieuhanh, each refused once, each from their own address
    provider.claims = {"sub": "subject-9", "email": "nguoila@example.com"}
    for n in range(10):
        sso_sign_in(Client(), provider, REMOTE_ADDR=f"10.0.0.{n + 1}")

    # When the reporter signs in through the provider from yet another address
    provider.claims = {"sub": "subject-1", "email": reporter.email}
    client = Client()
    response = sso_sign_in(client, provider, REMOTE_ADDR="10.0.1.1")

    # Then they are let in: refusals that name no account are counted by address only
    assert response.status_code == 302
    assert signed_in_as(client) == str(reporter.pk)


def test_ten_refusals_of_single_sign_on_from_one_address_lock_that_address(
    client: Client, sso: None, provider: FakeProvider, reporter: Any
) -> None:
    provider.claims = {"sub": "subject-9", "email": "nguoila@example.com"}
    for _ in range(10):
        sso_sign_in(client, provider)

    provider.claims = {"sub": "subject-1", "email": reporter.email}
    response = sso_sign_in(client, provider)

    assert response.status_code == 429
    assert signed_in_as(client) is None


def test_a_user_signed_in_through_the_provider_is_signed_out_when_idle(
    client: Client, sso: None, provider: FakeProvider, reporter: Any
) -> None:
    provider.claims = {"sub": "subject-1", "email": reporter.email}
    sso_sign_in(client, provider)
    session = client.session
    session[SessionTimeoutMiddleware.SEEN] = int(time.time()) - 31 * 60
    session.save()

    page = client.get("/", follow=True).content.decode()

    assert signed_in_as(client) is None
    assert "đăng xuất sau 30 phút không hoạt động" in page


def test_a_user_deactivated_after_signing_in_through_the_provider_is_signed_out(
    client: Client, sso: None, provider: FakeProvider, reporter: Any
) -> None:
    provider.claims = {"sub": "subject-1", "email": reporter.email}
    sso_sign_in(client, provider)
    reporter.is_active = False
    reporter.save()

    response = client.get("/reporting/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- settings -----------------------------------------------------------------------------------------


def test_check_deploy_stays_clean_with_single_sign_on_configured(tmp_path: Path) -> None:
    env = production_env(
        tmp_path,
        DIEUHANH_OIDC_CLIENT_ID="dieuhanh",
        DIEUHANH_OIDC_CLIENT_SECRET="a-long-client-secret-from-the-provider",
        DIEUHANH_OIDC_ISSUER=ISSUER,
    )

    done = deploy_check(env)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stdout + done.stderr


def test_a_client_id_without_an_issuer_or_endpoints_is_refused_at_start(tmp_path: Path) -> None:
    env = production_env(tmp_path, DIEUHANH_OIDC_CLIENT_ID="dieuhanh", DIEUHANH_OIDC_CLIENT_SECRET="s")

    done = deploy_check(env)

    assert done.returncode != 0
    assert "DIEUHANH_OIDC_ISSUER or DIEUHANH_OIDC_AUTHORIZATION_ENDPOINT" in done.stderr


# --- signing out ------------------------------------------------------------------------------------


def discovery_with_end_session() -> dict[str, Any]:
    return {
        "issuer": ISSUER,
        "authorization_endpoint": ENDPOINTS["OIDC_OP_AUTHORIZATION_ENDPOINT"],
        "token_endpoint": ENDPOINTS["OIDC_OP_TOKEN_ENDPOINT"],
        "userinfo_endpoint": ENDPOINTS["OIDC_OP_USER_ENDPOINT"],
        "jwks_uri": ENDPOINTS["OIDC_OP_JWKS_ENDPOINT"],
        "end_session_endpoint": END_SESSION,
    }


def test_signing_out_after_single_sign_on_signs_out_of_the_provider_too(
    client: Client, sso: None, provider: FakeProvider, reporter: Any
) -> None:
    provider.claims = {"sub": "subject-1", "email": reporter.email}
    provider.discovery = discovery_with_end_session()
    sso_sign_in(client, provider)
    id_token = client.session["oidc_id_token"]

    response = client.post("/accounts/logout/")

    assert signed_in_as(client) is None
    assert response.status_code == 302
    assert response["Location"].startswith(END_SESSION + "?")
    asked = query_of(response["Location"])
    assert asked == {
        "id_token_hint": id_token,
        "post_logout_redirect_uri": "http://testserver/",
        "client_id": CLIENT_ID,
    }


def test_the_admin_sign_out_signs_out_of_the_provider_too(
    client: Client, sso: None, provider: FakeProvider, reporter: Any
) -> None:
    provider.claims = {"sub": "subject-1", "email": reporter.email}
    provider.discovery = discovery_with_end_session()
    sso_sign_in(client, provider)

    response = client.post("/admin/logout/")

    assert signed_in_as(client) is None
    assert response["Location"].startswith(END_SESSION + "?")


def test_a_configured_end_session_endpoint_is_used_without_asking_the_discovery_document(
    client: Client, provider: FakeProvider, reporter: Any, db: None
) -> None:
    endpoint = "https://dangxuat.example.gov.vn/logout?realm=tinh"
    with oidc_enabled(DIEUHANH_OIDC_END_SESSION_ENDPOINT=endpoint):
        provider.claims = {"sub": "subject-1", "email": reporter.email}
        sso_sign_in(client, provider)
        provider.requested.clear()

        response = client.post("/accounts/logout/")

        assert response["Location"].startswith(endpoint + "&id_token_hint=")
        assert provider.requested == []
        # The form's redirect to that origin is allowed by the Content-Security-Policy.
        policy = client.get("/accounts/login/")["Content-Security-Policy"]
        assert "form-action 'self' https://dangxuat.example.gov.vn https://sso.example.gov.vn;" in policy


@pytest.mark.parametrize("why", ["no end-session endpoint", "provider down", "single logout off"])
def test_without_the_provider_s_sign_out_the_sign_out_of_dieuhanh_still_stands(
    client: Client, provider: FakeProvider, reporter: Any, db: None, why: str
) -> None:
    with oidc_enabled(DIEUHANH_OIDC_SINGLE_LOGOUT=why != "single logout off"):
        provider.claims = {"sub": "subject-1", "email": reporter.email}
        provider.discovery = None if why == "no end-session endpoint" else discovery_with_end_session()
        sso_sign_in(client, provider)
        provider.down = why == "provider down"

        response = client.post("/accounts/logout/")

        assert response.status_code == 302
        assert response["Location"] == "/"
        assert signed_in_as(client) is None


def test_a_password_sign_in_signs_out_of_dieuhanh_only(
    client: Client, sso: None, provider: FakeProvider, reporter: Any
) -> None:
    provider.discovery = discovery_with_end_session()
    client.force_login(reporter)

    response = client.post("/accounts/logout/")

    assert response["Location"] == "/"
    assert provider.requested == []


def test_without_single_sign_on_the_form_action_is_the_site_only(client: Client, db: None) -> None:
    policy = client.get("/accounts/login/")["Content-Security-Policy"]

    assert "form-action 'self';" in policy


def test_the_admin_sign_in_page_offers_single_sign_on_when_configured(client: Client, db: None) -> None:
    assert BUTTON not in client.get("/admin/login/?next=/admin/").content.decode()
    with oidc_enabled():
        page = client.get("/admin/login/?next=/admin/").content.decode()

    assert BUTTON in page
    assert 'href="/oidc/authenticate/?next=/admin/"' in page

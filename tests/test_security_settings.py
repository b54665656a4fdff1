"""Deployment settings that hold: `check --deploy` clean with the documented production settings,
the Content-Security-Policy header, secrets masked on the error page, API request limits, and
gunicorn's recycling of workers."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.test import Client
from django.urls import path
from rest_framework.test import APIClient

from dieuhanh.accounts.throttling import AnonymousRateThrottle, UserRateThrottle
from tests.factories import UserFactory

# --- views of this module's own URL conf (pytest.mark.urls) --------------------------------------


def boom(request: HttpRequest) -> HttpResponse:
    # Local variables as a failed connection leaves them; the page also quotes these source lines,
    # so the secrets are put together at run time.
    dsn = "postgres://ioc:" + "dsn-pw-" + "1@db.internal:5432/ioc"  # noqa: F841 - shown on the error page
    conn_params = {"user": "ioc", "password": "frame-pw-" + "2", "host": "db.internal"}  # noqa: F841
    raise RuntimeError("boom")


def styled(request: HttpRequest) -> HttpResponse:
    template = engines["django"].from_string('<style nonce="{{ request.csp_nonce }}">p { color: red; }</style>')
    return HttpResponse(template.render({}, request))


urlpatterns = [path("boom/", boom), path("styled/", styled)]


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment docs/deployment.md documents for production."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DIEUHANH_", "DATABASE_URL"))}
    env.update(
        DIEUHANH_HOME=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DIEUHANH_SECRET_KEY=secrets.token_urlsafe(64),
        DIEUHANH_REQUIRE_SECRET_KEY="true",
        DIEUHANH_ALLOWED_HOSTS="ioc.example.gov.vn",
        DIEUHANH_CSRF_TRUSTED_ORIGINS="https://ioc.example.gov.vn",
        DIEUHANH_HTTPS="true",
        DIEUHANH_PROXY_COUNT="1",
        DJANGO_SETTINGS_MODULE="dieuhanh.settings",
    )
    env.update(extra)
    return env


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dieuhanh.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


# --- check --deploy ---------------------------------------------------------------------------------


@pytest.mark.own_sqlite
def test_check_deploy_prints_no_warning_with_the_documented_production_settings(tmp_path: Path) -> None:
    done = deploy_check(production_env(tmp_path))

    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
    assert "WARNING" not in done.stdout + done.stderr


@pytest.mark.own_sqlite
def test_without_https_check_deploy_names_the_four_missing_protections(tmp_path: Path) -> None:
    done = deploy_check(production_env(tmp_path, DIEUHANH_HTTPS="false"))

    assert done.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in done.stderr + done.stdout


@pytest.mark.own_sqlite
def test_https_turns_on_secure_cookies_hsts_the_redirect_and_the_proxys_scheme(tmp_path: Path) -> None:
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SECURE_PROXY_SSL_HEADER)"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", script],
        env=production_env(tmp_path, DIEUHANH_HSTS_PRELOAD="false"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "True",
        "True",
        "True",
        "31536000",
        "True",
        "False",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ]


# --- Content-Security-Policy ------------------------------------------------------------------------


def directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_page_gets_a_policy_allowing_scripts_and_styles_from_the_site_only(client: Client, db: None) -> None:
    response = client.get("/accounts/login/")

    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


def test_api_answers_and_errors_get_the_policy_too(client: Client, db: None) -> None:
    assert "default-src 'self'" in client.get("/api/v1/").headers["Content-Security-Policy"]
    assert "default-src 'self'" in client.get("/no-such-page/").headers["Content-Security-Policy"]


@pytest.mark.urls("tests.test_security_settings")
def test_an_inline_style_with_the_requests_nonce_is_allowed_by_that_responses_policy_only(client: Client) -> None:
    first = client.get("/styled/")
    second = client.get("/styled/")

    nonce = first.content.decode().split('nonce="')[1].split('"')[0]
    assert f"'nonce-{nonce}'" in directives(first["Content-Security-Policy"])["style-src"]
    assert nonce not in second["Content-Security-Policy"]
    assert len(nonce) >= 20


def test_the_api_documentation_pages_get_their_wider_policy_and_no_inline_script(client: Client, db: None) -> None:
    for url in ("/api/docs/", "/api/redoc/"):
        response = client.get(url)
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"]
        assert "'unsafe-inline'" in policy["style-src"]
        page = response.content.decode()
        assert "<script>" not in page
        assert "fonts.googleapis.com" not in page


# --- secrets on the error page ------------------------------------------------------------------------


@pytest.mark.urls("tests.test_security_settings")
def test_the_debug_error_page_shows_no_password_of_a_url_the_secret_key_or_the_mail_password(settings: Any) -> None:
    # Given DEBUG on, a database URL with its password, a mail password, and the server's environment
    settings.DEBUG = True
    settings.DATABASE_URL = "postgres://ioc:db-pw-0@db.internal:5432/ioc"
    settings.CACHE_LOCATION = "redis://:cache-pw-3@cache.internal:6379/0"
    settings.EMAIL_HOST_PASSWORD = "mail-pw-4"
    settings.SECRET_KEY = "secret-key-5-" + "x" * 50
    client = Client(raise_request_exception=False, DATABASE_URL="postgres://ioc:env-pw-6@db.internal/ioc")

    # When a view fails
    response = client.get("/boom/")

    # Then Django's technical page is shown, without any of the secrets
    page = response.content.decode()
    assert response.status_code == 500
    assert "RuntimeError" in page
    for secret in ("db-pw-0", "dsn-pw-1", "frame-pw-2", "cache-pw-3", "mail-pw-4", "secret-key-5", "env-pw-6"):
        assert secret not in page, secret
    # and what is not secret is still there to debug with
    assert "db.internal" in page
    assert "cache.internal" in page


# --- request limits ---------------------------------------------------------------------------------


@pytest.fixture
def tight_rates(monkeypatch: pytest.MonkeyPatch) -> None:
    rates = {"anon": "3/minute", "user": "5/minute"}
    monkeypatch.setattr(AnonymousRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", rates)


def test_an_address_over_the_anonymous_rate_gets_429_in_vietnamese_and_others_do_not(
    db: None, tight_rates: None
) -> None:
    # Given an anonymous client that asked three times this minute
    client = APIClient(REMOTE_ADDR="203.0.113.7")
    assert [client.get("/api/v1/indicators/").status_code for _ in range(3)] == [200, 200, 200]

    # When it asks a fourth time
    response = client.get("/api/v1/indicators/")

    # Then it is told, in Vietnamese, to wait, and for how long
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Quá nhiều yêu cầu. Hãy thử lại sau ")
    assert 1 <= int(response["Retry-After"]) <= 60
    # while another address is still served
    assert APIClient(REMOTE_ADDR="198.51.100.20").get("/api/v1/indicators/").status_code == 200


def test_a_signed_in_user_is_counted_per_user_whatever_the_address(db: None, tight_rates: None) -> None:
    # Given a user with a token, who asked five times from five addresses
    user, other = UserFactory(username="reader"), UserFactory(username="other")
    from dieuhanh.accounts.services import api_token_create

    token = api_token_create(user=user)
    answers = [
        APIClient(REMOTE_ADDR=f"203.0.113.{n}", HTTP_AUTHORIZATION=f"Token {token.key}")
        .get("/api/v1/indicators/")
        .status_code
        for n in range(5)
    ]
    assert answers == [200] * 5

    # When they ask a sixth time from yet another address
    response = APIClient(REMOTE_ADDR="198.51.100.1", HTTP_AUTHORIZATION=f"Token {token.key}").get("/api/v1/indicators/")

    # Then they are refused; another user is not
    assert response.status_code == 429
    assert "Quá nhiều yêu cầu" in response.json()["detail"]
    colleague = APIClient(REMOTE_ADDR="198.51.100.1")
    colleague.force_authenticate(other)
    assert colleague.get("/api/v1/indicators/").status_code == 200


def test_off_lifts_a_limit(monkeypatch: pytest.MonkeyPatch, db: None) -> None:
    rates = {"anon": None, "user": None}
    monkeypatch.setattr(AnonymousRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", rates)
    client = APIClient()

    assert {client.get("/api/v1/").status_code for _ in range(20)} == {200}


# --- gunicorn -----------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.own_sqlite
def test_gunicorn_with_the_packaged_settings_recycles_a_worker_after_its_requests(tmp_path: Path) -> None:
    # Given gunicorn started as docs/deployment.md says, one worker recycled after 3 requests
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    env = production_env(
        tmp_path,
        DIEUHANH_HTTPS="false",
        DIEUHANH_ALLOWED_HOSTS="127.0.0.1",
        DIEUHANH_BIND=f"127.0.0.1:{port}",
        DIEUHANH_WORKERS="1",
        DIEUHANH_MAX_REQUESTS="3",
        DIEUHANH_MAX_REQUESTS_JITTER="0",
        DIEUHANH_ERROR_LOG=str(log),
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:dieuhanh.gunicorn_conf", "dieuhanh.wsgi"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        answers = []
        deadline = time.monotonic() + 60
        while len(answers) < 5 and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/", timeout=20) as response:
                    answers.append(response.status)
            except OSError:
                time.sleep(0.3)

        # Then every request is answered, and the worker was replaced after its third
        assert answers == [200] * 5
        deadline = time.monotonic() + 20
        while "Autorestarting worker" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "Autorestarting worker after current request" in log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=30)

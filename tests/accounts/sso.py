"""Single sign-on turned on for a test, and a fake OpenID Connect provider answering in place of the
network (``requests.get`` and ``requests.post`` replaced): its token endpoint signs ID tokens with
an RSA key whose public half its JWKS endpoint publishes, as a real provider does."""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.test import override_settings
from django.urls import clear_url_caches

ISSUER = "https://sso.example.gov.vn/realms/tinh"
CLIENT_ID = "dieuhanh"
END_SESSION = f"{ISSUER}/protocol/openid-connect/logout"
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{ISSUER}/protocol/openid-connect/auth",
    "OIDC_OP_TOKEN_ENDPOINT": f"{ISSUER}/protocol/openid-connect/token",
    "OIDC_OP_USER_ENDPOINT": f"{ISSUER}/protocol/openid-connect/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": f"{ISSUER}/protocol/openid-connect/certs",
}


def oidc_settings(**overrides: Any) -> dict[str, Any]:
    """What settings.py makes of DIEUHANH_OIDC_CLIENT_ID, _CLIENT_SECRET, _ISSUER and the endpoints."""
    values: dict[str, Any] = {
        "DIEUHANH_OIDC": True,
        "DIEUHANH_OIDC_CLIENT_ID": CLIENT_ID,
        "DIEUHANH_OIDC_ISSUER": ISSUER,
        "OIDC_RP_CLIENT_ID": CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": "client-secret",
        "OIDC_STORE_ID_TOKEN": True,
        **ENDPOINTS,
        "AUTHENTICATION_BACKENDS": [*settings.AUTHENTICATION_BACKENDS, "dieuhanh.accounts.oidc.OidcBackend"],
    }
    values.update(overrides)
    return values


def _reload_urls() -> None:
    # The URL conf mounts /oidc/ only when single sign-on is on: it is read again under the settings.
    import dieuhanh.urls

    importlib.reload(dieuhanh.urls)
    clear_url_caches()


@contextmanager
def oidc_enabled(**overrides: Any) -> Iterator[None]:
    try:
        with override_settings(**oidc_settings(**overrides)):
            _reload_urls()
            yield
    finally:
        _reload_urls()


def _response(status: int, body: Any, content_type: str = "application/json") -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode() if not isinstance(body, bytes) else body
    response.headers["content-type"] = content_type
    response.url = "https://sso.example.gov.vn/"
    return response


_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class FakeProvider:
    """Answers the discovery, token, JWKS and userinfo endpoints; the test sets what it says."""

    claims: dict[str, Any] = field(default_factory=dict)
    id_token_claims: dict[str, Any] = field(default_factory=dict)
    down: bool = False
    discovery: dict[str, Any] | None = None
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)
    nonce: str = ""

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        self.requested.append(url)
        if self.down:
            raise requests.ConnectionError("provider down")
        if url == f"{ISSUER}/.well-known/openid-configuration":
            document = self.discovery or {
                "issuer": ISSUER,
                "authorization_endpoint": ENDPOINTS["OIDC_OP_AUTHORIZATION_ENDPOINT"],
                "token_endpoint": ENDPOINTS["OIDC_OP_TOKEN_ENDPOINT"],
                "userinfo_endpoint": ENDPOINTS["OIDC_OP_USER_ENDPOINT"],
                "jwks_uri": ENDPOINTS["OIDC_OP_JWKS_ENDPOINT"],
            }
            return _response(200, document)
        if url == ENDPOINTS["OIDC_OP_JWKS_ENDPOINT"]:
            jwk = jwt.algorithms.RSAAlgorithm.to_jwk(_KEY.public_key(), as_dict=True)
            return _response(200, {"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]})
        if url == ENDPOINTS["OIDC_OP_USER_ENDPOINT"]:
            assert kwargs["headers"]["Authorization"] == "Bearer access-token"
            return _response(200, self.claims)
        return _response(404, {"error": "not_found"})

    def post(self, url: str, data: dict[str, Any], **kwargs: Any) -> requests.Response:
        self.requested.append(url)
        if self.down:
            raise requests.ConnectionError("provider down")
        assert url == ENDPOINTS["OIDC_OP_TOKEN_ENDPOINT"]
        self.token_requests.append(data)
        now = int(time.time())
        id_token = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": self.claims.get("sub", "subject-1"),
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonce,
            **self.id_token_claims,
        }
        token = jwt.encode(id_token, _KEY, algorithm="RS256", headers={"kid": "k1"})
        return _response(200, {"access_token": "access-token", "id_token": token, "token_type": "Bearer"})


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def sso_sign_in(client: Any, provider: FakeProvider, *, next_url: str = "", **extra: Any) -> Any:
    """Click the button, let the provider vouch for ``provider.claims``, come back to the callback."""
    start = client.get("/oidc/authenticate/" + (f"?next={next_url}" if next_url else ""), **extra)
    assert start.status_code == 302, start
    asked = query_of(start["Location"])
    provider.nonce = asked["nonce"]
    return client.get("/oidc/callback/", {"code": "code-1", "state": asked["state"]}, **extra)

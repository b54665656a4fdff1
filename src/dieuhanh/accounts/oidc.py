"""Single sign-on through an OpenID Connect provider (mozilla-django-oidc), off unless configured.

The provider proves who someone is; dieuhanh decides what they may do. A user's first sign-in
finds a user already made in dieuhanh (``dieuhanh user create``) by their e-mail address or user
name (``DIEUHANH_OIDC_MATCH``) and links the user to the provider's identity (issuer and ``sub``,
``SingleSignOnLink``); every later sign-in finds the user by that identity alone, so an address or
a name changed at the provider neither locks the user out nor lets another person take the
account over. A sign-in never reads a role, a unit, a group or a staff flag from the provider's
claims: roles and scopes stay the memberships'. A person dieuhanh does not know is refused with a
message saying whom to ask, unless ``DIEUHANH_OIDC_CREATE_USERS`` lets them in holding no role.

Besides the library's checks (state, nonce, the ID token's signature and expiry), the ID token must
be meant for this client (``aud``) and, with an issuer configured, come from it (``iss``); the
userinfo answer must be about the same person as the ID token (``sub``, as OpenID Connect Core
5.3.2 requires). The provider's endpoints are read when a sign-in needs them, never when Django
merely makes a backend (it does for every password sign-in and every request of a user signed in
this way): a provider that is down never stops a password sign-in.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.views import LogoutView
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from dieuhanh.accounts.models import SingleSignOnLink

logger = logging.getLogger(__name__)

# The library's setting → the key of the provider's discovery document that gives it.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
DISCOVERY_SECONDS = 3600
# Why the last sign-in was refused, for the page the browser is sent back to.
REFUSAL = "dieuhanh_oidc_refusal"
USERNAME_MAX_LENGTH = 150  # Django's User.username


class ProviderUnavailableError(Exception):
    """The provider's discovery document could not be read, or lacks an endpoint."""


def provider_configuration() -> dict[str, Any]:
    """The issuer's discovery document, kept an hour in the cache."""
    issuer = settings.DIEUHANH_OIDC_ISSUER
    key = f"dieuhanh-oidc-discovery:{issuer}"
    document: dict[str, Any] | None = cache.get(key)
    if document is None:
        try:
            response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as error:
            raise ProviderUnavailableError(str(error)) from error
        # A document naming another issuer is not this provider's (OpenID Connect Discovery 4.3).
        if not isinstance(document, dict) or str(document.get("issuer", "")).rstrip("/") != issuer:
            raise ProviderUnavailableError(f"the discovery document of {issuer} names another issuer")
        cache.set(key, document, DISCOVERY_SECONDS)
    return document


def oidc_setting(attr: str, *default: Any) -> Any:
    """A setting of the library; an endpoint left unset comes from the issuer's discovery document."""
    value = getattr(settings, attr, *default)
    if attr in DISCOVERED and not value and settings.DIEUHANH_OIDC_ISSUER:
        value = provider_configuration().get(DISCOVERED[attr])
        if not value:
            raise ProviderUnavailableError(f"the discovery document has no {DISCOVERED[attr]}")
    return value


def _setting(attr: str) -> property:
    return property(lambda self: oidc_setting(attr, None))


class OidcBackend(OIDCAuthenticationBackend):
    """Signs in a known user the provider vouches for; never gives a role."""

    def __init__(self) -> None:
        # Deliberately not the library's __init__, which reads (here: may discover) the endpoints.
        self.UserModel = get_user_model()

    get_settings = staticmethod(oidc_setting)
    OIDC_OP_TOKEN_ENDPOINT = _setting("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = _setting("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = _setting("OIDC_OP_JWKS_ENDPOINT")
    OIDC_RP_CLIENT_ID = _setting("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = _setting("OIDC_RP_CLIENT_SECRET")
    OIDC_RP_SIGN_ALGO = _setting("OIDC_RP_SIGN_ALGO")
    OIDC_RP_IDP_SIGN_KEY = _setting("OIDC_RP_IDP_SIGN_KEY")

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        # The ID token (the library passes its nonce; a signed userinfo answer comes without one).
        if "nonce" in kwargs:
            audience = payload.get("aud")
            audiences = audience if isinstance(audience, list) else [audience]
            if settings.OIDC_RP_CLIENT_ID not in audiences:
                raise SuspiciousOperation("The ID token is meant for another client (aud).")
            issuer = settings.DIEUHANH_OIDC_ISSUER
            if issuer and str(payload.get("iss", "")).rstrip("/") != issuer:
                raise SuspiciousOperation("The ID token comes from another issuer (iss).")
        return payload

    def get_user(self, user_id: Any) -> Any:
        # Django's rule, which the library's own get_user drops: a deactivated user is signed out.
        return ModelBackend.get_user(self, user_id)

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        claims = self.get_userinfo(access_token, id_token, payload)
        subject = str(payload.get("sub") or "")
        if not subject:
            raise SuspiciousOperation("The ID token names no subject (sub).")
        if not isinstance(claims, dict) or claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The userinfo answer is about another subject than the ID token (sub).")
        issuer = str(payload.get("iss") or settings.DIEUHANH_OIDC_ISSUER or "").rstrip("/")
        link = SingleSignOnLink.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
        if link is not None:
            return self._active(link.user)
        user = self._matched(claims)
        if user is None:
            return None
        return self._linked(user, issuer=issuer, subject=subject)

    def _active(self, user: Any) -> Any:
        if not user.is_active:
            return self._refuse(
                gettext("The account %(name)s is deactivated. Ask the IOC's administrator.")
                % {"name": user.get_username()}
            )
        return user

    def _linked(self, user: Any, *, issuer: str, subject: str) -> Any:
        """``user``, found by address or name at a first sign-in, linked to the identity that signed
        in; refused if another identity is linked to it already."""
        try:
            with transaction.atomic():
                SingleSignOnLink.objects.create(user=user, issuer=issuer, subject=subject)
        except IntegrityError:
            # The user holds a link to another identity (or a sign-in of the same identity linked it
            # a moment ago: then it is found as such).
            if SingleSignOnLink.objects.filter(user=user, issuer=issuer, subject=subject).exists():
                return user
            return self._refuse(
                gettext(
                    "The account %(name)s is linked to another single sign-on identity. "
                    "Ask the IOC's administrator: only they can link it to this one."
                )
                % {"name": user.get_username()}
            )
        logger.info("Single sign-on linked the account %s to %s of %s.", user.get_username(), subject, issuer)
        return user

    def _matched(self, claims: dict[str, Any]) -> Any:
        """The user a first sign-in is for, found by e-mail address or user name (or made, when
        allowed); None, with the refusal said, when there is none or it may not sign in."""
        by_email = settings.DIEUHANH_OIDC_MATCH == "email"
        claim = "email" if by_email else "preferred_username"
        value = str(claims.get(claim) or "").strip()
        if not value:
            return self._refuse(
                gettext(
                    "The single sign-on gave no “%(claim)s” to recognise your account by. "
                    "Ask the IOC's administrator to check the provider's settings."
                )
                % {"claim": claim}
            )
        if by_email and claims.get("email_verified") is False:
            return self._refuse(
                gettext(
                    "The single sign-on has not verified the e-mail address %(email)s. "
                    "Verify it with the provider, then sign in again."
                )
                % {"email": value}
            )
        users = list(self.filter_users_by_claims(claims)[:2])
        if len(users) > 1:
            return self._refuse(
                gettext(
                    "More than one account of dieuhanh has %(value)s. "
                    "Ask the IOC's administrator to keep it on one account only."
                )
                % {"value": value}
            )
        if users:
            return self._active(users[0])
        if not settings.DIEUHANH_OIDC_CREATE_USERS:
            message = (
                gettext(
                    "No account of dieuhanh has the e-mail address %(value)s that the single sign-on gave. "
                    "Ask the IOC's administrator to create your account, then sign in again."
                )
                if by_email
                else gettext(
                    "No account of dieuhanh has the user name %(value)s that the single sign-on gave. "
                    "Ask the IOC's administrator to create your account, then sign in again."
                )
            )
            return self._refuse(message % {"value": value})
        return self.create_user(claims)

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        if settings.DIEUHANH_OIDC_MATCH == "email":
            return self.UserModel.objects.filter(email__iexact=str(claims.get("email", "")).strip())
        return self.UserModel.objects.filter(username=str(claims.get("preferred_username", "")).strip())

    def create_user(self, claims: dict[str, Any]) -> Any:
        """A user holding no role: what the public sees, until an administrator gives them one."""
        email = str(claims.get("email") or "").strip()
        username = email if settings.DIEUHANH_OIDC_MATCH == "email" else str(claims["preferred_username"]).strip()
        if len(username) > USERNAME_MAX_LENGTH or self.UserModel.objects.filter(username=username).exists():
            return self._refuse(
                gettext(
                    "An account named %(name)s cannot be made for you. "
                    "Ask the IOC's administrator to create your account."
                )
                % {"name": username}
            )
        user = self.UserModel.objects.create_user(
            username,
            email=email,
            first_name=str(claims.get("given_name") or "")[:150],
            last_name=str(claims.get("family_name") or "")[:150],
        )
        logger.info("Single sign-on made the account %s (no role).", username)
        return user

    def _refuse(self, message: str) -> None:
        setattr(self.request, REFUSAL, message)
        logger.warning("Single sign-on refused: %s", message)


def _back_to_sign_in(request: HttpRequest, message: str) -> HttpResponse:
    messages.error(request, message)
    return HttpResponseRedirect(reverse("login"))


def _did_not_complete() -> str:
    return gettext("Signing in with the single sign-on did not complete. Try again, or sign in with your password.")


def _unreachable() -> str:
    return gettext("The single sign-on provider cannot be reached now. Try again later, or sign in with your password.")


class SignInView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider's sign-in page (a GET: a link, not a form, so that the
    Content-Security-Policy's form-action, which covers a form's redirects, is not in the way)."""

    def __init__(self, **kwargs: Any) -> None:
        # Deliberately not the library's __init__, which reads (here: may discover) the endpoint.
        View.__init__(self, **kwargs)

    get_settings = staticmethod(oidc_setting)
    OIDC_OP_AUTH_ENDPOINT = _setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_RP_CLIENT_ID = _setting("OIDC_RP_CLIENT_ID")

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            response: HttpResponse = super().get(request)
        except ProviderUnavailableError as error:
            logger.warning("Single sign-on provider unavailable: %s", error)
            return _back_to_sign_in(request, _unreachable())
        return response


class CallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back; a refusal or a failure goes back to the sign-in
    page with a message saying why."""

    get_settings = staticmethod(oidc_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            response: HttpResponse = super().get(request)
        except ProviderUnavailableError as error:
            logger.warning("Single sign-on provider unavailable: %s", error)
            return _back_to_sign_in(request, _unreachable())
        except requests.RequestException as error:
            logger.warning("Single sign-on provider failed: %s", error)
            return _back_to_sign_in(request, _unreachable())
        except (SuspiciousOperation, jwt.PyJWTError, ValueError) as error:
            # A replayed or forged answer, an expired or unsigned token, a reply that is not JSON.
            logger.warning("Single sign-on answer refused: %s", error)
            return _back_to_sign_in(request, _did_not_complete())
        return response

    def login_failure(self) -> HttpResponse:
        return _back_to_sign_in(self.request, getattr(self.request, REFUSAL, None) or _did_not_complete())


# Where the library keeps the ID token of a sign-in (OIDC_STORE_ID_TOKEN): the hint a sign-out
# gives the provider.
ID_TOKEN = "oidc_id_token"  # noqa: S105 - a session key, not a secret


def end_session_url(*, id_token: str, return_to: str) -> str | None:
    """The provider's end-session address for a sign-out (OpenID Connect RP-Initiated Logout 1.0),
    or None: single logout off, no end-session endpoint known, or the provider unreachable (the
    sign-out of dieuhanh stands either way)."""
    if not (settings.DIEUHANH_OIDC and settings.DIEUHANH_OIDC_SINGLE_LOGOUT):
        return None
    endpoint = settings.DIEUHANH_OIDC_END_SESSION_ENDPOINT
    if not endpoint and settings.DIEUHANH_OIDC_ISSUER:
        try:
            endpoint = str(provider_configuration().get("end_session_endpoint") or "")
        except ProviderUnavailableError as error:
            logger.warning("Single sign-on provider unavailable at sign-out: %s", error)
            return None
    if not endpoint.startswith(("https://", "http://")):
        return None
    query = urlencode(
        {"id_token_hint": id_token, "post_logout_redirect_uri": return_to, "client_id": settings.OIDC_RP_CLIENT_ID}
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


class SignOutView(LogoutView):
    """Signs out of dieuhanh, as Django's view does; someone who signed in through the provider then
    goes on to the provider's end-session endpoint, so that the one-stop account is signed out too
    and the next person at the computer is not let back in by it."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        id_token = request.session.get(ID_TOKEN)
        response: HttpResponse = super().post(request, *args, **kwargs)
        if isinstance(id_token, str) and id_token and isinstance(response, HttpResponseRedirect):
            return_to = request.build_absolute_uri(response.url)
            if url := end_session_url(id_token=id_token, return_to=return_to):
                return HttpResponseRedirect(url)
        return response

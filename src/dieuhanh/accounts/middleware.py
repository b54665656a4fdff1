"""Middleware of every request: the interface's language (Vietnamese first), requests carrying NUL
refused, the session's idle and maximum age, and the Content-Security-Policy header."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseBase, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but ignores the browser's Accept-Language header.

    Many officials' browsers are set to English; the IOC must still open in
    Vietnamese. Only an explicit choice (the language switch, kept in a cookie)
    changes it.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class SessionTimeoutMiddleware:
    """Signs a user out after ``DIEUHANH_SESSION_IDLE_MINUTES`` without a request, and in any case
    ``DIEUHANH_SESSION_MAX_HOURS`` after they signed in.

    Both clocks live in the session itself, so they hold across processes and machines with no
    shared state besides the session store. Django's own expiry cannot do both: saving the session
    on every request (``SESSION_SAVE_EVERY_REQUEST``) slides the expiry forever and writes the
    session store on every request. Here the time of the last request is written at most once a
    minute (``TOUCH_SECONDS``), so an idle limit is exact to a minute.
    """

    STARTED = "dieuhanh_session_started"
    SEEN = "dieuhanh_session_seen"
    TOUCH_SECONDS = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        session = request.session
        if SESSION_KEY in session:
            now = int(time.time())
            started = session.get(self.STARTED)
            seen = session.get(self.SEEN)
            idle_limit = settings.DIEUHANH_SESSION_IDLE_MINUTES * 60
            age_limit = settings.DIEUHANH_SESSION_MAX_HOURS * 3600
            if not isinstance(started, int) or not isinstance(seen, int):
                session[self.STARTED] = session[self.SEEN] = now
            elif now - seen > idle_limit or now - started > age_limit:
                logout(request)
                messages.info(request, self.ended_message(idle=now - seen > idle_limit))
            elif now - seen >= self.TOUCH_SECONDS:
                session[self.SEEN] = now
        return self.get_response(request)

    @staticmethod
    def ended_message(*, idle: bool) -> str:
        if idle:
            return gettext("You were signed out after %(minutes)s minutes without activity. Please sign in again.") % {
                "minutes": settings.DIEUHANH_SESSION_IDLE_MINUTES
            }
        return gettext("You were signed out %(hours)s hours after signing in. Please sign in again.") % {
            "hours": settings.DIEUHANH_SESSION_MAX_HOURS
        }


def session_clocks_restart(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    """On ``user_logged_in``: a new sign-in starts both clocks again (signing in again as the same
    user keeps the session's data, the old clocks with it)."""
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[SessionTimeoutMiddleware.STARTED] = now
    request.session[SessionTimeoutMiddleware.SEEN] = now


class ContentSecurityPolicyMiddleware:
    """Sends ``settings.CONTENT_SECURITY_POLICY`` with every response that has none of its own.

    A page that needs an inline ``<style>`` or ``<script>`` writes ``nonce="{{ request.csp_nonce }}"``
    on it; the nonce is made, and named in the header, only for responses that used it. The API's
    documentation pages get ``CONTENT_SECURITY_POLICY_API_DOCS``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        nonce = CspNonce()
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            docs = any(request.path.startswith(prefix) for prefix in settings.CONTENT_SECURITY_POLICY_API_DOCS_PATHS)
            policy = settings.CONTENT_SECURITY_POLICY_API_DOCS if docs else settings.CONTENT_SECURITY_POLICY
            if origins := sign_out_origins():
                policy = {**policy, "form-action": [*policy.get("form-action", []), *origins]}
            response["Content-Security-Policy"] = content_security_policy(
                policy, nonce=nonce.value if nonce.used else ""
            )
        return response


def sign_out_origins() -> list[str]:
    """The single sign-on provider's origins a sign-out goes on to (RP-Initiated Logout): signing out
    is a form, and a form's redirects are under form-action. None without single logout."""
    if not (settings.DIEUHANH_OIDC and settings.DIEUHANH_OIDC_SINGLE_LOGOUT):
        return []
    urls = (settings.DIEUHANH_OIDC_ISSUER, settings.DIEUHANH_OIDC_END_SESSION_ENDPOINT)
    origins = {f"{part.scheme}://{part.netloc}" for part in map(urlsplit, urls) if part.scheme in ("https", "http")}
    return sorted(origins)


class CspNonce:
    """A per-request nonce, made when a template first writes it."""

    def __init__(self) -> None:
        self._value = ""

    @property
    def used(self) -> bool:
        return bool(self._value)

    @property
    def value(self) -> str:
        if not self._value:
            self._value = secrets.token_urlsafe(18)
        return self._value

    def __str__(self) -> str:
        return self.value


def content_security_policy(policy: dict[str, list[str]], *, nonce: str = "") -> str:
    """The header's text; a nonce is added to the script and style sources."""
    parts = []
    for directive, sources in policy.items():
        allowed = list(sources)
        if nonce and directive in {"script-src", "style-src"} and "'unsafe-inline'" not in allowed:
            allowed.append(f"'nonce-{nonce}'")
        parts.append(" ".join([directive, *allowed]))
    return "; ".join(parts)


class RefuseNulMiddleware:
    """A request with a NUL character (code 0) in its path, its query or its form or JSON body is
    refused (400) before any view sees it.

    No code, name, period or number contains one; PostgreSQL cannot even compare a text holding
    it, so a path or a code with one would be a server error there and a plain "not found" on
    SQLite. Refused here, it is the same answer on both. (Files are judged by the importer.)
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _holds_nul(request):
            message = gettext(
                "The request holds a NUL character (code 0), which no code, name or number contains; remove it."
            )
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _holds_nul(request: HttpRequest) -> bool:
    query = request.META.get("QUERY_STRING", "")
    if "\x00" in request.path or "\x00" in query or "%00" in query:
        return True
    content_type = request.content_type or ""
    if request.method in ("GET", "HEAD", "OPTIONS") or content_type not in _BODIES_CHECKED:
        return False
    try:
        body = request.body
    except RequestDataTooBig:
        return False  # Django answers that itself when the view reads the body
    # In a form body a NUL is "%00"; in JSON, "\u0000" (a raw one is invalid JSON, refused anyway).
    return b"\x00" in body or (b"%00" if content_type != "application/json" else b"\\u0000") in body


_BODIES_CHECKED = ("application/json", "application/x-www-form-urlencoded")

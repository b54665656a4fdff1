"""Login lockout (django-axes): whose address a request comes from, and the page a locked-out
sign-in gets. The counting itself is axes' (settings: AXES_*, from DIEUHANH_LOGIN_*)."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_client_username
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or, behind ``DIEUHANH_PROXY_COUNT`` reverse proxies, the
    address the farthest of them saw in X-Forwarded-For.

    Each proxy appends the address it was connected from, so the trusted part of the header is its
    last ``DIEUHANH_PROXY_COUNT`` entries; anything before them was written by the client and is
    ignored. Not behind a proxy (the default, 0), the header is not read at all.
    """
    proxies = settings.DIEUHANH_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    remote: str | None = request.META.get("REMOTE_ADDR")
    return remote


def lockout_parameters(request_or_attempt: Any, credentials: dict[str, Any] | None = None) -> list[str]:
    """What failures are counted by: each on its own, the account, whatever the address, and the
    address, whatever the account.

    A sign-in that names no account (single sign-on's return from the provider, which proves who
    someone is without a password) is counted by its address only. Counted under "no account" too,
    the refusals from every address would add up together and lock every single sign-on out.
    """
    if isinstance(request_or_attempt, HttpRequest):
        username = get_client_username(request_or_attempt, credentials)
    else:
        username = getattr(request_or_attempt, "username", None)
    return ["username", "ip_address"] if username else ["ip_address"]


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """429 with the time sign-in opens again; each refused try starts the wait again."""
    until = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    response: HttpResponse
    if request.headers.get("x-requested-with") == "XMLHttpRequest" or request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": gettext("Too many failed sign-ins from this account or address. Try again after %(time)s.")
                % {"time": until.strftime("%H:%M")}
            },
            status=429,
        )
    else:
        response = render(
            request,
            "registration/lockout.html",
            {"until": until, "minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
            status=429,
        )
    response["Retry-After"] = retry_after
    return response

"""Request limits of the API: per client address for anonymous requests, per user for signed-in
ones (rates: DIEUHANH_THROTTLE_ANON, DIEUHANH_THROTTLE_USER). A refused request gets 429, a
Retry-After header, and a message in the user's language."""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import ngettext
from rest_framework import throttling
from rest_framework.exceptions import Throttled
from rest_framework.request import Request


class _SaysWhenToComeBack:
    """DRF's own answer appends an English sentence that no catalogue can translate (its number is
    written in before translation): raise ours instead."""

    def allow_request(self, request: Request, view: Any) -> bool:
        if super().allow_request(request, view):  # type: ignore[misc]
            return True
        wait = self.wait()  # type: ignore[attr-defined]
        seconds = max(1, math.ceil(wait)) if wait is not None else 60
        error = Throttled(
            detail=ngettext(
                "Too many requests. Try again in %(seconds)s second.",
                "Too many requests. Try again in %(seconds)s seconds.",
                seconds,
            )
            % {"seconds": seconds}
        )
        error.wait = seconds  # type: ignore[attr-defined]  # DRF's handler writes it as Retry-After
        raise error


class AnonymousRateThrottle(_SaysWhenToComeBack, throttling.AnonRateThrottle):
    """Anonymous requests, counted per client address (X-Forwarded-For only behind the proxies of
    DIEUHANH_PROXY_COUNT, through DRF's NUM_PROXIES)."""


class UserRateThrottle(_SaysWhenToComeBack, throttling.UserRateThrottle):
    """Signed-in requests (session or token), counted per user wherever they come from."""

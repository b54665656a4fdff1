"""The pages' cache: the part of a page that is the same for everyone who may see the same figures,
rendered once per question and state of the figures (docs/dashboards.md, "The page cache") — the
overview's tiles and table, the wall's figures.

A cached part holds no one's name, session or CSRF token: those are in the frame around it
(``base.html``), rendered for every request. A part is kept under a key of

- the answers' stamp (``analytics.services.rollups_stamp``), which changes with every change of
  figures or catalogue: a part is never shown after anything it shows has changed;
- the visitor's visibility (``visibility_key``): who may see which figures;
- the basis the page is shown on (``views.page_basis``): approved figures, or those awaiting
  approval too — never served for each other;
- the language, the day (defaults depend on today), the page and the pickers' fields as sent
  (normalised: other query parameters do not make another part), and whether htmx asked for the
  result alone.

Without current rollups there is no stamp, and nothing is kept. Parts are zlib-compressed: a
province's overview is a few hundred kB of HTML, about a tenth of that compressed, and the
``pages`` cache holds a bounded number of them per process.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.base import InvalidCacheBackendError
from django.http import HttpRequest
from django.utils.translation import get_language

from dieuhanh.accounts.scope import scope_of
from dieuhanh.analytics.readmodel.scope import BASIS_PARAMETER, basis_for
from dieuhanh.analytics.services import rollups_stamp
from dieuhanh.orgunits.selectors import today

PAGE_CACHE_ALIAS = "pages"
# zlib's fastest level: about ten times smaller for a page of figures, in a millisecond or two.
COMPRESSION_LEVEL = 1


def _cache() -> BaseCache:
    try:
        return caches[PAGE_CACHE_ALIAS]
    except InvalidCacheBackendError:
        return caches["default"]


def visibility_key(request: HttpRequest) -> str:
    """Who may see what, as a short stable string: two requests with the same key are shown the same
    figures. The one place that says it for the page cache.

    Anonymous visitors: ``public``. A signed-in user: ``signed:`` and their scope's key
    (``accounts.scope``: everything, public only, or the units they read), so that leaders share one
    page, a district's reporters another, and a user whose roles or units change gets a new one.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "public"
    key = ":".join(str(part) for part in scope_of(user).cache_key)
    return f"signed:{hashlib.sha256(key.encode()).hexdigest()[:16]}"


@dataclass(frozen=True)
class PagePart:
    """A page's user-independent part: its HTML, the clean address htmx is to show (partials), and a
    few plain facts the frame around it shows or asks with (the wall's unit and period)."""

    html: str
    push_url: str | None = None
    facts: tuple[tuple[str, str], ...] = ()


def page_key(request: HttpRequest, *, page: str, fields: Sequence[str], partial: bool) -> str | None:
    """The cache key of ``page``'s part for this request, or None when parts are not kept (the cache
    is off, or the rollups are not current). One query (the stamp)."""
    if settings.DIEUHANH_ANALYTICS_CACHE_SECONDS <= 0:
        return None
    stamp = rollups_stamp()
    if stamp is None:
        return None
    asked = tuple((name, request.GET.get(name, "").strip()) for name in fields)
    question = (
        stamp,
        visibility_key(request),
        # The basis the visitor gets, not the one asked: the public asking for figures awaiting
        # approval is shown approved ones, under the same key as without asking.
        basis_for(getattr(request, "user", None), request.GET.get(BASIS_PARAMETER)).value,
        get_language(),
        today().isoformat(),
        page,
        request.path,
        asked,
        partial,
    )
    return "page:" + hashlib.sha256(repr(question).encode()).hexdigest()


def cached_part(key: str | None) -> PagePart | None:
    if key is None:
        return None
    found = _cache().get(key)
    if found is None:
        return None
    packed, push_url, *rest = found
    return PagePart(html=zlib.decompress(packed).decode(), push_url=push_url, facts=rest[0] if rest else ())


def keep_part(key: str | None, part: PagePart) -> None:
    if key is None:
        return
    packed = zlib.compress(part.html.encode(), COMPRESSION_LEVEL)
    _cache().set(key, (packed, part.push_url, part.facts), settings.DIEUHANH_ANALYTICS_CACHE_SECONDS)

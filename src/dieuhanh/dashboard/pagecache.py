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
``pages`` cache holds a bounded number of them per process; the few asked most recently are kept
as they are served, uncompressed, in the ``pages-hot`` cache, so that the page everyone opens is
not decompressed for every request.

A part is kept and served as UTF-8 bytes: the frame is rendered around a placeholder
(``slot``) and the part's bytes are put in its place (``render_around``), so that hundreds of kB
are neither decoded, joined into the template's text nor encoded again for every request.
"""

from __future__ import annotations

import hashlib
import secrets
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.base import InvalidCacheBackendError
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from dieuhanh.accounts.scope import scope_of
from dieuhanh.analytics.readmodel.scope import BASIS_PARAMETER, basis_for
from dieuhanh.analytics.services import rollups_stamp
from dieuhanh.orgunits.selectors import today
from dieuhanh.singleflight import once

PAGE_CACHE_ALIAS = "pages"
HOT_CACHE_ALIAS = "pages-hot"
# zlib's fastest level: about ten times smaller for a page of figures, in a millisecond or two.
COMPRESSION_LEVEL = 1


# Where the frame puts a part: a comment no figure, name or template can spell (random for each
# process), replaced by the part's bytes.
_SLOT = f"<!--dieuhanh-part-{secrets.token_hex(12)}-->"


def _cache() -> BaseCache:
    try:
        return caches[PAGE_CACHE_ALIAS]
    except InvalidCacheBackendError:
        return caches["default"]


def _hot() -> BaseCache | None:
    """The recent parts, uncompressed; None where the settings name no such cache."""
    try:
        return caches[HOT_CACHE_ALIAS]
    except InvalidCacheBackendError:
        return None


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
    """A page's user-independent part: its HTML as UTF-8 bytes, the clean address htmx is to show
    (partials), and a few plain facts the frame around it shows or asks with (the wall's unit and
    period)."""

    body: bytes
    push_url: str | None = None
    facts: tuple[tuple[str, str], ...] = ()

    @classmethod
    def rendered(cls, html: str, *, push_url: str | None = None, facts: tuple[tuple[str, str], ...] = ()) -> PagePart:
        return cls(body=html.encode(), push_url=push_url, facts=facts)

    @property
    def html(self) -> str:
        return self.body.decode()


def slot() -> SafeString:
    """What the frame's template is given where the part goes (``render_around`` fills it)."""
    return mark_safe(_SLOT)  # noqa: S308 - a constant comment of ours


def render_around(request: HttpRequest, template: str, context: dict[str, object], part: PagePart) -> HttpResponse:
    """``template`` rendered for this request with ``part`` where the template writes ``slot()``
    (exactly once): the frame is rendered as text, the part joined to it as bytes."""
    text = render_to_string(template, context, request)
    head, found, tail = text.partition(_SLOT)
    if not found or _SLOT in tail:
        raise ImproperlyConfigured(f"{template} must write the page part's slot exactly once.")
    return HttpResponse(b"".join((head.encode(), part.body, tail.encode())))


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
    """The part kept under ``key``: from the recent ones as they are, else decompressed (and then
    kept with the recent ones); None when none is kept."""
    if key is None:
        return None
    hot = _hot()
    if hot is not None:
        recent = hot.get(key)
        if recent is not None:
            return PagePart(*recent)
    found = _cache().get(key)
    if found is None:
        return None
    packed, push_url, facts = found
    part = PagePart(body=zlib.decompress(packed), push_url=push_url, facts=facts)
    _keep_recent(key, part)
    return part


def part_of(key: str | None, render: Callable[[], PagePart]) -> PagePart:
    """The part kept under ``key``, else ``render()``'s, kept. Requests that find it missing together
    render it once (per process), the others waiting for it (``dieuhanh.singleflight``): a cold
    national wall takes seconds of a core, and every thread rendered it at once."""
    found = cached_part(key)
    if found is not None:
        return found
    if key is None:
        return render()
    with once(key):
        found = cached_part(key)
        if found is None:
            found = render()
            keep_part(key, found)
        return found


def keep_part(key: str | None, part: PagePart) -> None:
    if key is None:
        return
    packed = zlib.compress(part.body, COMPRESSION_LEVEL)
    _cache().set(key, (packed, part.push_url, part.facts), settings.DIEUHANH_ANALYTICS_CACHE_SECONDS)
    _keep_recent(key, part)


def _keep_recent(key: str, part: PagePart) -> None:
    hot = _hot()
    if hot is not None:
        hot.set(key, (part.body, part.push_url, part.facts), settings.DIEUHANH_ANALYTICS_CACHE_SECONDS)

"""Browser tests: headless Chromium (Debian's package, never a downloaded browser) against the demo.

The run's demo (tests/conftest.py: loaded once, committed, after every test that does not use it)
is served by pytest-django's live server (its ``LiveServer``, started here: the ``live_server``
fixture itself would make every test transactional, and the flush after each test would wipe the
demo). The tests are marked ``django_db``; they only read.

Without Chromium the tests skip and say why, unless ``CI`` is set: then they fail.
Screenshots go to ``out/screenshots/`` (or ``$DIEUHANH_SCREENSHOTS``), which CI keeps.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connections

from dieuhanh.demo.services import DemoLoadResult

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(
    os.environ.get("DIEUHANH_SCREENSHOTS") or Path(__file__).resolve().parents[2] / "out" / "screenshots"
)


def chromium_path() -> str | None:
    """Debian's Chromium: ``$CHROMIUM``, else ``chromium`` on the PATH, else /usr/bin/chromium."""
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} The browser tests must run in CI.", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Where Chromium is; checked before anything is loaded, so that a skip costs nothing."""
    path = chromium_path()
    if path is None:
        _unavailable("Chromium is not installed (Debian: apt-get install chromium); browser tests skipped.")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        _unavailable("Playwright is not installed (pip install -e '.[dev]'); browser tests skipped.")
    assert path is not None
    return path


@pytest.fixture(scope="module")
def demo_url(chromium: str, demo: DemoLoadResult, django_db_blocker: Any) -> Iterator[str]:
    """The address of a live server holding the Bình Dương demo."""
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        server = LiveServer("localhost")
        try:
            yield server.url
        finally:
            server.stop()


@pytest.fixture(scope="module")
def browser(chromium: str, demo_url: str) -> Iterator[Any]:
    """Headless Chromium, started after the demo is loaded."""
    with launched(chromium) as browser:
        yield browser


@contextmanager
def launched(chromium: str) -> Iterator[Any]:
    """Headless Chromium.

    Playwright's synchronous API runs an event loop in this thread, inside which Django refuses
    database work; the per-test transaction of the django_db mark is such work, and it is safe
    here (one thread, no coroutine touches the database), so Django is told to allow it.
    """
    from playwright.sync_api import sync_playwright

    allowed = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
            # Django keeps connections per context, and the event loop's is another one: close the
            # connection the tests opened in it, or PostgreSQL could not drop the test database.
            connections.close_all()
    finally:
        if allowed is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = allowed


@pytest.fixture
def page(browser: Any, demo_url: str) -> Iterator[Any]:
    """A fresh desktop page that fails the test on a script error or on any request leaving the server."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    problems: list[str] = []
    # The stack says where: a message alone ("Cannot read properties of null") cannot be traced.
    page.on("pageerror", lambda error: problems.append(f"script error: {error.message}\n{error.stack}"))
    page.on(
        "request",
        lambda request: (
            problems.append(f"outside request: {request.url}")
            if not request.url.startswith((demo_url, "data:", "blob:"))
            else None
        ),
    )
    yield page
    context.close()
    assert not problems, "\n\n".join(problems)


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


@dataclass(frozen=True)
class Api:
    """``/api/v1/analytics`` of the live server, read through the page's own session."""

    page: Any
    base: str

    def measures(self, indicator: str, org_unit: str, period: str) -> dict[str, Any]:
        query = urlencode({"indicator": indicator, "org_unit": org_unit, "period": period})
        response = self.page.request.get(f"{self.base}/api/v1/analytics?{query}")
        assert response.ok, response.text()
        rows = response.json()
        assert len(rows) == 1
        return dict(rows[0])

    def ranking(self, indicator: str, org_unit: str, period: str, measure: str = "value") -> list[dict[str, Any]]:
        query = urlencode({"indicator": indicator, "org_unit": org_unit, "period": period, "measure": measure})
        response = self.page.request.get(f"{self.base}/api/v1/analytics/ranking?{query}")
        assert response.ok, response.text()
        return list(response.json())


@pytest.fixture
def api(page: Any, demo_url: str) -> Api:
    return Api(page=page, base=demo_url)


def number(text: str) -> Decimal | None:
    """A figure as a page writes it in Vietnamese (1.234,5 / +3,2 / –) as a number."""
    cleaned = text.replace("điểm", "").replace("%", "").replace("+", "").replace("▲", "").replace("▼", "").strip()
    if cleaned in ("–", ""):
        return None
    return Decimal(cleaned.replace(".", "").replace(",", "."))


def matches(shown: str, api_value: float | None) -> bool:
    """Whether a figure on the page is the API's, rounded as the page rounds it (half up)."""
    value = number(shown)
    if api_value is None or value is None:
        return value is None and api_value is None
    places = len(shown.replace("điểm", "").strip().rstrip("%").strip().split(",")[1]) if "," in shown else 0
    expected = Decimal(str(api_value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return value == expected

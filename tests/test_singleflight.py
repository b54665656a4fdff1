"""A missing answer or page part asked for by many requests at once is computed once per process:
the others wait for it and find it in the cache (the cold national wall made every thread compute
it for seconds at the same time)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import caches

from dieuhanh import singleflight
from dieuhanh.analytics.selectors import answer_cached
from dieuhanh.dashboard.pagecache import PagePart, part_of
from dieuhanh.singleflight import in_flight, once

ASKERS = 6


def waiting_for(key: str) -> int:
    """How many threads hold or wait for ``key``."""
    with singleflight._guard:
        return singleflight._flights.get(key, (None, 0))[1]


def all_asking(key: str) -> None:
    """Block the computation until every asker is inside ``once(key)``: without the lock, each
    would then be computing at the same moment."""
    deadline = time.monotonic() + 10
    while waiting_for(key) < ASKERS and time.monotonic() < deadline:
        time.sleep(0.001)


def together(ask: Callable[[], Any]) -> list[Any]:
    """``ask()`` from ``ASKERS`` threads started at once; their answers."""
    answers: list[Any] = [None] * ASKERS
    start = threading.Barrier(ASKERS)

    def run(i: int) -> None:
        start.wait()
        answers[i] = ask()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(ASKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


def test_threads_asking_one_key_at_once_compute_it_once() -> None:
    computed: list[int] = []
    kept: dict[str, int] = {}

    def ask() -> int:
        with once("k"):
            if "k" not in kept:
                all_asking("k")
                computed.append(1)
                kept["k"] = len(computed)
            return kept["k"]

    answers = together(ask)

    assert computed == [1]
    assert answers == [1] * ASKERS
    assert in_flight() == 0


def test_a_key_may_be_asked_again_inside_its_own_computation() -> None:
    with once("k"), once("k"):
        assert waiting_for("k") == 2

    assert in_flight() == 0


def test_a_failed_computation_leaves_the_next_asker_to_compute() -> None:
    with pytest.raises(RuntimeError), once("k"):
        raise RuntimeError("the database went away")

    with once("k"):
        assert waiting_for("k") == 1
    assert in_flight() == 0


def test_a_missing_answer_asked_at_once_is_computed_once() -> None:
    computed: list[int] = []

    def compute(_use_rollups: bool) -> dict[str, int]:
        all_asking(next(iter(singleflight._flights)))
        computed.append(1)
        return {"value": 15}

    answers = together(lambda: answer_cached(("overview", 74, "202301"), compute, stamp="rebuilt/1"))

    assert computed == [1]
    assert answers == [{"value": 15}] * ASKERS
    assert in_flight() == 0


def test_a_missing_page_part_asked_at_once_is_rendered_once() -> None:
    rendered: list[int] = []

    def render() -> PagePart:
        all_asking("page:wall")
        rendered.append(1)
        return PagePart.rendered("<section>Tăng trưởng GRDP 7,5 %</section>")

    try:
        parts = together(lambda: part_of("page:wall", render))
    finally:
        caches["pages"].clear()
        caches["pages-hot"].clear()

    assert rendered == [1]
    assert {part.html for part in parts} == {"<section>Tăng trưởng GRDP 7,5 %</section>"}
    assert in_flight() == 0

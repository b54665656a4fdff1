"""One computation at a time of the same answer within a process.

When a cached answer or page part is missing — the server has just started, or a change of figures
has retired every answer — all the requests that ask for it at that moment would each compute it:
the national wall screen takes seconds of a core, and every thread of every serving process computed
it together, so that requests waited ten seconds and more (bench/unmet.md). ``once(key)`` lets the
first request compute while the others of the same process that ask for the same key wait for it,
then find the answer in the cache.

Each process still computes its own (the caches are per process): a deployment of four processes
computes a cold answer four times at most, not once per thread.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_guard = threading.Lock()
# key → (its lock, how many threads hold or wait for it): a key's lock goes when none does.
_flights: dict[str, tuple[threading.RLock, int]] = {}


@contextmanager
def once(key: str) -> Iterator[None]:
    """Hold ``key`` while computing what is kept under it: a thread asking for the same key meanwhile
    waits here until it is done. Re-entrant: a computation may ask for its own key again."""
    with _guard:
        lock, holders = _flights.get(key) or (threading.RLock(), 0)
        _flights[key] = (lock, holders + 1)
    try:
        with lock:
            yield
    finally:
        with _guard:
            lock, holders = _flights[key]
            if holders == 1:
                del _flights[key]
            else:
                _flights[key] = (lock, holders - 1)


def in_flight() -> int:
    """How many keys are being computed or waited for (for the tests: none is left behind)."""
    with _guard:
        return len(_flights)

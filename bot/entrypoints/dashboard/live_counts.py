"""The live updates' counts, read once per interval for every open page of the same repositories, not once each."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection

from bot.domain.dashboard import StoreCounts
from bot.ports import Store

# Readers' sets of repositories remembered at once; the oldest reading is dropped past it.
MAX_KEPT = 256


class SharedCounts:
    """The store's counts of a set of repositories, as read at most `max_age` seconds ago.

    Each open page polls them (the counts read whole tables: ~15 ms of the database's time at 100,000 audit entries);
    ten pages of the same reader, or of readers of the same repositories, now cost one read an interval, not ten.
    """

    def __init__(self, store: Store, max_age: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self._max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._read: dict[frozenset[str] | None, tuple[float, StoreCounts]] = {}

    def of(self, repos: Collection[str] | None) -> StoreCounts:
        """The counts of `repos`' rows (None: every row)."""
        key = None if repos is None else frozenset(repos)
        now = self._clock()
        with self._lock:
            kept = self._read.get(key)
        if kept is not None and now - kept[0] < self._max_age:
            return kept[1]
        # Read outside the lock: a slow read of one reader's counts holds up nobody else's (two streams missing
        # at once may both read; that is the old cost, once).
        counts = self._store.store_counts(repos=repos)
        with self._lock:
            self._read[key] = (now, counts)
            if len(self._read) > MAX_KEPT:
                del self._read[min(self._read, key=lambda k: self._read[k][0])]
        return counts

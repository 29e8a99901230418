"""Stopwatch: wall time spent per kind of work (terraform, scanners, olympus), for reports and benchmarks."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

Interval = tuple[float, float]


@dataclass
class Stopwatch:
    """Timed work of each kind, from any thread; work of one kind or of several kinds may run at once.

    A kind's figure is the wall time during which at least one piece of that kind ran: ten Terraform plans running
    side by side for 5 s count 5 s, not 50. Time when several kinds ran at once (Terraform while the scanners scan)
    is counted under each of them, and once more, as `overlap`, so that the figures still add up:
    sum of the kinds - overlap + olympus = total, where olympus is the time when nothing timed ran.
    """

    started: float = field(default_factory=time.monotonic)
    _intervals: dict[str, list[Interval]] = field(default_factory=dict)
    _running: dict[int, tuple[str, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _next: int = 0

    @contextmanager
    def timing(self, kind: str) -> Iterator[None]:
        with self._lock:
            token, self._next = self._next, self._next + 1
            self._running[token] = (kind, time.monotonic())
        try:
            yield
        finally:
            with self._lock:
                _, began = self._running.pop(token)
                self._intervals.setdefault(kind, []).append((began, time.monotonic()))

    def split(self) -> dict[str, float]:
        """Seconds per kind, `overlap` (counted under more than one kind), the rest as Olympus's own, and the total."""
        now = time.monotonic()
        with self._lock:
            intervals = {kind: list(spans) for kind, spans in self._intervals.items()}
            for kind, began in self._running.values():
                intervals.setdefault(kind, []).append((began, now))
        per_kind = {kind: _covered(spans) for kind, spans in intervals.items()}
        anything = _covered([span for spans in intervals.values() for span in spans])
        total = now - self.started
        overlap = max(sum(per_kind.values()) - anything, 0.0)
        return {**per_kind, "overlap": overlap, "olympus": max(total - anything, 0.0), "total": total}


def _covered(spans: list[Interval]) -> float:
    """The length of the union of the intervals."""
    covered, reach = 0.0, float("-inf")
    for begin, end in sorted(spans):
        if end <= reach:
            continue
        covered += end - max(begin, reach)
        reach = end
    return covered

"""Stopwatch: wall time spent per kind of work (terraform, scanners, olympus), for reports and benchmarks."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Stopwatch:
    started: float = field(default_factory=time.monotonic)
    spent: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def timing(self, kind: str) -> Iterator[None]:
        t0 = time.monotonic()
        try:
            yield
        finally:
            self.spent[kind] = self.spent.get(kind, 0.0) + time.monotonic() - t0

    def split(self) -> dict[str, float]:
        """Seconds per kind, with everything not timed counted as Olympus's own work."""
        total = time.monotonic() - self.started
        timed = sum(self.spent.values())
        return {**self.spent, "olympus": max(total - timed, 0.0), "total": total}

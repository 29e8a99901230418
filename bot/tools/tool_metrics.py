"""Per-server tool metrics kept in memory: calls, errors and time per tool, read by the `metrics` tool."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["ToolMetrics"]


@dataclass
class _Counts:
    calls: int = 0
    errors: int = 0
    seconds: float = 0.0


class ToolMetrics:
    """Counts one server's tool calls; the SDK runs sync tools on worker threads, hence the lock."""

    def __init__(self, server: str, clock: Callable[[], float] = time.perf_counter) -> None:
        self.server = server
        self._clock = clock
        self._lock = threading.Lock()
        self._tools: dict[str, _Counts] = {}

    @contextmanager
    def timed(self, tool: str) -> Iterator[None]:
        """Count one call of `tool` around the block; an exception leaving it counts as an error."""
        started = self._clock()
        failed = True
        try:
            yield
            failed = False
        finally:
            self.record(tool, self._clock() - started, error=failed)

    def record(self, tool: str, seconds: float, *, error: bool) -> None:
        with self._lock:
            counts = self._tools.setdefault(tool, _Counts())
            counts.calls += 1
            counts.errors += int(error)
            counts.seconds += seconds

    def snapshot(self) -> dict[str, dict[str, float | int]]:
        """Every tool called so far: calls, errors, total and mean seconds."""
        with self._lock:
            return {
                name: {
                    "calls": counts.calls,
                    "errors": counts.errors,
                    "seconds": round(counts.seconds, 6),
                    "mean_seconds": round(counts.seconds / counts.calls, 6) if counts.calls else 0.0,
                }
                for name, counts in sorted(self._tools.items())
            }

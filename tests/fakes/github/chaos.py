"""Chaos for the GitHub double: a seeded random share of API calls fails the ways GitHub documents that calls fail."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from . import shapes

# GitHub's documented failures: server errors, secondary rate limits that say how long to wait, and requests that
# get no answer in time, which GitHub may have carried out all the same (the client cannot tell).
# https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api
# https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit
KINDS = ("500", "502", "503", "429", "timeout")
SECONDARY_RATE_LIMIT = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to "
    "GitHub Support for help, please include the request ID."
)


@dataclass(frozen=True)
class Outage:
    """What one unlucky request gets: an error status (nothing done), or an answer that never comes in time."""

    kind: str
    status: int = 0
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    hang_seconds: float = 0.0  # the request takes effect at once; its answer comes this much later


class Chaos:
    """Draws, for each API request, whether it fails and how; the same seed gives the same draws in the same order."""

    def __init__(self, rate: float, seed: int, *, hang_seconds: float, kinds: tuple[str, ...] = KINDS) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate is a fraction of the requests, from 0 to 1")
        unknown = set(kinds) - set(KINDS)
        if unknown or not kinds:
            raise ValueError(f"kinds must be some of {KINDS}, not {sorted(unknown)}")
        self.rate = rate
        self.kinds = kinds
        self.hang_seconds = hang_seconds
        self._random = random.Random(seed)
        self.counts: Counter[str] = Counter()  # the outages served, by kind (and "passed" for the others)

    def draw(self) -> Outage | None:
        """The next request's outage, or None when it is served normally."""
        if self._random.random() >= self.rate:
            self.counts["passed"] += 1
            return None
        kind = self._random.choice(self.kinds)
        self.counts[kind] += 1
        if kind == "timeout":
            return Outage(kind, hang_seconds=self.hang_seconds)
        status = int(kind)
        if status == 429:
            return Outage(kind, 429, shapes.error(SECONDARY_RATE_LIMIT, 429), {"Retry-After": "1"})
        return Outage(kind, status, shapes.error(HTTPStatus(status).phrase, status))

"""The job queue's health as the dashboard shows it: jobs per status, the longest wait, stuck and failed jobs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

JOB_STATUSES = ("queued", "running", "done", "failed")
THROUGHPUT_HOURS = 24


@dataclass(frozen=True)
class QueuedJob:
    """One job as the queue page lists it (never its payload): what it is, where it stands, what went wrong last."""

    id: int
    event: str
    action: str
    repo: str | None
    status: str
    attempts: int
    created_at: datetime
    run_after: datetime
    locked_by: str | None
    locked_until: datetime | None
    finished_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class HourCount:
    """Jobs that finished in one hour (UTC): done, and failed for good."""

    hour: datetime
    done: int
    failed: int


@dataclass(frozen=True)
class QueueHealth:
    """What the queue holds and how it moves, read at `now`.

    `oldest_waiting` is the due queued job that has waited longest for a worker (a job waiting for its retry is not
    due yet: `retrying` counts those); `stuck` are running jobs whose lease ran out (their worker stopped, or cannot
    renew it), which the next claim will take again.
    """

    now: datetime
    counts: Mapping[str, int]
    oldest_waiting: QueuedJob | None
    retrying: int
    stuck: Sequence[QueuedJob]
    failed: Sequence[QueuedJob]
    per_hour: Sequence[HourCount]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def longest_wait(self) -> timedelta | None:
        """How long the oldest due job has waited for a worker (since it became due)."""
        if self.oldest_waiting is None:
            return None
        return max(self.now - self.oldest_waiting.run_after, timedelta(0))


def hour_starts(now: datetime, hours: int = THROUGHPUT_HOURS) -> list[datetime]:
    """The starts of the last `hours` hours up to now's, oldest first."""
    current = now.replace(minute=0, second=0, microsecond=0)
    return [current - timedelta(hours=hours - 1 - n) for n in range(hours)]


def short_duration(span: timedelta) -> str:
    """A wait in the largest units that say it: "45 s", "12 min", "3 h 5 min", "2 d 4 h"."""
    seconds = int(span.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if hours < 1:
        return f"{minutes} min"
    if days < 1:
        return f"{hours} h {minutes % 60} min"
    return f"{days} d {hours % 24} h"

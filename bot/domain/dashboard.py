"""The dashboard's figures: runs and failures per day, duration percentiles, and the audit log's filter."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

# Results a run ends with when nothing went wrong; anything else ("failed: …", "interrupted", an error) failed.
OK_RESULTS = frozenset({"ok", "completed", "unchanged"})


def run_failed(result: str | None) -> bool:
    """Whether a finished run failed; a run still going (no result) has not."""
    return result is not None and result not in OK_RESULTS


@dataclass(frozen=True)
class RunTime:
    """When a run started and ended, what it ran and how it ended: all the charts read of a run."""

    started_at: datetime
    ended_at: datetime | None
    command: str
    result: str | None


@dataclass(frozen=True)
class DayCount:
    """Runs started on one day (UTC), and how many of them failed."""

    day: date
    runs: int
    failed: int


def per_day(runs: Iterable[RunTime], today: date, days: int) -> list[DayCount]:
    """The last `days` days up to today, oldest first, a day without runs included with zeros."""
    first = today - timedelta(days=days - 1)
    totals = {first + timedelta(days=n): [0, 0] for n in range(days)}
    for run in runs:
        row = totals.get(run.started_at.date())
        if row is not None:
            row[0] += 1
            row[1] += run_failed(run.result)
    return [DayCount(day, runs, failed) for day, (runs, failed) in totals.items()]


def seconds_of(runs: Iterable[RunTime]) -> list[float]:
    """How long each finished run took."""
    return [(run.ended_at - run.started_at).total_seconds() for run in runs if run.ended_at is not None]


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile (share 0.5: the median), or None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


RESULT_FILTERS = ("ok", "failed")


@dataclass(frozen=True)
class AuditFilter:
    """Which audit entries a page shows: by person, action, result ("ok" or "failed") and repository; None: any."""

    actor: str | None = None
    action: str | None = None
    result: str | None = None
    repo: str | None = None

    def __post_init__(self) -> None:
        if self.result is not None and self.result not in RESULT_FILTERS:
            raise ValueError(f"result filter {self.result!r} is not one of {RESULT_FILTERS}")


@dataclass(frozen=True)
class StoreCounts:
    """How much the store holds, and its newest audit entry: what the live updates compare."""

    runs: int
    failed_runs: int
    plans: int
    locks: int
    audit_entries: int
    newest_audit_id: int
    interactions: int
    fix_attempts: int
    drift_checks: int
    # The App's job queue (empty where there is none: the CLI's store), so its page follows the jobs live.
    queued_jobs: int
    running_jobs: int
    failed_jobs: int


def within(day_start: datetime, days: int) -> datetime:
    """The start of the first of `days` days ending on day_start's day (the charts' window)."""
    midnight = day_start.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - timedelta(days=days - 1)

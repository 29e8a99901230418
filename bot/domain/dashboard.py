"""The dashboard's figures: runs and failures per day, plan duration percentiles, and the audit log's filter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

# Results a run ends with when nothing went wrong; anything else ("failed: …", "interrupted", an error) failed.
OK_RESULTS = frozenset({"ok", "completed", "unchanged"})


def run_failed(result: str | None) -> bool:
    """Whether a finished run failed; a run still going (no result) has not."""
    return result is not None and result not in OK_RESULTS


@dataclass(frozen=True)
class RunDay:
    """One day's runs (UTC): how many started and failed, and how long its finished plans took (nearest-rank p50 and
    p95 in seconds, None without any)."""

    day: date
    runs: int
    failed: int
    timed_plans: int = 0
    plan_p50: float | None = None
    plan_p95: float | None = None


def chart_days(today: date, days: int) -> list[date]:
    """The last `days` days up to today, oldest first (the charts' x axis)."""
    return [today - timedelta(days=n) for n in range(days - 1, -1, -1)]


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

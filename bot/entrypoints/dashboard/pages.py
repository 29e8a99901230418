"""What each dashboard page shows, read from the store: plain values for the templates, nothing rendered here.

Each takes `repos`, the reader's repositories (None: every row, the local dashboard), and reads only their rows:
required, never defaulted, so a page cannot forget it and show every row in the App.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.dashboard import AuditFilter, run_failed
from bot.domain.drift import DriftCheck
from bot.domain.queue_health import JOB_STATUSES, short_duration
from bot.entrypoints.dashboard.charts import Chart, bar_chart, line_chart
from bot.ports import Store

CHART_DAYS = 14
MAX_PAGE_SIZE = 200
QUEUE_FAILED_SHOWN = 20
FIX_RATE_WINDOW = 1000  # the success rates count the latest attempts, as `olympus eval fixes` reads them


@dataclass(frozen=True)
class Source:
    """The store the pages read and the repositories (as the store names them) whose drift they show."""

    store: Store
    repos: Sequence[str]
    clock: Callable[[], datetime]


Repos = Collection[str] | None


def overview(source: Source, repos: Repos) -> dict[str, Any]:
    store = source.store
    days = store.run_days(source.clock().date(), CHART_DAYS, repos=repos)
    day_labels = [f"{d.day:%m-%d}" for d in days]
    rates = store.fix_rates(limit=FIX_RATE_WINDOW, repos=repos)
    charts: list[Chart] = [
        bar_chart(
            f"Runs and failures per day, the last {CHART_DAYS} days",
            day_labels,
            [("runs", [d.runs for d in days]), ("failed", [d.failed for d in days])],
        )
    ]
    if any(d.timed_plans for d in days):
        charts.append(
            line_chart(
                "Plan duration per day in seconds, median (p50) and p95",
                day_labels,
                [("p50", [d.plan_p50 for d in days]), ("p95", [d.plan_p95 for d in days])],
            )
        )
    if rates:
        charts.append(
            bar_chart(
                "Fix success rate per failure class, percent of attempts verified",
                [r.failure_class for r in rates],
                [("verified %", [round(100 * r.success_rate, 1) for r in rates])],
            )
        )
    return {
        "counts": store.store_counts(repos=repos),
        "charts": charts,
        "days": days,
        "rates": rates,
        "recent_audit": store.audit_page(limit=5, repos=repos),
    }


def runs(source: Source, size: int, before: int | None, repos: Repos) -> dict[str, Any]:
    page = source.store.runs_page(limit=size + 1, before=before, repos=repos)
    rows = [
        {
            "run": run,
            "failed": run_failed(run.result),
            "seconds": None if run.ended_at is None else (run.ended_at - run.started_at).total_seconds(),
            "steps": _steps(run.detail),
        }
        for run in page[:size]
    ]
    return {"rows": rows, **_pager(page, size, before, lambda run: run.id)}


def locks(source: Source, repos: Repos) -> dict[str, Any]:
    return {"locks": source.store.locks(repos=repos)}


def plans(source: Source, size: int, repos: Repos) -> dict[str, Any]:
    return {"plans": source.store.recent_plans(limit=size, repos=repos), "size": size}


def audit(source: Source, which: AuditFilter, size: int, before: int | None, repos: Repos) -> dict[str, Any]:
    page = source.store.audit_page(which, limit=size + 1, before=before, repos=repos)
    return {"entries": page[:size], "which": which, **_pager(page, size, before, lambda entry: entry.id)}


def drift(source: Source, repos: Repos) -> dict[str, Any]:
    shown = source.repos if repos is None else sorted(repos)
    # One read for all of them (a reader may have hundreds), in the repositories' order as given locally.
    found = source.store.drift_checks_in(shown)
    checks: list[DriftCheck] = [check for repo in shown for check in found if check.repo == repo]
    return {"checks": checks}


def interactions(source: Source, size: int, repos: Repos) -> dict[str, Any]:
    return {"interactions": source.store.interactions(limit=size, repos=repos), "size": size}


def fixes(source: Source, size: int, repos: Repos) -> dict[str, Any]:
    rates = source.store.fix_rates(limit=FIX_RATE_WINDOW, repos=repos)
    return {"attempts": source.store.fix_attempts(limit=size, repos=repos), "rates": rates, "size": size}


def queue(source: Source, repos: Repos) -> dict[str, Any]:
    health = source.store.job_queue_health(source.clock(), failed_limit=QUEUE_FAILED_SHOWN, repos=repos)
    charts: list[Chart] = []
    if any(hour.done or hour.failed for hour in health.per_hour):
        charts.append(
            bar_chart(
                f"Jobs finished per hour (UTC), the last {len(health.per_hour)} hours",
                [f"{hour.hour:%H}:00" for hour in health.per_hour],
                [("done", [h.done for h in health.per_hour]), ("failed", [h.failed for h in health.per_hour])],
            )
        )
    wait = health.longest_wait
    return {
        "health": health,
        "statuses": JOB_STATUSES,
        "longest_wait": None if wait is None else short_duration(wait),
        "charts": charts,
    }


def _pager(page: Sequence[Any], size: int, before: int | None, key: Callable[[Any], int]) -> dict[str, Any]:
    """One more row than the page holds was read: it says whether an older page exists, without a count."""
    return {"size": size, "before": before, "older": key(page[size - 1]) if len(page) > size else None}


def _steps(detail: Any) -> list[tuple[str, list[tuple[str, float]]]]:
    """A run's step timings as its detail records them, in groups: the run's own steps (the scanners) under "",
    then each project's ({"steps": {"checkov": 2.1}, "projects": {"envs-dev": {"init": 1.2, "plan": 3.4}}}).

    A project without timings (its lock was held by another change) is left out; an older run's "projects" (a
    list of names) holds none.
    """
    if not isinstance(detail, Mapping):
        return []
    groups = [("", _timings(detail.get("steps")))]
    projects = detail.get("projects")
    if isinstance(projects, Mapping):
        groups += [(str(name), _timings(steps)) for name, steps in projects.items()]
    return [(name, timings) for name, timings in groups if timings]


def _timings(steps: Any) -> list[tuple[str, float]]:
    if not isinstance(steps, Mapping):
        return []
    return [
        (str(name), float(value))
        for name, value in steps.items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    ]

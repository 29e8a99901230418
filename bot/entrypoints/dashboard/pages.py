"""What each dashboard page shows, read from the store: plain values for the templates, nothing rendered here."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.domain.dashboard import AuditFilter, RunTime, per_day, percentile, run_failed, seconds_of, within
from bot.domain.drift import DriftCheck
from bot.entrypoints.dashboard.charts import Chart, bar_chart, line_chart
from bot.ports import Store

CHART_DAYS = 14
MAX_PAGE_SIZE = 200
FIX_RATE_WINDOW = 1000  # the success rates count the latest attempts, as `olympus eval fixes` reads them


@dataclass(frozen=True)
class Source:
    """The store the pages read and the repositories (as the store names them) whose drift they show."""

    store: Store
    repos: Sequence[str]
    clock: Callable[[], datetime]


def overview(source: Source) -> dict[str, Any]:
    store = source.store
    now = source.clock()
    since = within(now, CHART_DAYS)
    recent = store.run_times(since)
    days = per_day(recent, now.date(), CHART_DAYS)
    day_labels = [f"{d.day:%m-%d}" for d in days]
    plan_runs: dict[date, list[RunTime]] = {}
    for run in recent:
        if run.command == "plan":
            plan_runs.setdefault(run.started_at.date(), []).append(run)
    plan_days = []
    for day in days:
        seconds = seconds_of(plan_runs.get(day.day, ()))
        plan_days.append((day.day, percentile(seconds, 0.5), percentile(seconds, 0.95), len(seconds)))
    rates = store.fix_rates(limit=FIX_RATE_WINDOW)
    charts: list[Chart] = [
        bar_chart(
            f"Runs and failures per day, the last {CHART_DAYS} days",
            day_labels,
            [("runs", [d.runs for d in days]), ("failed", [d.failed for d in days])],
        )
    ]
    if any(count for *_, count in plan_days):
        charts.append(
            line_chart(
                "Plan duration per day in seconds, median (p50) and p95",
                day_labels,
                [("p50", [p50 for _, p50, _, _ in plan_days]), ("p95", [p95 for _, _, p95, _ in plan_days])],
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
        "counts": store.store_counts(),
        "charts": charts,
        "days": days,
        "plan_days": plan_days,
        "rates": rates,
        "recent_audit": store.audit_page(limit=5),
    }


def runs(source: Source, size: int, before: int | None) -> dict[str, Any]:
    page = source.store.runs_page(limit=size + 1, before=before)
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


def locks(source: Source) -> dict[str, Any]:
    return {"locks": source.store.locks()}


def plans(source: Source, size: int) -> dict[str, Any]:
    return {"plans": source.store.recent_plans(limit=size), "size": size}


def audit(source: Source, which: AuditFilter, size: int, before: int | None) -> dict[str, Any]:
    page = source.store.audit_page(which, limit=size + 1, before=before)
    return {"entries": page[:size], "which": which, **_pager(page, size, before, lambda entry: entry.id)}


def drift(source: Source) -> dict[str, Any]:
    checks: list[DriftCheck] = [check for repo in source.repos for check in source.store.drift_checks(repo)]
    return {"checks": checks}


def interactions(source: Source, size: int) -> dict[str, Any]:
    return {"interactions": source.store.interactions(limit=size), "size": size}


def fixes(source: Source, size: int) -> dict[str, Any]:
    rates = source.store.fix_rates(limit=FIX_RATE_WINDOW)
    return {"attempts": source.store.fix_attempts(limit=size), "rates": rates, "size": size}


def _pager(page: Sequence[Any], size: int, before: int | None, key: Callable[[Any], int]) -> dict[str, Any]:
    """One more row than the page holds was read: it says whether an older page exists, without a count."""
    return {"size": size, "before": before, "older": key(page[size - 1]) if len(page) > size else None}


def _steps(detail: Any) -> list[tuple[str, float]]:
    """A run's step timings when its detail records them ({"steps": {"init": 1.2, ...}}), else none."""
    steps = detail.get("steps") if isinstance(detail, Mapping) else None
    if not isinstance(steps, Mapping):
        return []
    return [(str(name), float(value)) for name, value in steps.items() if isinstance(value, int | float)]

"""The dashboard's figures: failures, runs per day with empty days, nearest-rank percentiles, the audit filter."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.dashboard import AuditFilter, RunTime, per_day, percentile, run_failed, seconds_of, within

DAY = datetime(2026, 12, 3, 15, 30, tzinfo=UTC)


def run(days_ago: int, result: str | None, seconds: float | None = 10, command: str = "plan") -> RunTime:
    started = DAY - timedelta(days=days_ago)
    return RunTime(started, None if seconds is None else started + timedelta(seconds=seconds), command, result)


def test_what_counts_as_failed() -> None:
    assert [run_failed(r) for r in ("ok", "completed", "unchanged", None)] == [False] * 4
    assert [run_failed(r) for r in ("failed: web", "interrupted", "RuntimeError: boom")] == [True] * 3


def test_runs_per_day_include_empty_days_and_leave_out_older_ones() -> None:
    runs = [run(0, "ok"), run(0, "failed: a"), run(2, "ok"), run(3, None), run(9, "failed: old")]
    days = per_day(runs, DAY.date(), 4)
    assert [(d.day, d.runs, d.failed) for d in days] == [
        (date(2026, 11, 30), 1, 0),
        (date(2026, 12, 1), 1, 0),
        (date(2026, 12, 2), 0, 0),
        (date(2026, 12, 3), 2, 1),
    ]
    assert within(DAY, 4) == datetime(2026, 11, 30, tzinfo=UTC)


def test_percentiles_are_nearest_rank_over_finished_runs() -> None:
    seconds = seconds_of([run(0, "ok", s) for s in (5, 1, 4, 2, 3)] + [run(0, None, None)])
    assert sorted(seconds) == [1, 2, 3, 4, 5]
    assert (percentile(seconds, 0.5), percentile(seconds, 0.95), percentile(seconds, 0.2)) == (3, 5, 1)
    assert percentile([], 0.5) is None


def test_the_audit_filter_knows_two_results() -> None:
    assert AuditFilter(actor="alice", result="failed").result == "failed"
    with pytest.raises(ValueError, match="not one of"):
        AuditFilter(result="maybe")

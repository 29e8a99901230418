"""The dashboard's figures: what failed, the charts' days, the audit filter (runs per day: tests/adapters)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.dashboard import AuditFilter, chart_days, run_failed


def test_what_counts_as_failed() -> None:
    assert [run_failed(r) for r in ("ok", "completed", "unchanged", None)] == [False] * 4
    assert [run_failed(r) for r in ("failed: web", "interrupted", "RuntimeError: boom")] == [True] * 3


def test_the_charts_days_end_today_oldest_first() -> None:
    assert chart_days(date(2026, 12, 2), 4) == [
        date(2026, 11, 29),
        date(2026, 11, 30),
        date(2026, 12, 1),
        date(2026, 12, 2),
    ]


def test_the_audit_filter_knows_two_results() -> None:
    assert AuditFilter(actor="alice", result="failed").result == "failed"
    with pytest.raises(ValueError, match="not one of"):
        AuditFilter(result="maybe")

"""The dashboard's reads on SQLite and PostgreSQL: keyset pages, filters, counts, and indexes rather than scans."""

from __future__ import annotations

import math
from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from dashboard_seed import AUDIT_ENTRIES, NOW, seed

from bot.adapters import sqlschema as t
from bot.adapters.sqlstore import SqlStore
from bot.domain.dashboard import AuditFilter


def test_pages_filters_and_counts(store_url: str) -> None:
    with SqlStore.open(store_url) as store:
        seed(store)
        newest = store.audit_page(limit=10)
        assert [e.id for e in newest] == list(range(AUDIT_ENTRIES + 1, AUDIT_ENTRIES - 9, -1))
        older = store.audit_page(limit=10, before=newest[-1].id)
        assert older[0].id == newest[-1].id - 1 and len(older) == 10
        bob = store.audit_page(AuditFilter(actor="bob", result="failed"), limit=100)
        assert bob and all(e.actor == "bob" and e.result != "ok" for e in bob)
        assert all(e.action == "approve" for e in store.audit_page(AuditFilter(action="approve"), limit=100))
        runs = store.runs_page(limit=2)
        assert [r.id for r in runs] == [4, 3] and [r.id for r in store.runs_page(limit=5, before=3)] == [2, 1]
        days = store.run_days(NOW.date(), 4)
        assert [(d.day.day, d.runs, d.failed, d.timed_plans, d.plan_p50) for d in days] == [
            (30, 0, 0, 0, None),
            (1, 1, 0, 1, 30.0),
            (2, 1, 1, 1, 50.0),
            (3, 1, 0, 1, 40.0),
        ]
        assert [p.project for p in store.recent_plans()] == ["envs-dev"]
        counts = store.store_counts()
        assert (counts.runs, counts.failed_runs, counts.plans, counts.locks) == (4, 1, 1, 1)
        assert (counts.audit_entries, counts.newest_audit_id, counts.interactions) == (31, 31, 1)
        assert (counts.fix_attempts, counts.drift_checks) == (3, 2)


def nearest_rank(values: list[float], percent: int) -> float:
    """The nearest-rank percentile as its definition reads, to hold the store's SQL to."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(percent * len(ordered) / 100)) - 1]


def test_runs_per_day_are_counted_by_the_database_at_utc_midnights(store_url: str) -> None:
    today = NOW.date()
    midnight = datetime.combine(today, time(), UTC)
    # A day of n finished plans of n distinct durations (1..25 plans: every rank rule's edge), a failed apply and
    # a plan still going; one run just before the window and one just after today, which no day counts.
    durations = {days_ago: [float((7 * k) % 31) + 0.25 for k in range(1, days_ago * 3 + 2)] for days_ago in range(9)}
    with SqlStore.open(store_url) as store:
        rows: list[dict[str, Any]] = []
        for days_ago, seconds in durations.items():
            start = midnight - timedelta(days=days_ago) + timedelta(hours=12)
            rows += [
                {"command": "plan", "started_at": start, "ended_at": start + timedelta(seconds=s)} for s in seconds
            ]
            rows.append({"command": "apply", "started_at": start, "ended_at": start, "result": "failed: x"})
            rows.append({"command": "plan", "started_at": start, "ended_at": None, "result": None})
        rows.append({"command": "plan", "started_at": midnight - timedelta(days=9, microseconds=1), "ended_at": NOW})
        rows.append({"command": "plan", "started_at": midnight + timedelta(days=1), "ended_at": NOW})
        with store.engine.begin() as connection:
            defaults = {"change_id": "c", "actor": "a", "commit_sha": "f", "result": "ok"}
            connection.execute(t.runs.insert(), [defaults | row for row in rows])
        days = store.run_days(today, 9)
        assert [d.day for d in days] == [today - timedelta(days=n) for n in range(8, -1, -1)]
        for day in days:
            seconds = durations[(today - day.day).days]
            assert (day.runs, day.failed, day.timed_plans) == (len(seconds) + 2, 1, len(seconds))
            assert (day.plan_p50, day.plan_p95) == (nearest_rank(seconds, 50), nearest_rank(seconds, 95)), day


def test_a_filtered_audit_page_walks_an_index(sqlite_url: str) -> None:
    with SqlStore.open(sqlite_url) as store:
        seed(store)
        statements: list[tuple[str, Any]] = []

        def keep(connection: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
            statements.append((statement, parameters))

        sa.event.listen(store.engine, "before_cursor_execute", keep)
        for which in (AuditFilter(actor="bob"), AuditFilter(action="approve")):
            statements.clear()
            store.audit_page(which, limit=10, before=20)
            statement, parameters = statements[-1]
            with store.engine.connect() as connection:
                plan = " ".join(
                    row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
                )
            assert "USING INDEX ix_audit_log_" in plan or "USING COVERING INDEX ix_audit_log_" in plan, plan

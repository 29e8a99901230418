"""The dashboard's reads on SQLite and PostgreSQL: keyset pages, filters, counts, and indexes rather than scans."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from dashboard_seed import AUDIT_ENTRIES, NOW, seed

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
        times = store.run_times(NOW - timedelta(days=1, hours=2))
        assert [(r.command, r.result) for r in times[-2:]] == [("plan", "ok"), ("plan", "failed: web")]
        assert (times[-1].ended_at - times[-1].started_at).total_seconds() == 50
        assert [p.project for p in store.recent_plans()] == ["envs-dev"]
        counts = store.store_counts()
        assert (counts.runs, counts.failed_runs, counts.plans, counts.locks) == (4, 1, 1, 1)
        assert (counts.audit_entries, counts.newest_audit_id, counts.interactions) == (31, 31, 1)
        assert (counts.fix_attempts, counts.drift_checks) == (3, 2)


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

"""The job queue's health read on SQLite and PostgreSQL, and on SQLite through the queue's index, never a scan."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from dashboard_seed import HOSTILE, NOW, seed_jobs

from bot.adapters.sqlstore import SqlStore


def test_counts_waits_stuck_failed_and_throughput(store_url: str) -> None:
    with SqlStore.open(store_url) as store:
        seed_jobs(store)
        health = store.job_queue_health(NOW, failed_limit=5)
    assert dict(health.counts) == {"queued": 2, "running": 1, "done": 2, "failed": 1} and health.total == 6
    assert health.oldest_waiting is not None and health.oldest_waiting.id == 6
    assert health.longest_wait is not None and health.longest_wait.total_seconds() == 7 * 60
    assert health.retrying == 1
    assert [(job.id, job.locked_by, job.attempts) for job in health.stuck] == [(4, "worker-1", 1)]
    (failed,) = health.failed
    assert (failed.event, failed.repo, failed.attempts) == ("pull_request", HOSTILE, 1)
    assert failed.last_error is not None and "ghp_" not in failed.last_error
    busy = [(h.hour.hour, h.done, h.failed) for h in health.per_hour if h.done or h.failed]
    assert busy == [(6, 1, 0), (7, 0, 1), (8, 1, 0)] and len(health.per_hour) == 24


def test_the_failed_jobs_listed_are_bounded_by_the_limit(sqlite_url: str) -> None:
    with SqlStore.open(sqlite_url) as store:
        seed_jobs(store)
        assert store.job_queue_health(NOW, failed_limit=0).failed == []


def test_every_read_of_the_jobs_table_walks_its_index(sqlite_url: str) -> None:
    with SqlStore.open(sqlite_url) as store:
        seed_jobs(store)
        statements: list[tuple[str, Any]] = []

        def keep(connection: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
            statements.append((statement, parameters))

        sa.event.listen(store.engine, "before_cursor_execute", keep)
        store.job_queue_health(NOW)
        sa.event.remove(store.engine, "before_cursor_execute", keep)
        reads = [(s, p) for s, p in statements if "FROM jobs" in s]
        assert len(reads) == 6
        with store.engine.connect() as connection:
            for statement, parameters in reads:
                plan = " ".join(
                    row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
                )
                assert "INDEX ix_jobs_status_run_after" in plan, (statement, plan)

"""The dashboard's reads of the store: pages of runs and audit entries, timings, counts and the job queue."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy.engine import Engine

from bot.adapters.sql_dashboard import audit_page, run_days, runs_page, store_counts
from bot.adapters.sql_queue_health import queue_health
from bot.domain.dashboard import AuditFilter, RunDay, StoreCounts
from bot.domain.queue_health import QueueHealth
from bot.domain.records import AuditEntry, RunRecord


class DashboardReads:
    """SqlStore's part for the dashboard (bot/adapters/sql_dashboard.py): keyset pages, scoped to `repos`."""

    engine: Engine

    def audit_log(self, limit: int = 100) -> list[AuditEntry]:
        """The latest entries, newest first (the dashboard's first unfiltered page)."""
        return audit_page(self.engine, AuditFilter(), limit)

    def runs_page(
        self, limit: int = 50, before: int | None = None, *, repos: Collection[str] | None = None
    ) -> list[RunRecord]:
        return runs_page(self.engine, limit, before, repos)

    def run_days(self, today: date, days: int, *, repos: Collection[str] | None = None) -> list[RunDay]:
        return run_days(self.engine, today, days, repos)

    def audit_page(
        self,
        which: AuditFilter | None = None,
        limit: int = 50,
        before: int | None = None,
        *,
        repos: Collection[str] | None = None,
    ) -> list[AuditEntry]:
        return audit_page(self.engine, which or AuditFilter(), limit, before, repos)

    def store_counts(self, *, repos: Collection[str] | None = None) -> StoreCounts:
        return store_counts(self.engine, repos)

    def job_queue_health(
        self, now: datetime, failed_limit: int = 20, *, repos: Collection[str] | None = None
    ) -> QueueHealth:
        return queue_health(self.engine, now, failed_limit, repos=repos)

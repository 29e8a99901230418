"""The dashboard benchmark's query plans: the store's reads behind the pages, their SQL, EXPLAIN ANALYZE and timings."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from dashboard_rows import ACTORS, OLD_REPOS

from bot.adapters.sqlstore import SqlStore
from bot.domain.dashboard import AuditFilter


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else 0.0


# A count reads every row by definition (PostgreSQL keeps no row count): the overview's counts and each live update's
# tick are one such query, timed below rather than held to "no sequential scan".
COUNTS = "store counts"
# What the labels of the reads scoped to a reader's repositories end with.
SCOPED = ", scoped"
# No index is added for the audit log's "failed" filter (`result NOT IN ('ok', 'completed', 'unchanged')`): the page
# walks the primary key backwards and keeps the failed entries, about 1 in 12 here, so a page of 50 reads ~600 rows
# (well under a millisecond). Were failures far rarer, a partial index would keep that walk short:
#     CREATE INDEX ix_audit_log_failed_id ON audit_log (id) WHERE result NOT IN ('ok', 'completed', 'unchanged')
# (SQLite has partial indexes too; the query must then name the same three results, as it does).


def store_reads(
    store: SqlStore, now: datetime, deep_audit: int, deep_run: int, repos: Collection[str] | None = None
) -> list[tuple[str, Callable[[], object]]]:
    """The store's reads behind the pages, with the arguments the pages pass: every row (repos None, the local
    dashboard), or those of `repos` (the App's reader), labelled so."""
    of = None if repos is None else sorted(repos)
    reads: list[tuple[str, Callable[[], object]]] = [
        ("runs page", lambda: store.runs_page(51, repos=of)),
        ("runs, deep page", lambda: store.runs_page(51, before=deep_run, repos=of)),
        ("runs per day, 14 days", lambda: store.run_days(now.date(), 14, repos=of)),
        ("audit page", lambda: store.audit_page(limit=51, repos=of)),
        ("audit, deep page", lambda: store.audit_page(limit=51, before=deep_audit, repos=of)),
        ("audit by actor", lambda: store.audit_page(AuditFilter(actor=ACTORS[6]), limit=51, repos=of)),
        ("audit by a rare actor", lambda: store.audit_page(AuditFilter(actor=ACTORS[-1]), limit=51, repos=of)),
        ("audit by action", lambda: store.audit_page(AuditFilter(action="unlock"), limit=51, repos=of)),
        ("audit failed", lambda: store.audit_page(AuditFilter(result="failed"), limit=51, repos=of)),
        (
            "audit failed, deep",
            lambda: store.audit_page(AuditFilter(result="failed"), limit=51, before=deep_audit, repos=of),
        ),
        (COUNTS, lambda: store.store_counts(repos=of)),
        ("fix rates, latest 1000", lambda: store.fix_rates(limit=1000, repos=of)),
        ("fix attempts, 50", lambda: store.fix_attempts(limit=50, repos=of)),
        ("recent plans", lambda: store.recent_plans(50, repos=of)),
        ("interactions", lambda: store.interactions(50, repos=of)),
        ("locks", lambda: store.locks(repos=of)),
        ("queue health", lambda: store.job_queue_health(now, failed_limit=20, repos=of)),
    ]
    if of is None:
        return reads
    # A reader of repositories busy only long ago: their rows are the oldest 1 %, behind everyone else's.
    old = sorted(OLD_REPOS)
    reads += [
        ("audit page, old repos", lambda: store.audit_page(limit=51, repos=old)),
        ("audit failed, old repos", lambda: store.audit_page(AuditFilter(result="failed"), limit=51, repos=old)),
        ("runs page, old repos", lambda: store.runs_page(51, repos=old)),
    ]
    return [(f"{label}{SCOPED}", read) for label, read in reads]


def page_statements(store: SqlStore, reads: Sequence[tuple[str, Callable[[], object]]]) -> list[tuple[str, str, Any]]:
    """(label, SQL, parameters) of each read, as the store sends them."""
    sent: list[tuple[str, Any]] = []

    def keep(connection: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        sent.append((statement, parameters))

    statements = []
    sa.event.listen(store.engine, "before_cursor_execute", keep)
    try:
        for label, read in reads:
            sent.clear()
            read()
            statements += [(label, statement, parameters) for statement, parameters in sent]
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", keep)
    return statements


def read_ms(reads: Sequence[tuple[str, Callable[[], object]]], runs: int = 11) -> dict[str, float]:
    """Each read's median time in this process, rows turned into records included."""
    medians = {}
    for label, read in reads:
        took = []
        for _ in range(runs):
            started = time.perf_counter()
            read()
            took.append((time.perf_counter() - started) * 1000)
        medians[label] = percentile(took, 0.5)
    return medians


def explain(engine: sa.Engine, statements: Sequence[tuple[str, str, Any]]) -> list[tuple[str, list[str]]]:
    """Each statement's plan (EXPLAIN ANALYZE), as lines."""
    plans = []
    with engine.connect() as connection:
        for label, statement, parameters in statements:
            rows = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS OFF) " + statement, parameters)
            plans.append((label, [row[0] for row in rows]))
    return plans


def full_scans(plans: Sequence[tuple[str, list[str]]]) -> list[str]:
    """The queries (the counts aside) whose plan reads the whole audit_log or runs table."""
    whole = ("Seq Scan on audit_log", "Seq Scan on runs")
    return [
        label
        for label, lines in plans
        if label.removesuffix(SCOPED) != COUNTS and any(scan in line for line in lines for scan in whole)
    ]

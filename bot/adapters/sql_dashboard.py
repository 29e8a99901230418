"""The dashboard's reads: pages of runs and audit entries by keyset (never a full scan), recent plans, counts.

Each read takes `repos`, the reader's repositories: None reads every row (the local dashboard, one repository), a
collection only rows whose `repo` is in it (a row naming none is nobody's). The pages of runs and audit entries read
each repository's newest rows on its (repo, id) index and keep the newest of those (`newest_first`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.adapters import sqlschema as t
from bot.domain.dashboard import OK_RESULTS, AuditFilter, RunTime, StoreCounts
from bot.domain.records import AuditEntry, RunRecord

Repos = Collection[str] | None

# Up to this many repositories, a page of runs or audit entries is one keyset read per repository (UNION ALL); past
# it, one `repo IN (...)` filter on the primary key's walk (SQLite allows 500 terms in a compound select, and a
# reader of that many repositories has most rows in them: the walk then stops soon).
PER_REPO_READS = 32


def scoped(query: Any, column: sa.ColumnElement[Any], repos: Repos) -> Any:
    """query narrowed to the rows of `repos` (None: unchanged)."""
    return query if repos is None else query.where(column.in_(sorted(repos)))


def newest_first(query: sa.Select[Any], table: sa.Table, limit: int, repos: Repos) -> sa.Select[Any]:
    """query (all of table's columns, its filters) as its newest `limit` rows, of `repos` when given.

    `repo IN (a, b) ORDER BY id DESC LIMIT n` makes PostgreSQL walk the primary key backwards and skip the other
    repositories' rows: quick while the reader's rows are among the newest, but a reader of repositories that were
    busy long ago waits for the walk through everyone else's (98,500 rows skipped for 51 in benchmarks/
    bench_dashboard.py's store). One read per repository down its (repo, id) index reads at most `limit` rows each.
    """
    newest = table.c.id.desc()
    if repos is None or len(repos) > PER_REPO_READS:
        walk: sa.Select[Any] = scoped(query.order_by(newest).limit(limit), table.c.repo, repos)
        return walk
    per_repo = [query.where(table.c.repo == repo).order_by(newest).limit(limit) for repo in sorted(repos)]
    if len(per_repo) < 2:  # one repository (or none: no row) needs no union
        return per_repo[0] if per_repo else query.where(sa.false()).limit(limit)
    union = sa.union_all(*(sa.select(read.subquery()) for read in per_repo)).subquery()
    return sa.select(union).order_by(union.c.id.desc()).limit(limit)


def runs_page(engine: Engine, limit: int, before: int | None = None, repos: Repos = None) -> list[RunRecord]:
    """Up to limit runs older than the run `before` (None: the newest), newest first."""
    query = sa.select(t.runs)
    if before is not None:
        query = query.where(t.runs.c.id < before)
    query = newest_first(query, t.runs, limit, repos)
    with engine.connect() as connection:
        return [run_record(row) for row in connection.execute(query)]


def run_times(engine: Engine, since: datetime, limit: int = 50_000, repos: Repos = None) -> list[RunTime]:
    """The runs started since `since`, newest first, as the charts read them (four columns, no detail)."""
    runs = t.runs.c
    query = (
        sa.select(runs.started_at, runs.ended_at, runs.command, runs.result)
        .where(runs.started_at >= since)
        .order_by(runs.started_at.desc())
        .limit(limit)
    )
    with engine.connect() as connection:
        rows = connection.execute(scoped(query, runs.repo, repos)).all()  # thousands of rows: fetched at once
    return [RunTime(*row) for row in rows]


def audit_page(
    engine: Engine, which: AuditFilter, limit: int, before: int | None = None, repos: Repos = None
) -> list[AuditEntry]:
    """Up to limit entries matching `which`, older than the entry `before` (None: the newest), newest first."""
    table = t.audit_log
    query = sa.select(table)
    if which.repo:
        query = query.where(table.c.repo == which.repo)
    if before is not None:
        query = query.where(table.c.id < before)
    if which.actor:
        query = query.where(table.c.actor == which.actor)
    if which.action:
        query = query.where(table.c.action == which.action)
    if which.result == "ok":
        query = query.where(table.c.result.in_(sorted(OK_RESULTS)))
    elif which.result == "failed":
        query = query.where(table.c.result.not_in(sorted(OK_RESULTS)))
    query = newest_first(query, table, limit, repos)
    with engine.connect() as connection:
        return [
            AuditEntry(
                id=row.id,
                actor=row.actor,
                action=row.action,
                params=row.params,
                started_at=row.started_at,
                ended_at=row.ended_at,
                result=row.result,
                repo=row.repo,
            )
            for row in connection.execute(query)
        ]


def store_counts(engine: Engine, repos: Repos = None) -> StoreCounts:
    """Every table's row count and the newest audit entry's id (of `repos`' rows), in one query (each table read
    once)."""

    def count(table: sa.Table, *where: Any) -> sa.ScalarSelect[Any]:
        query: sa.Select[Any] = scoped(sa.select(sa.func.count()).select_from(table).where(*where), table.c.repo, repos)
        return query.scalar_subquery()

    failed = sa.and_(t.runs.c.result.is_not(None), t.runs.c.result.not_in(sorted(OK_RESULTS)))
    runs = scoped(sa.select(sa.func.count(), sa.func.count().filter(failed)).select_from(t.runs), t.runs.c.repo, repos)
    audit = sa.select(sa.func.count(), sa.func.coalesce(sa.func.max(t.audit_log.c.id), 0)).select_from(t.audit_log)
    audit_counts = scoped(audit, t.audit_log.c.repo, repos).subquery()
    runs = runs.subquery()
    query = sa.select(
        *runs.c,
        count(t.plans),
        count(t.locks),
        *audit_counts.c,
        count(t.model_interactions),
        count(t.fix_attempts),
        count(t.drift_checks),
        *(count(t.jobs, t.jobs.c.status == status) for status in ("queued", "running", "failed")),
    ).select_from(runs.join(audit_counts, sa.true()))  # one row each
    with engine.connect() as connection:
        row = connection.execute(query).one()
    return StoreCounts(*(int(value) for value in row))


def run_record(row: sa.Row[Any]) -> RunRecord:
    """A `runs` row as the store hands it out (the store's own reads use it too)."""
    return RunRecord(
        id=row.id,
        change_id=row.change_id,
        command=row.command,
        actor=row.actor,
        commit=row.commit_sha,
        started_at=row.started_at,
        ended_at=row.ended_at,
        result=row.result,
        detail=row.detail or {},
        repo=row.repo,
    )

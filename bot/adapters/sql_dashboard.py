"""The dashboard's reads: pages of runs and audit entries by keyset (never a full scan), runs per day, counts.

Each read takes `repos`, the reader's repositories: None reads every row (the local dashboard, one repository), a
collection only rows whose `repo` is in it (a row naming none is nobody's). The pages of runs and audit entries read
each repository's newest rows on its (repo, id) index and keep the newest of those (`newest_first`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.adapters import sqlschema as t
from bot.domain.dashboard import OK_RESULTS, AuditFilter, RunDay, StoreCounts, chart_days
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


def run_days(engine: Engine, today: date, days: int, repos: Repos = None) -> list[RunDay]:
    """The last `days` UTC days up to today, oldest first (a day without runs too): each day's runs, failures and
    finished plans' duration p50/p95, counted by the database in one read rather than fetched run by run."""
    runs = t.runs.c
    starts = [datetime.combine(day, time(), UTC) for day in chart_days(today, days)]
    latest_day_first = [(runs.started_at >= start, index) for index, start in reversed(list(enumerate(starts)))]
    day = sa.case(*latest_day_first).label("day")
    failed = sa.and_(runs.result.is_not(None), runs.result.not_in(sorted(OK_RESULTS)))
    timed = sa.case((sa.and_(runs.command == "plan", runs.ended_at.is_not(None)), 1), else_=0).label("timed")
    seconds = _seconds_between(engine, runs.started_at, runs.ended_at).label("seconds")
    one_day = sa.select(
        day,
        sa.case((failed, 1), else_=0).label("failed"),
        timed,
        seconds,
        sa.func.row_number().over(partition_by=(day, timed), order_by=seconds).label("rank"),
        sa.func.count().over(partition_by=(day, timed)).label("of"),
    ).where(runs.started_at >= starts[0], runs.started_at < starts[-1] + timedelta(days=1))
    each = scoped(one_day, runs.repo, repos).subquery()

    def at_percent(percent: int) -> sa.ColumnElement[Any]:
        # Nearest rank, ⌈percent·n/100⌉, in integers (the same on both databases; never 0 for n ≥ 1).
        rank = (percent * each.c.of + 99) // 100
        return sa.func.max(sa.case((sa.and_(each.c.timed == 1, each.c.rank == rank), each.c.seconds)))

    totals = (sa.func.count(), sa.func.sum(each.c.failed), sa.func.sum(each.c.timed))
    query = sa.select(each.c.day, *totals, at_percent(50), at_percent(95)).group_by(each.c.day)
    with engine.connect() as connection:
        found = {row[0]: row[1:] for row in connection.execute(query)}
    return [_run_day(start.date(), found.get(index)) for index, start in enumerate(starts)]


def _seconds_between(engine: Engine, start: Any, end: Any) -> sa.ColumnElement[Any]:
    """end − start in seconds, in SQL (SQLite keeps timestamps as text: julianday reads them, to the millisecond)."""
    if engine.dialect.name == "sqlite":
        return (sa.func.julianday(end) - sa.func.julianday(start)) * 86400.0
    return sa.extract("epoch", end - start)


def _run_day(day: date, found: Any) -> RunDay:
    if found is None:
        return RunDay(day, 0, 0)
    runs, failed, timed, p50, p95 = found
    return RunDay(day, int(runs), int(failed), int(timed), _millis(p50), _millis(p95))


def _millis(seconds: Any) -> float | None:
    return None if seconds is None else round(float(seconds), 3)


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

"""The dashboard's reads: pages of runs and audit entries by keyset (never a full scan), recent plans, counts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.adapters import sqlschema as t
from bot.domain.dashboard import OK_RESULTS, AuditFilter, RunTime, StoreCounts
from bot.domain.records import AuditEntry, RunRecord


def runs_page(engine: Engine, limit: int, before: int | None = None) -> list[RunRecord]:
    """Up to limit runs older than the run `before` (None: the newest), newest first."""
    query = sa.select(t.runs).order_by(t.runs.c.id.desc()).limit(limit)
    if before is not None:
        query = query.where(t.runs.c.id < before)
    with engine.connect() as connection:
        return [run_record(row) for row in connection.execute(query)]


def run_times(engine: Engine, since: datetime, limit: int = 50_000) -> list[RunTime]:
    """The runs started since `since`, newest first, as the charts read them (four columns, no detail)."""
    runs = t.runs.c
    query = (
        sa.select(runs.started_at, runs.ended_at, runs.command, runs.result)
        .where(runs.started_at >= since)
        .order_by(runs.started_at.desc())
        .limit(limit)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()  # thousands of rows: fetched at once, not one by one
    return [RunTime(*row) for row in rows]


def audit_page(engine: Engine, which: AuditFilter, limit: int, before: int | None = None) -> list[AuditEntry]:
    """Up to limit entries matching `which`, older than the entry `before` (None: the newest), newest first."""
    table = t.audit_log
    query = sa.select(table).order_by(table.c.id.desc()).limit(limit)
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
            )
            for row in connection.execute(query)
        ]


def store_counts(engine: Engine) -> StoreCounts:
    """Every table's row count and the newest audit entry's id, in one query (each table read once)."""

    def count(table: sa.Table) -> sa.ScalarSelect[Any]:
        return sa.select(sa.func.count()).select_from(table).scalar_subquery()

    failed = sa.and_(t.runs.c.result.is_not(None), t.runs.c.result.not_in(sorted(OK_RESULTS)))
    runs = sa.select(sa.func.count(), sa.func.count().filter(failed)).select_from(t.runs).subquery()
    audit = sa.select(sa.func.count(), sa.func.coalesce(sa.func.max(t.audit_log.c.id), 0)).select_from(t.audit_log)
    audit_counts = audit.subquery()
    query = sa.select(
        *runs.c,
        count(t.plans),
        count(t.locks),
        *audit_counts.c,
        count(t.model_interactions),
        count(t.fix_attempts),
        count(t.drift_checks),
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
    )

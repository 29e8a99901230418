"""Drift checks in the store: one row per repository and project, replaced by each newer check."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.adapters import sqlschema as t
from bot.adapters.store_engine import is_unique_violation
from bot.domain.drift import DriftCheck, DriftStatus


def record_drift_check(engine: Engine, check: DriftCheck) -> None:
    """Keep check as its project's latest; an issue number already recorded stays when check carries none."""
    table = t.drift_checks
    values: dict[str, Any] = {
        "checked_at": check.checked_at,
        "status": check.status.value,
        "detail": dict(check.detail),
        "since": check.since,
    }
    if check.issue_number is not None:
        values["issue_number"] = check.issue_number
    where = (table.c.repo == check.repo, table.c.project == check.project)
    # An update first, an insert when there was no row; two sweeps racing on a new project meet the unique
    # constraint, and the loser updates the winner's row instead (PostgreSQL and SQLite alike, no dialect upsert).
    for _ in range(2):
        try:
            with engine.begin() as connection:
                if connection.execute(table.update().where(*where).values(**values)).rowcount:
                    return
                connection.execute(table.insert().values(repo=check.repo, project=check.project, **values))
                return
        except IntegrityError as error:
            if not is_unique_violation(error):
                raise
    raise RuntimeError(f"could not record the drift check of {check.project}")


def drift_checks_of(engine: Engine, repos: Collection[str]) -> list[DriftCheck]:
    """The latest drift check of each project of those repositories (one query), by repository and project name."""
    table = t.drift_checks
    query = sa.select(table).where(table.c.repo.in_(sorted(repos))).order_by(table.c.repo, table.c.project)
    with engine.connect() as connection:
        return [
            DriftCheck(
                repo=row.repo,
                project=row.project,
                checked_at=row.checked_at,
                status=DriftStatus(row.status),
                detail=row.detail or {},
                since=row.since,
                issue_number=row.issue_number,
            )
            for row in connection.execute(query)
        ]

"""The store's project locks (one change per directory and workspace) and its named mutexes."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.adapters import sqlschema as t
from bot.adapters.sql_dashboard import scoped
from bot.adapters.sql_mutex import SqlMutexes
from bot.adapters.store_engine import Clock, is_unique_violation
from bot.domain.records import LockRecord

# A lock can be released between our failed INSERT and the SELECT that looks for its holder; try again then.
_LOCK_ATTEMPTS = 5


class ProjectLocks:
    """SqlStore's part for locks: the unique (repo, dir, workspace) row decides who holds a project."""

    engine: Engine
    clock: Clock
    _mutexes: SqlMutexes

    def acquire_lock(self, repo: str, dir: str, workspace: str, holder: str) -> LockRecord:
        """Take the lock, or return the lock as it stands: compare its holder with yours to know which.

        Taking it again as the same holder returns the existing record. The unique constraint on
        (repo, dir, workspace) decides races: this inserts and catches the violation, never reads first.
        """
        for _ in range(_LOCK_ATTEMPTS):
            acquired_at = self.clock()
            try:
                with self.engine.begin() as connection:
                    connection.execute(
                        t.locks.insert().values(
                            repo=repo, dir=dir, workspace=workspace, holder=holder, acquired_at=acquired_at
                        )
                    )
            except IntegrityError as error:
                if not is_unique_violation(error):
                    raise
                existing = self.lock_for(repo, dir, workspace)
                if existing is not None:
                    return existing
                continue  # released in between: race for it again
            return LockRecord(repo=repo, dir=dir, workspace=workspace, holder=holder, acquired_at=acquired_at)
        raise RuntimeError(
            f"the lock on {repo} {dir} ({workspace}) kept changing hands; {_LOCK_ATTEMPTS} attempts failed"
        )

    def release_lock(self, repo: str, dir: str, workspace: str, holder: str) -> bool:
        """Release the lock if holder holds it; False when it was not held, or held by someone else."""
        with self.engine.begin() as connection:
            deleted = connection.execute(
                t.locks.delete().where(
                    t.locks.c.repo == repo,
                    t.locks.c.dir == dir,
                    t.locks.c.workspace == workspace,
                    t.locks.c.holder == holder,
                )
            )
            return bool(deleted.rowcount)

    def release_locks_of(self, holder: str) -> int:
        """Release every lock holder holds (a merged or closed change); returns how many."""
        with self.engine.begin() as connection:
            return int(connection.execute(t.locks.delete().where(t.locks.c.holder == holder)).rowcount)

    def lock_for(self, repo: str, dir: str, workspace: str) -> LockRecord | None:
        query = sa.select(t.locks).where(t.locks.c.repo == repo, t.locks.c.dir == dir, t.locks.c.workspace == workspace)
        with self.engine.connect() as connection:
            row = connection.execute(query).one_or_none()
        return None if row is None else _lock_record(row)

    def locks(self, *, repos: Collection[str] | None = None) -> list[LockRecord]:
        query = sa.select(t.locks).order_by(t.locks.c.repo, t.locks.c.dir, t.locks.c.workspace)
        query = scoped(query, t.locks.c.repo, repos)
        with self.engine.connect() as connection:
            return [_lock_record(row) for row in connection.execute(query)]

    @contextmanager
    def one_at_a_time(self, name: str) -> Iterator[None]:
        """Hold the mutex `name` for the block (bot/adapters/sql_mutex.py): e.g. one plan of a change at a time."""
        with self._mutexes.hold(name):
            yield


def _lock_record(row: sa.Row[Any]) -> LockRecord:
    return LockRecord(
        repo=row.repo, dir=row.dir, workspace=row.workspace, holder=row.holder, acquired_at=row.acquired_at
    )

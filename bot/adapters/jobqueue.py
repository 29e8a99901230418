"""JobQueue: webhook deliveries as rows in the `jobs` table, claimed under a lease by one worker at a time."""

from __future__ import annotations

import enum
import os
import socket
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot.adapters import sqlschema as t
from bot.adapters.secret_masking import mask_secret_text
from bot.adapters.store_engine import Clock, is_unique_violation, utc_now
from bot.domain.webhooks import Job

_MAX_ERROR_CHARS = 2000


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class NewJob:
    """A verified delivery to store: the job row's identifying columns and the payload as received."""

    delivery_id: str
    event: str
    action: str
    installation_id: int | None
    repo: str | None
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class JobRecord:
    """A job row as an operator (or a test) sees it: where it stands and what went wrong last."""

    id: int
    delivery_id: str
    event: str
    action: str
    status: JobStatus
    attempts: int
    run_after: datetime
    locked_by: str | None
    locked_until: datetime | None
    created_at: datetime
    finished_at: datetime | None
    last_error: str | None


def worker_identity(label: str = "worker") -> str:
    """A name no other worker in any replica shares: host, process, label and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{label}:{uuid.uuid4().hex[:8]}"


class JobQueue:
    """The job table on the store's engine; every method is one short transaction."""

    def __init__(self, engine: Engine, clock: Clock = utc_now) -> None:
        self.engine = engine
        self.clock = clock
        # SQLite has one writer at a time, and a blocked writer polls with sleeps of up to 100 ms (its busy
        # handler), which is most of a webhook's acknowledgement time when the endpoint's threads and the workers
        # collide. Writers of this process take turns on a lock instead; other processes still get the busy timeout.
        self._sqlite = engine.dialect.name == "sqlite"
        self._one_writer = threading.Lock()

    # --- producers --------------------------------------------------------------------------------------

    def enqueue(self, job: NewJob) -> int | None:
        """Store the job and commit; its id, or None when this delivery id was stored before."""
        now = self.clock()
        try:
            with self._writing() as connection:
                inserted = connection.execute(
                    t.jobs.insert()
                    .values(
                        delivery_id=job.delivery_id,
                        event=job.event,
                        action=job.action,
                        installation_id=job.installation_id,
                        repo=job.repo,
                        payload=job.payload,
                        status=JobStatus.QUEUED.value,
                        attempts=0,
                        run_after=now,
                        created_at=now,
                    )
                    .returning(t.jobs.c.id)
                )
                return int(inserted.scalar_one())
        except IntegrityError as error:
            if not is_unique_violation(error):
                raise
            return None

    # --- workers ----------------------------------------------------------------------------------------

    def claim(self, worker: str, lease: timedelta) -> Job | None:
        """Take the oldest due job (queued, or running under an expired lease) for worker, or None.

        The job becomes `running`, locked by worker until now + lease, with one more attempt counted.
        Exactly one caller gets a given job, whatever the number of workers and replicas.
        """
        now = self.clock()
        due = sa.or_(
            sa.and_(t.jobs.c.status == JobStatus.QUEUED.value, t.jobs.c.run_after <= now),
            sa.and_(t.jobs.c.status == JobStatus.RUNNING.value, t.jobs.c.locked_until < now),
        )
        taking = dict(
            status=JobStatus.RUNNING.value,
            attempts=t.jobs.c.attempts + 1,
            locked_by=worker,
            locked_until=now + lease,
        )
        columns = (
            t.jobs.c.id,
            t.jobs.c.event,
            t.jobs.c.action,
            t.jobs.c.delivery_id,
            t.jobs.c.installation_id,
            t.jobs.c.repo,
            t.jobs.c.payload,
            t.jobs.c.attempts,
        )
        row: sa.Row[Any] | None
        with self._writing(immediate=True) as connection:
            if self.engine.dialect.name == "postgresql":
                # Rows another claimer has locked are skipped, not waited for; a row it has already taken
                # is re-checked against `due` by PostgreSQL after its commit, and no longer matches.
                chosen = connection.execute(
                    sa.select(t.jobs.c.id).where(due).order_by(t.jobs.c.id).limit(1).with_for_update(skip_locked=True)
                ).scalar_one_or_none()
                if chosen is None:
                    return None
                row = connection.execute(
                    t.jobs.update().where(t.jobs.c.id == chosen).values(**taking).returning(*columns)
                ).one()
            else:
                # SQLite has no row locks; BEGIN IMMEDIATE holds its one write lock across this single statement.
                oldest_due = sa.select(t.jobs.c.id).where(due).order_by(t.jobs.c.id).limit(1).scalar_subquery()
                row = connection.execute(
                    t.jobs.update().where(t.jobs.c.id == oldest_due).values(**taking).returning(*columns)
                ).one_or_none()
        if row is None:
            return None
        return Job(
            id=row.id,
            event=row.event,
            action=row.action,
            delivery_id=row.delivery_id,
            installation_id=row.installation_id,
            repo=row.repo,
            payload=row.payload,
            attempts=row.attempts,
        )

    def renew(self, job_id: int, worker: str, lease: timedelta) -> bool:
        """Extend worker's lease on a job it still holds; False when the lease was lost to another worker."""
        return self._update_held(job_id, worker, locked_until=self.clock() + lease)

    def complete(self, job_id: int, worker: str) -> bool:
        """Mark the job done; False (and nothing changed) when worker no longer holds it."""
        return self._update_held(
            job_id, worker, status=JobStatus.DONE.value, finished_at=self.clock(), locked_until=None, last_error=None
        )

    def fail(self, job_id: int, worker: str, error: str, retry_at: datetime | None) -> bool:
        """Record a failed attempt: queued again from retry_at, or `failed` for good when retry_at is None."""
        message = mask_secret_text(error)[:_MAX_ERROR_CHARS]
        if retry_at is None:
            values: dict[str, Any] = dict(status=JobStatus.FAILED.value, finished_at=self.clock())
        else:
            values = dict(status=JobStatus.QUEUED.value, run_after=retry_at, locked_by=None)
        return self._update_held(job_id, worker, locked_until=None, last_error=message, **values)

    def fail_abandoned(self, max_attempts: int) -> int:
        """Fail the running jobs whose lease expired after their last allowed attempt; returns how many.

        A job that kills its worker every time would otherwise be re-claimed forever.
        """
        now = self.clock()
        with self._writing() as connection:
            updated = connection.execute(
                t.jobs.update()
                .where(
                    t.jobs.c.status == JobStatus.RUNNING.value,
                    t.jobs.c.locked_until < now,
                    t.jobs.c.attempts >= max_attempts,
                )
                .values(
                    status=JobStatus.FAILED.value,
                    finished_at=now,
                    locked_until=None,
                    last_error=f"abandoned: its worker stopped before finishing it, {max_attempts} times",
                )
            )
            return int(updated.rowcount)

    # --- operators --------------------------------------------------------------------------------------

    def get(self, job_id: int) -> JobRecord | None:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(t.jobs).where(t.jobs.c.id == job_id)).one_or_none()
        return None if row is None else _job_record(row)

    def jobs(self, limit: int = 1000) -> list[JobRecord]:
        """The newest jobs first."""
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(t.jobs).order_by(t.jobs.c.id.desc()).limit(limit))
            return [_job_record(row) for row in rows]

    def payload_of(self, job_id: int) -> Mapping[str, Any] | None:
        with self.engine.connect() as connection:
            payload: Mapping[str, Any] | None = connection.execute(
                sa.select(t.jobs.c.payload).where(t.jobs.c.id == job_id)
            ).scalar_one_or_none()
            return payload

    def counts_by_status(self) -> dict[JobStatus, int]:
        """How many jobs are in each status (every status present, zeros included)."""
        query = sa.select(t.jobs.c.status, sa.func.count()).group_by(t.jobs.c.status)
        counts = dict.fromkeys(JobStatus, 0)
        with self.engine.connect() as connection:
            for status, count in connection.execute(query):
                counts[JobStatus(status)] = int(count)
        return counts

    def ping(self) -> None:
        """Raise when the database cannot answer a query (readiness)."""
        with self.engine.connect() as connection:
            connection.execute(sa.select(sa.literal(1))).scalar_one()

    # --- inside -----------------------------------------------------------------------------------------

    def _update_held(self, job_id: int, worker: str, **values: Any) -> bool:
        # Guarded by holder and status: a worker whose lease expired (and whose job another worker took)
        # must not overwrite the new holder's state.
        with self._writing() as connection:
            updated = connection.execute(
                t.jobs.update()
                .where(
                    t.jobs.c.id == job_id,
                    t.jobs.c.locked_by == worker,
                    t.jobs.c.status == JobStatus.RUNNING.value,
                )
                .values(**values)
            )
            return bool(updated.rowcount)

    @contextmanager
    def _writing(self, *, immediate: bool = False) -> Iterator[Connection]:
        """A write transaction; on SQLite one at a time in this process, and BEGIN IMMEDIATE when asked."""
        if not self._sqlite:
            with self.engine.begin() as connection:
                yield connection
            return
        with self._one_writer:
            if not immediate:
                with self.engine.begin() as connection:
                    yield connection
                return
            with self._immediate_transaction() as connection:
                yield connection

    @contextmanager
    def _immediate_transaction(self) -> Iterator[Connection]:
        # pysqlite would begin a deferred transaction, which takes the write lock only at the UPDATE and can
        # then fail with "database is locked" instead of waiting; BEGIN IMMEDIATE waits for it up front.
        with self.engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.exec_driver_sql("ROLLBACK")
                raise
            connection.exec_driver_sql("COMMIT")


def _job_record(row: sa.Row[Any]) -> JobRecord:
    return JobRecord(
        id=row.id,
        delivery_id=row.delivery_id,
        event=row.event,
        action=row.action,
        status=JobStatus(row.status),
        attempts=row.attempts,
        run_after=row.run_after,
        locked_by=row.locked_by,
        locked_until=row.locked_until,
        created_at=row.created_at,
        finished_at=row.finished_at,
        last_error=row.last_error,
    )

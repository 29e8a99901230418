"""The job queue's health, read from the `jobs` table through its (status, run_after) index, each read bounded.

The table keeps every delivery ever received, so no read here scans it: the per-status counts read the index
alone, the waiting, retrying and stuck jobs are ranges of it (queued and running jobs are few: the backlog and the
workers' jobs), the failed jobs are its newest entries of one status, and the throughput reads the jobs that
became due in the last two days. Payloads are never read.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.adapters import sqlschema as t
from bot.adapters.secret_masking import mask_secret_text
from bot.adapters.sql_dashboard import Repos, scoped
from bot.domain.queue_health import JOB_STATUSES, THROUGHPUT_HOURS, HourCount, QueuedJob, QueueHealth, hour_starts

# A job finishes after it became due (run_after) by its wait for a worker plus its run. The throughput reads the
# jobs that became due this much before its window, through the index; a job that waited and ran longer than
# this is left out of it (a queue that slow shows in the longest wait instead).
_LONGEST_WAIT_AND_RUN = timedelta(hours=24)
_STUCK_SHOWN = 50

_LISTED = (
    t.jobs.c.id,
    t.jobs.c.event,
    t.jobs.c.action,
    t.jobs.c.repo,
    t.jobs.c.status,
    t.jobs.c.attempts,
    t.jobs.c.created_at,
    t.jobs.c.run_after,
    t.jobs.c.locked_by,
    t.jobs.c.locked_until,
    t.jobs.c.finished_at,
    t.jobs.c.last_error,
)


def queue_health(
    engine: Engine, now: datetime, failed_limit: int, hours: int = THROUGHPUT_HOURS, repos: Repos = None
) -> QueueHealth:
    """The queue at `now`, of `repos`' jobs (None: every job): counts per status, the longest waiting job, retries,
    stuck jobs, the latest failures and the jobs finished per hour over the last `hours` hours."""
    jobs = t.jobs.c

    def of_repos(query: Any) -> Any:
        return scoped(query, jobs.repo, repos)

    with engine.connect() as connection:
        counts = dict.fromkeys(JOB_STATUSES, 0)
        by_status = of_repos(sa.select(jobs.status, sa.func.count()).group_by(jobs.status))
        for status, count in connection.execute(by_status):
            counts[str(status)] = int(count)
        waiting = _listed(
            connection,
            of_repos(sa.select(*_LISTED))
            .where(jobs.status == "queued", jobs.run_after <= now)
            .order_by(jobs.run_after, jobs.id)
            .limit(1),
        )
        retrying = connection.execute(
            of_repos(sa.select(sa.func.count()).where(jobs.status == "queued", jobs.run_after > now))
        ).scalar_one()
        stuck = _listed(
            connection,
            of_repos(sa.select(*_LISTED))
            .where(jobs.status == "running", jobs.locked_until < now)
            .order_by(jobs.locked_until, jobs.id)
            .limit(_STUCK_SHOWN),
        )
        failed = _listed(
            connection,
            of_repos(sa.select(*_LISTED))
            .where(jobs.status == "failed")
            .order_by(jobs.run_after.desc(), jobs.id.desc())
            .limit(failed_limit),
        )
        per_hour = _per_hour(connection, hour_starts(now, hours), repos)
    return QueueHealth(
        now=now,
        counts=counts,
        oldest_waiting=waiting[0] if waiting else None,
        retrying=int(retrying),
        stuck=stuck,
        failed=failed,
        per_hour=per_hour,
    )


def _per_hour(connection: Connection, starts: list[datetime], repos: Repos) -> list[HourCount]:
    """Jobs finished (done, and failed for good) in each hour, in one pass over the window's rows."""
    jobs = t.jobs.c
    hour = timedelta(hours=1)
    sums = [
        sa.func.coalesce(
            sa.func.sum(
                sa.case(
                    (sa.and_(jobs.status == status, jobs.finished_at >= start, jobs.finished_at < start + hour), 1),
                    else_=0,
                )
            ),
            0,
        )
        for start in starts
        for status in ("done", "failed")
    ]
    window = scoped(
        sa.select(*sums).where(
            jobs.status.in_(("done", "failed")),
            jobs.run_after >= starts[0] - _LONGEST_WAIT_AND_RUN,
            jobs.finished_at >= starts[0],
        ),
        jobs.repo,
        repos,
    )
    row = connection.execute(window).one()
    return [HourCount(start, int(row[2 * n]), int(row[2 * n + 1])) for n, start in enumerate(starts)]


def _listed(connection: Connection, query: sa.Select[Any]) -> list[QueuedJob]:
    # Errors were masked when recorded (JobQueue.fail); masked again here for rows written before that, or elsewhere.
    return [
        QueuedJob(
            id=row.id,
            event=row.event,
            action=row.action,
            repo=row.repo,
            status=row.status,
            attempts=row.attempts,
            created_at=row.created_at,
            run_after=row.run_after,
            locked_by=row.locked_by,
            locked_until=row.locked_until,
            finished_at=row.finished_at,
            last_error=None if row.last_error is None else mask_secret_text(row.last_error),
        )
        for row in connection.execute(query)
    ]

"""JobQueue on SQLite and PostgreSQL: enqueue once per delivery, claim under a lease, retry, exactly-once workers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from bot.adapters import sqlschema as t
from bot.adapters.jobqueue import JobQueue, JobStatus, NewJob
from bot.adapters.sqlstore import SqlStore
from bot.domain.webhooks import Job
from bot.services.workers import JobRetryPolicy, Worker, WorkerPool, WorkerTiming

T0 = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
LEASE = timedelta(seconds=30)


class SettableClock:
    """A clock that stands still until a test moves it, shared by every queue in the test."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock()


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    with SqlStore.open(store_url) as opened:
        yield opened


@pytest.fixture
def queue(store: SqlStore, clock: SettableClock) -> JobQueue:
    return JobQueue(store.engine, clock)


def new_job(delivery: str, **payload: Any) -> NewJob:
    return NewJob(
        delivery_id=delivery,
        event="issue_comment",
        action="created",
        installation_id=1,
        repo="Codertocat/Hello-World",
        payload={"action": "created", **payload},
    )


def test_enqueue_stores_the_job_and_a_redelivery_stores_nothing(queue: JobQueue) -> None:
    job_id = queue.enqueue(new_job("d-1", comment={"body": "/infra plan"}))
    assert job_id is not None
    assert queue.enqueue(new_job("d-1", comment={"body": "changed"})) is None
    record = queue.get(job_id)
    assert record is not None
    assert (record.status, record.attempts, record.delivery_id, record.created_at) == (JobStatus.QUEUED, 0, "d-1", T0)
    assert queue.payload_of(job_id) == {"action": "created", "comment": {"body": "/infra plan"}}
    assert queue.counts_by_status() == {
        JobStatus.QUEUED: 1,
        JobStatus.RUNNING: 0,
        JobStatus.DONE: 0,
        JobStatus.FAILED: 0,
    }


def test_the_same_delivery_racing_from_many_threads_is_stored_once(queue: JobQueue) -> None:
    results: list[int | None] = []
    start = threading.Barrier(8)

    def post() -> None:
        start.wait()
        results.append(queue.enqueue(new_job("same-delivery")))

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len([r for r in results if r is not None]) == 1
    assert len(queue.jobs()) == 1


def test_claim_takes_the_oldest_due_job_and_marks_it_running(queue: JobQueue) -> None:
    first = queue.enqueue(new_job("d-1", n=1))
    second = queue.enqueue(new_job("d-2", n=2))
    job = queue.claim("w1", LEASE)
    assert isinstance(job, Job)
    assert (job.id, job.delivery_id, job.attempts, job.payload["n"], job.kind) == (
        first,
        "d-1",
        1,
        1,
        "issue_comment.created",
    )
    assert (job.installation_id, job.repo) == (1, "Codertocat/Hello-World")
    record = queue.get(first or 0)
    assert record is not None
    assert (record.status, record.locked_by, record.locked_until) == (JobStatus.RUNNING, "w1", T0 + LEASE)
    other = queue.claim("w2", LEASE)
    assert other is not None and other.id == second
    assert queue.claim("w3", LEASE) is None


def test_complete_marks_done_only_for_the_holder(queue: JobQueue, clock: SettableClock) -> None:
    job_id = queue.enqueue(new_job("d-1"))
    assert queue.claim("w1", LEASE) is not None
    assert not queue.complete(job_id or 0, "someone-else")
    clock.advance(timedelta(seconds=3))
    assert queue.complete(job_id or 0, "w1")
    record = queue.get(job_id or 0)
    assert record is not None
    assert (record.status, record.finished_at, record.locked_until) == (JobStatus.DONE, T0 + timedelta(seconds=3), None)
    assert queue.claim("w1", LEASE) is None
    assert not queue.complete(job_id or 0, "w1")  # done is final


def test_a_failed_attempt_waits_for_its_retry_time_then_fails_for_good(queue: JobQueue, clock: SettableClock) -> None:
    job_id = queue.enqueue(new_job("d-1")) or 0
    assert queue.claim("w1", LEASE) is not None
    retry_at = T0 + timedelta(seconds=10)
    assert queue.fail(job_id, "w1", "GithubException: 502 token ghs_abcdefghijklmnopqrstuvwxyz0123456789", retry_at)
    record = queue.get(job_id)
    assert record is not None and record.status == JobStatus.QUEUED and record.run_after == retry_at
    assert record.last_error == "GithubException: 502 token ***"  # the token never reaches the table
    assert queue.claim("w1", LEASE) is None  # not yet due
    clock.advance(timedelta(seconds=10))
    again = queue.claim("w2", LEASE)
    assert again is not None and again.attempts == 2
    assert queue.fail(job_id, "w2", "still broken", None)
    record = queue.get(job_id)
    assert record is not None and (record.status, record.last_error, record.attempts) == (
        JobStatus.FAILED,
        "still broken",
        2,
    )
    assert record.finished_at == clock.now
    clock.advance(timedelta(days=1))
    assert queue.claim("w3", LEASE) is None


def test_a_job_whose_worker_died_is_run_again_after_its_lease(queue: JobQueue, clock: SettableClock) -> None:
    job_id = queue.enqueue(new_job("d-1")) or 0
    dead = queue.claim("dead-worker", LEASE)
    assert dead is not None
    clock.advance(LEASE)
    assert queue.claim("w2", LEASE) is None  # the lease runs until its last instant
    clock.advance(timedelta(seconds=1))
    resumed = queue.claim("w2", LEASE)
    assert resumed is not None and (resumed.id, resumed.attempts) == (job_id, 2)
    # The dead worker coming back cannot touch the job any more.
    assert not queue.complete(job_id, "dead-worker")
    assert not queue.renew(job_id, "dead-worker", LEASE)
    assert queue.complete(job_id, "w2")


def test_renewing_the_lease_keeps_the_job(queue: JobQueue, clock: SettableClock) -> None:
    queue.enqueue(new_job("d-1"))
    job = queue.claim("w1", LEASE)
    assert job is not None
    clock.advance(LEASE - timedelta(seconds=1))
    assert queue.renew(job.id, "w1", LEASE)
    clock.advance(LEASE - timedelta(seconds=1))
    assert queue.claim("w2", LEASE) is None


def test_jobs_abandoned_after_their_last_attempt_fail(queue: JobQueue, clock: SettableClock) -> None:
    job_id = queue.enqueue(new_job("d-1")) or 0
    for _ in range(3):
        assert queue.claim("crashing", LEASE) is not None
        clock.advance(LEASE + timedelta(seconds=1))
    assert queue.fail_abandoned(max_attempts=3) == 1
    record = queue.get(job_id)
    assert record is not None and record.status == JobStatus.FAILED and "abandoned" in (record.last_error or "")
    assert queue.claim("w", LEASE) is None


def test_sqlite_claims_in_one_immediate_transaction(sqlite_url: str, clock: SettableClock) -> None:
    """Many threads, each with its own SqlStore on one SQLite file: every job is claimed once, none fails."""
    with SqlStore.open(sqlite_url) as seed:
        seeding = JobQueue(seed.engine, clock)
        for n in range(60):
            seeding.enqueue(new_job(f"d-{n}"))
    claimed: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def take_all(name: str) -> None:
        with SqlStore.open(sqlite_url) as own:
            mine = JobQueue(own.engine, clock)
            start.wait()
            try:
                while (job := mine.claim(name, LEASE)) is not None:
                    claimed.append(job.id)
            except BaseException as error:
                errors.append(error)

    threads = [threading.Thread(target=take_all, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(claimed) == list(range(1, 61))


def test_two_workers_with_their_own_stores_run_each_of_200_jobs_exactly_once(postgres_url: str) -> None:
    """Two `olympus serve` replicas in miniature: separate engines, real worker threads, PostgreSQL row locks."""
    with SqlStore.open(postgres_url) as producer:
        producing = JobQueue(producer.engine)
        for n in range(200):
            producing.enqueue(new_job(f"delivery-{n}", n=n))
    # Executions are recorded in a table of their own: a unique job id there would also catch a double run.
    runs = sa.Table("executions", sa.MetaData(), sa.Column("job_id", sa.Integer), sa.Column("worker", sa.Text))
    replicas = [SqlStore.open(postgres_url), SqlStore.open(postgres_url)]
    runs.create(replicas[0].engine)
    pools: list[WorkerPool] = []
    try:
        for n, replica in enumerate(replicas):

            def record(job: Job, engine: sa.Engine = replica.engine, name: str = f"replica-{n}") -> None:
                with engine.begin() as connection:
                    connection.execute(runs.insert().values(job_id=job.id, worker=name))

            pool = WorkerPool(JobQueue(replica.engine), record, 2, timing=WorkerTiming(poll_interval=0.01))
            pools.append(pool)
        for pool in pools:
            pool.start()
        checking = JobQueue(replicas[0].engine)
        deadline = threading.Event()
        for _ in range(1200):  # at most 60 s; usually a second or two
            if checking.counts_by_status()[JobStatus.DONE] == 200:
                break
            deadline.wait(0.05)
    finally:
        for pool in pools:
            assert pool.stop(timeout=30)
    with replicas[0].engine.connect() as connection:
        executed = [row.job_id for row in connection.execute(sa.select(runs.c.job_id))]
        by_worker: dict[str, int] = dict(
            connection.execute(sa.select(runs.c.worker, sa.func.count()).group_by(runs.c.worker)).all()
        )
        statuses = connection.execute(sa.select(t.jobs.c.status, t.jobs.c.attempts).distinct()).all()
    for replica in replicas:
        replica.close()
    assert sorted(executed) == list(range(1, 201))
    assert set(by_worker) == {"replica-0", "replica-1"}  # both replicas took part
    assert statuses == [("done", 1)]


def test_a_failing_handler_is_retried_with_backoff_then_failed(store: SqlStore, clock: SettableClock) -> None:
    queue = JobQueue(store.engine, clock)
    job_id = queue.enqueue(new_job("d-1")) or 0
    attempts: list[int] = []

    def broken(job: Job) -> None:
        attempts.append(job.attempts)
        raise RuntimeError(f"GitHub said 502 (attempt {job.attempts})")

    retry = JobRetryPolicy(max_attempts=3, first_delay=timedelta(seconds=10), max_delay=timedelta(seconds=15))
    worker = Worker(queue, broken, retry=retry)
    assert worker.run_one()
    record = queue.get(job_id)
    assert record is not None and record.status == JobStatus.QUEUED
    assert record.run_after == T0 + timedelta(seconds=10)
    assert record.last_error == "RuntimeError: GitHub said 502 (attempt 1)"
    assert not worker.run_one()  # backing off
    clock.advance(timedelta(seconds=10))
    assert worker.run_one()
    record = queue.get(job_id)
    assert record is not None and record.run_after == clock.now + timedelta(seconds=15)  # 20 s, capped at 15
    clock.advance(timedelta(seconds=15))
    assert worker.run_one()
    record = queue.get(job_id)
    assert record is not None and (record.status, record.attempts) == (JobStatus.FAILED, 3)
    assert attempts == [1, 2, 3]


def test_backoff_doubles_up_to_its_cap() -> None:
    policy = JobRetryPolicy(max_attempts=6, first_delay=timedelta(seconds=5), max_delay=timedelta(seconds=30))
    assert [policy.delay_after(n) for n in range(1, 7)] == [
        timedelta(seconds=5),
        timedelta(seconds=10),
        timedelta(seconds=20),
        timedelta(seconds=30),
        timedelta(seconds=30),
        None,
    ]


def test_stop_lets_the_running_job_finish(sqlite_url: str) -> None:
    with SqlStore.open(sqlite_url) as store:
        queue = JobQueue(store.engine)
        job_id = queue.enqueue(new_job("d-1")) or 0
        started, release = threading.Event(), threading.Event()

        def slow(job: Job) -> None:
            started.set()
            release.wait(30)

        pool = WorkerPool(queue, slow, 1, timing=WorkerTiming(poll_interval=0.01))
        pool.start()
        assert started.wait(30)
        stopper = threading.Thread(target=pool.stop, kwargs={"timeout": 30})
        stopper.start()
        release.set()
        stopper.join()
        record = queue.get(job_id)
        assert record is not None and record.status == JobStatus.DONE
        assert not any(worker.is_alive() for worker in pool.workers)


def test_the_lease_is_renewed_while_a_long_job_runs(sqlite_url: str) -> None:
    with SqlStore.open(sqlite_url) as store:
        queue = JobQueue(store.engine)
        job_id = queue.enqueue(new_job("d-1")) or 0
        seen: list[datetime | None] = []

        def long_job(job: Job) -> None:
            record = queue.get(job.id)
            first = record.locked_until if record else None
            for _ in range(200):  # until the keeper has renewed at least once (it does every lease/3 = 0.1 s)
                record = queue.get(job.id)
                if record and first and record.locked_until and record.locked_until > first:
                    seen.append(record.locked_until)
                    return
                threading.Event().wait(0.02)

        worker = Worker(queue, long_job, timing=WorkerTiming(lease=timedelta(seconds=0.3)))
        assert worker.run_one()
        assert seen, "the lease was never renewed"
        record = queue.get(job_id)
        assert record is not None and record.status == JobStatus.DONE

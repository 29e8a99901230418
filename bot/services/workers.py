"""Worker threads: claim a job, run the handler under a renewed lease, then complete it or retry with backoff."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError

from bot.adapters.jobqueue import JobQueue, worker_identity
from bot.adapters.secret_masking import mask_secret_text
from bot.domain.webhooks import Job

logger = logging.getLogger(__name__)

JobHandler = Callable[[Job], None]


def log_only_handler(job: Job) -> None:
    """The default until event handling is wired: log what arrived, do nothing else."""
    logger.info(
        "job %d: %s for %s (delivery %s, attempt %d); no handler is wired, nothing done",
        job.id,
        job.kind,
        job.repo or f"installation {job.installation_id}",
        job.delivery_id,
        job.attempts,
    )


@dataclass(frozen=True)
class JobRetryPolicy:
    """How often a failing job is tried, and how long to wait between tries (doubling, capped)."""

    max_attempts: int = 5
    first_delay: timedelta = timedelta(seconds=10)
    max_delay: timedelta = timedelta(minutes=10)

    def delay_after(self, attempts: int) -> timedelta | None:
        """The wait before the next try after `attempts` failed ones; None when there is no next try."""
        if attempts >= self.max_attempts:
            return None
        return min(self.first_delay * (1 << max(attempts - 1, 0)), self.max_delay)


@dataclass(frozen=True)
class WorkerTiming:
    """The lease a worker holds a job under, how often it renews it, and how long it waits when idle."""

    lease: timedelta = timedelta(seconds=60)
    poll_interval: float = 0.5  # seconds between claims while the queue is empty
    # How often to fail jobs abandoned by dead workers after their last attempt.
    sweep_interval: float = 60.0

    @property
    def renew_every(self) -> float:
        return self.lease.total_seconds() / 3


class Worker(threading.Thread):
    """One thread taking jobs one at a time until stop(); a job in progress always runs to its end."""

    def __init__(
        self,
        queue: JobQueue,
        handler: JobHandler,
        *,
        label: str = "worker",
        retry: JobRetryPolicy | None = None,
        timing: WorkerTiming | None = None,
    ) -> None:
        self.identity = worker_identity(label)
        super().__init__(name=f"olympus-{label}", daemon=True)
        self.queue = queue
        self.handler = handler
        self.retry = retry or JobRetryPolicy()
        self.timing = timing or WorkerTiming()
        self._stopping = threading.Event()

    def stop(self) -> None:
        """Ask the worker to stop after the job it is running, if any."""
        self._stopping.set()

    def run(self) -> None:
        next_sweep = time.monotonic()
        while not self._stopping.is_set():
            try:
                if time.monotonic() >= next_sweep:
                    next_sweep = time.monotonic() + self.timing.sweep_interval
                    self.queue.fail_abandoned(self.retry.max_attempts)
                ran = self.run_one()
            except SQLAlchemyError as error:
                # The database is down or failing over: wait and try again rather than end the thread.
                logger.warning("%s: the job queue is unavailable: %s", self.name, _short(error))
                ran = False
            if not ran:
                self._stopping.wait(self.timing.poll_interval)

    def run_one(self) -> bool:
        """Claim and run one job; False when none was due."""
        job = self.queue.claim(self.identity, self.timing.lease)
        if job is None:
            return False
        finished = threading.Event()
        keeper = threading.Thread(target=self._keep_lease, args=(job, finished), name=f"{self.name}-lease", daemon=True)
        keeper.start()
        try:
            self.handler(job)
        except Exception as error:
            self._record_failure(job, error)
        else:
            if not self.queue.complete(job.id, self.identity):
                logger.warning("job %d finished after its lease was lost; another worker may run it again", job.id)
        finally:
            finished.set()
            keeper.join()
        return True

    def _record_failure(self, job: Job, error: Exception) -> None:
        reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        delay = self.retry.delay_after(job.attempts)
        retry_at = None if delay is None else self.queue.clock() + delay
        self.queue.fail(job.id, self.identity, reason, retry_at)
        if retry_at is None:
            logger.error(
                "job %d (%s) failed for good after %d attempts: %s", job.id, job.kind, job.attempts, _short(reason)
            )
        else:
            logger.warning("job %d (%s) failed, retrying at %s: %s", job.id, job.kind, retry_at, _short(reason))
        # The traceback may quote values the message masking never saw; only on request.
        logger.debug("job %d traceback", job.id, exc_info=error)

    def _keep_lease(self, job: Job, finished: threading.Event) -> None:
        while not finished.wait(self.timing.renew_every):
            try:
                if not self.queue.renew(job.id, self.identity, self.timing.lease):
                    logger.warning("job %d: lease lost (it expired and another worker took the job)", job.id)
                    return
            except SQLAlchemyError as error:
                logger.warning("job %d: could not renew the lease: %s", job.id, _short(error))


class WorkerPool:
    """n workers on one queue, started and stopped together."""

    def __init__(
        self,
        queue: JobQueue,
        handler: JobHandler,
        count: int,
        *,
        retry: JobRetryPolicy | None = None,
        timing: WorkerTiming | None = None,
    ) -> None:
        self.workers = [
            Worker(queue, handler, label=f"worker-{n}", retry=retry, timing=timing) for n in range(1, count + 1)
        ]

    def start(self) -> None:
        for worker in self.workers:
            worker.start()

    def stop(self, timeout: float | None = None) -> bool:
        """Let running jobs finish, then end every worker; False when some were still busy after timeout.

        A job still running then keeps its lease, and another replica takes it over when the lease expires.
        """
        for worker in self.workers:
            worker.stop()
        for worker in self.workers:
            if worker.is_alive():
                worker.join(timeout)
        return not any(worker.is_alive() for worker in self.workers)


def _short(error: object) -> str:
    return " ".join(mask_secret_text(str(error)).split())[:500]

"""The App's drift schedule: each tick queues one drift job per repository and slot, the same job from every replica."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from bot.adapters.jobqueue import JobQueue, NewJob
from bot.adapters.secret_masking import mask_secret_text
from bot.domain.drift_schedule import DRIFT_ACTION, DRIFT_EVENT, drift_delivery_id, slot_start
from bot.ports import CodeHostError, Installations

log = logging.getLogger(__name__)

# How often the scheduler looks at the clock: a new slot is queued within this long of its start.
TICK_SECONDS = 60.0


@dataclass(frozen=True)
class Scheduled:
    """One look at a slot: the jobs it queued (none when others queued them first), and whether every
    installation's repositories could be listed (if not, the next tick looks again)."""

    slot: datetime
    queued: list[int]
    complete: bool


def enqueue_drift_checks(
    installations: Installations, queue: JobQueue, interval: timedelta, now: datetime
) -> Scheduled:
    """Queue the current slot's drift job of every repository of every installation.

    The delivery id names the repository and the slot, so a replica (or a tick) that comes second queues nothing:
    replicas need no coordination to schedule, and each slot of a repository is checked once.
    """
    slot = slot_start(now, interval)
    queued: list[int] = []
    complete = True
    for installation_id in installations.installation_ids():
        try:
            repos = installations.repositories_of(installation_id)
        except CodeHostError as error:  # one installation GitHub will not list must not stop the others
            log.warning("drift schedule: cannot list the repositories of installation %d: %s", installation_id, error)
            complete = False
            continue
        for repo in repos:
            job = NewJob(
                delivery_id=drift_delivery_id(repo, slot),
                event=DRIFT_EVENT,
                action=DRIFT_ACTION,
                installation_id=installation_id,
                repo=repo,
                payload={"repo": repo, "installation": {"id": installation_id}, "slot": slot.isoformat()},
            )
            job_id = queue.enqueue(job)
            if job_id is not None:
                queued.append(job_id)
    if queued:
        log.info("drift schedule: queued %d drift check(s) for the slot starting %s", len(queued), slot.isoformat())
    return Scheduled(slot, queued, complete)


class DriftScheduler(threading.Thread):
    """A thread beside the workers: every TICK_SECONDS it checks the clock, and once a slot has begun it queues that
    slot's drift jobs (listing the installations once per slot, not once a minute), until stop()."""

    def __init__(
        self,
        installations: Installations,
        queue: JobQueue,
        interval: timedelta,
        *,
        tick_seconds: float = TICK_SECONDS,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(name="olympus-drift-schedule", daemon=True)
        self.installations = installations
        self.queue = queue
        self.interval = interval
        self.tick_seconds = tick_seconds
        self.clock = clock or queue.clock
        self._scheduled: datetime | None = None  # the last slot whose every repository was queued
        self._stopping = threading.Event()

    def run(self) -> None:
        while not self._stopping.is_set():
            self.tick()
            self._stopping.wait(self.tick_seconds)

    def tick(self) -> list[int]:
        """One look: the jobs it queued. A slot already scheduled is not listed again; a repository installed during
        a slot is checked from the next one. GitHub or the database failing is logged and retried at the next tick."""
        now = self.clock()
        if self._scheduled == slot_start(now, self.interval):
            return []
        try:
            scheduled = enqueue_drift_checks(self.installations, self.queue, self.interval, now)
        except (CodeHostError, SQLAlchemyError) as error:
            log.warning(
                "drift schedule: could not queue this slot's checks, trying again at the next tick: %s",
                mask_secret_text(str(error))[:500],
            )
            return []
        if scheduled.complete:
            self._scheduled = scheduled.slot
        return scheduled.queued

    def stop(self, timeout: float | None = None) -> None:
        """Stop ticking; a tick in progress finishes first."""
        self._stopping.set()
        if self.is_alive():
            self.join(timeout)

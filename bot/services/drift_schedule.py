"""The App's drift schedule: each tick queues one drift job per repository and slot, the same job from every replica."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from bot.adapters.jobqueue import JobQueue, NewJob
from bot.adapters.secret_masking import mask_secret_text
from bot.domain.drift_schedule import DRIFT_ACTION, DRIFT_EVENT, drift_delivery_id, slot_start
from bot.ports import CodeHostError, Installations

log = logging.getLogger(__name__)

# How often the scheduler looks: a new slot is queued within this long of its start.
TICK_SECONDS = 60.0


def enqueue_drift_checks(
    installations: Installations, queue: JobQueue, interval: timedelta, now: datetime
) -> list[int]:
    """Queue the current slot's drift job of every repository of every installation; the ids of the new ones.

    The delivery id names the repository and the slot, so a replica (or a tick) that comes second queues nothing:
    replicas need no coordination to schedule, and each slot of a repository is checked once.
    """
    slot = slot_start(now, interval)
    queued: list[int] = []
    for installation_id in installations.installation_ids():
        try:
            repos = installations.repositories_of(installation_id)
        except CodeHostError as error:  # one installation GitHub will not list must not stop the others
            log.warning("drift schedule: cannot list the repositories of installation %d: %s", installation_id, error)
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
    return queued


class DriftScheduler(threading.Thread):
    """A thread beside the workers: every TICK_SECONDS it queues the current slot's drift jobs, until stop()."""

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
        self._stopping = threading.Event()

    def run(self) -> None:
        while not self._stopping.is_set():
            self.tick()
            self._stopping.wait(self.tick_seconds)

    def tick(self) -> list[int]:
        """One look: the jobs it queued; GitHub or the database failing is logged and tried at the next tick."""
        try:
            return enqueue_drift_checks(self.installations, self.queue, self.interval, self.clock())
        except (CodeHostError, SQLAlchemyError) as error:
            log.warning(
                "drift schedule: could not queue this slot's checks, trying again at the next tick: %s",
                mask_secret_text(str(error))[:500],
            )
            return []

    def stop(self, timeout: float | None = None) -> None:
        """Stop ticking; a tick in progress finishes first."""
        self._stopping.set()
        if self.is_alive():
            self.join(timeout)

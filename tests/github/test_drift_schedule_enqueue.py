"""The drift schedule's enqueue on the fake GitHub: every repository of every installation, one job per slot."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.github import GitHubApp, PrivateKey, Retrying, RetryPolicy
from bot.adapters.jobqueue import JobQueue
from bot.adapters.sqlstore import SqlStore
from bot.domain.drift_schedule import DRIFT_JOB_KIND
from bot.ports import CodeHostError
from bot.services.drift_schedule import DriftScheduler, enqueue_drift_checks

NOON = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
SIX_HOURS = timedelta(hours=6)


@pytest.fixture
def app(fake_github: Any) -> GitHubApp:
    retrying = Retrying(RetryPolicy(max_attempts=2), sleep=lambda s: None, jitter=lambda: 1.0)
    return GitHubApp(
        fake_github.app_id, PrivateKey(fake_github.private_key_pem), fake_github.base_url, retrying=retrying, timeout=5
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    with SqlStore.open(f"sqlite:///{tmp_path / 'olympus.db'}") as opened:
        yield opened


def test_the_app_lists_its_installations_and_their_repositories_every_page(fake_github: Any, app: GitHubApp) -> None:
    names = [f"acme/repo-{n:03}" for n in range(105)]  # more than one page of 100
    for name in names:
        fake_github.add_repo(name)
    assert app.installation_ids() == [fake_github.installation_id]
    assert app.repositories_of(fake_github.installation_id) == names
    pages = [r.query.get("page", "1") for r in fake_github.requests if r.path == "/installation/repositories"]
    assert pages == ["1", "2"]


def test_each_repository_gets_one_job_per_slot_whoever_queues_it(
    fake_github: Any, app: GitHubApp, store: SqlStore
) -> None:
    fake_github.add_repo("acme/infra")
    fake_github.add_repo("acme/web")
    queue, other_replica = JobQueue(store.engine), JobQueue(store.engine)

    first = enqueue_drift_checks(app, queue, SIX_HOURS, NOON)
    assert len(first.queued) == 2 and first.complete and first.slot == NOON
    # The same slot again, from this replica a minute later or from another at the same time: nothing new.
    assert enqueue_drift_checks(app, queue, SIX_HOURS, NOON + timedelta(minutes=1)).queued == []
    assert enqueue_drift_checks(app, other_replica, SIX_HOURS, NOON + timedelta(hours=5, minutes=59)).queued == []
    jobs = sorted(queue.jobs(), key=lambda j: j.id)
    assert [(j.delivery_id, f"{j.event}.{j.action}") for j in jobs] == [
        ("drift:acme/infra:2026-12-03T12:00:00Z", DRIFT_JOB_KIND),
        ("drift:acme/web:2026-12-03T12:00:00Z", DRIFT_JOB_KIND),
    ]
    job = queue.claim("w", timedelta(minutes=1))
    assert job is not None and (job.repo, job.installation_id) == ("acme/infra", fake_github.installation_id)
    assert job.payload == {"repo": "acme/infra", "installation": {"id": 4242}, "slot": "2026-12-03T12:00:00+00:00"}

    # The next slot is another job for each repository.
    assert len(enqueue_drift_checks(app, other_replica, SIX_HOURS, NOON + SIX_HOURS).queued) == 2


class Listing:
    """Installations as the scheduler sees them, counting its looks; `failing` makes GitHub fail for some."""

    def __init__(self, failing: set[int] | None = None, *, all_down: bool = False) -> None:
        self.failing = failing or set()
        self.all_down = all_down
        self.looks = 0

    def installation_ids(self) -> list[int]:
        self.looks += 1
        if self.all_down:
            raise CodeHostError("list the installations", "HTTP 502")
        return [1, 2]

    def repositories_of(self, installation_id: int) -> list[str]:
        if installation_id in self.failing:
            raise CodeHostError(f"list the repositories of installation {installation_id}", "HTTP 403")
        return [f"acme/infra-{installation_id}"]


class Clock:
    def __init__(self) -> None:
        self.now = NOON

    def __call__(self) -> datetime:
        return self.now


def test_a_slot_is_listed_once_per_replica_and_again_only_after_a_failure(store: SqlStore) -> None:
    queue, clock = JobQueue(store.engine), Clock()
    listing = Listing(failing={1})
    scheduler = DriftScheduler(listing, queue, SIX_HOURS, clock=clock)
    assert len(scheduler.tick()) == 1  # installation 2's repository; installation 1 could not be listed
    listing.failing.clear()
    clock.now += timedelta(minutes=1)
    assert len(scheduler.tick()) == 1  # looked again: installation 1's repository too, 2's already queued
    clock.now += timedelta(minutes=1)
    assert scheduler.tick() == [] and listing.looks == 2  # the slot is scheduled: GitHub is not asked again
    clock.now = NOON + SIX_HOURS
    assert len(scheduler.tick()) == 2 and listing.looks == 3

    down = DriftScheduler(Listing(all_down=True), queue, SIX_HOURS, clock=clock)
    assert down.tick() == []  # logged; the next tick tries again


def test_the_scheduler_thread_queues_at_once_and_stops(fake_github: Any, app: GitHubApp, store: SqlStore) -> None:
    fake_github.add_repo("acme/infra")
    queue = JobQueue(store.engine)
    scheduler = DriftScheduler(app, queue, SIX_HOURS, tick_seconds=3600)
    scheduler.start()
    scheduler.stop(timeout=30)
    assert not scheduler.is_alive()
    [job] = queue.jobs()
    assert job.delivery_id.startswith("drift:acme/infra:")

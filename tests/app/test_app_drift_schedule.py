"""The App's scheduled drift check end to end: a bucket applied through the App, changed behind Terraform's back with
boto3, then the scheduled job opens one `olympus:drift` issue, edits it in place at the next slot, and closes it once
the bucket is put back; two replicas on one PostgreSQL database scheduling at once leave one issue."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from app_driver import REPO, App, seed_files
from shown import shown

from bot.adapters.github import GitHubApp, PrivateKey
from bot.adapters.jobqueue import JobQueue, JobStatus
from bot.adapters.local_aws import InProcessEmulator, LocalAws
from bot.adapters.sqlstore import SqlStore
from bot.domain.drift import drift_marker
from bot.services.drift_issues import DRIFT_LABEL
from bot.services.drift_schedule import DriftScheduler, enqueue_drift_checks
from bot.services.github_events import handle_job
from bot.services.workers import WorkerPool, WorkerTiming
from bot.wiring import build_app_context

pytestmark = pytest.mark.slow

DAY = timedelta(days=1)
T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
PROJECT = "infra/aws/envs/dev"
MODULE = "module.s3_bucket_{}.aws_s3_bucket.this"


@pytest.fixture
def aws() -> Iterator[LocalAws]:
    # One emulator per test: the App keeps a repository's state at the same key of the emulator's state bucket.
    with InProcessEmulator() as emulator:
        yield emulator


def installations(fake: Any) -> GitHubApp:
    """The App's installations as the scheduler lists them."""
    return GitHubApp(fake.app_id, PrivateKey(fake.private_key_pem), fake.base_url, timeout=5)


def apply_bucket(app: App, bucket: str) -> None:
    """bob asks for the bucket, alice approves, bob applies, and the PR is merged on GitHub.

    The merge's `closed` delivery is never sent, so the PR's lock is still held: the drift job finds the PR closed
    and releases it, as the lost delivery would have.
    """
    fake = app.fake
    issue = fake.create_issue(REPO, f"A bucket {bucket}", "", "bob")
    app.comment(issue, f"/infra create bucket {bucket} region=eu-west-1", "bob", on_pull_request=False)
    pr = max(fake.repo(REPO).pulls.values(), key=lambda p: p.number)
    fake.add_review(REPO, pr.number, "alice", "APPROVED", pr.head_sha)
    app.comment(pr.number, "/infra apply", "bob", on_pull_request=True)
    assert shown(fake.repo(REPO).comments(pr.number)[-1].body).lstrip().startswith(f"Applied {PROJECT}")
    fake.merge_state(fake.repo(REPO), pr, f"Merge #{pr.number}", "bob")
    assert [lock.holder for lock in app.store.locks()] == [f"{REPO}#{pr.number}"]


def new_app(fixtures_dir: Path, fake: Any, aws: LocalAws, tmp_path: Path) -> App:
    fake.add_repo(REPO, files=seed_files())
    fake.set_permission(REPO, "bob", "maintain")
    fake.set_permission(REPO, "alice", "write")
    fake.set_branch_protection(REPO, "main", required_approving_review_count=1)
    return App(fixtures_dir, fake, aws, tmp_path, scanners=())


def drift_issues(fake: Any) -> list[Any]:
    return [issue for issue in fake.repo(REPO).issues.values() if DRIFT_LABEL in issue.labels]


def tags_of(aws: LocalAws, bucket: str) -> list[dict[str, str]]:
    tags: list[dict[str, str]] = aws.client("s3").get_bucket_tagging(Bucket=bucket)["TagSet"]
    return tags


def test_the_schedule_opens_one_issue_edits_it_at_the_next_slot_and_closes_it_once_put_back(
    fixtures_dir: Path, fake_github: Any, aws: LocalAws, tmp_path: Path
) -> None:
    fake = fake_github
    app = new_app(fixtures_dir, fake, aws, tmp_path)
    apply_bucket(app, "sched-tags")
    listing = installations(fake)

    # A worker killed mid-check left its copy of the branch behind: the next check clears it away.
    (tmp_path / "data" / "repos" / REPO.replace("/", "--") / "drift-checkout-killed" / "tree").mkdir(parents=True)

    # Clean at first: the job runs, finds nothing, opens nothing, and released the merged PR's lock.
    assert len(enqueue_drift_checks(listing, app.queue, DAY, T0).queued) == 1
    assert app.drain() == 1
    assert app.store.locks() == [] and drift_issues(fake) == []
    [check] = app.store.drift_checks(REPO)
    assert (check.project, check.status.value) == (PROJECT, "clean")

    s3 = aws.client("s3")
    applied_tags = tags_of(aws, "sched-tags")
    s3.put_bucket_tagging(Bucket="sched-tags", Tagging={"TagSet": [{"Key": "owner", "Value": "mallory"}]})

    # The next slot: one issue, naming the project and the resource, labelled olympus:drift.
    enqueue_drift_checks(listing, app.queue, DAY, T0 + DAY)
    later_that_slot = T0 + DAY + timedelta(hours=1)
    assert enqueue_drift_checks(listing, app.queue, DAY, later_that_slot).queued == []  # no second job
    assert app.drain() == 1
    [issue] = drift_issues(fake)
    assert issue.state == "open" and issue.user == fake.bot_login
    assert issue.body.startswith(drift_marker(REPO, PROJECT))
    assert MODULE.format("sched_tags") in issue.body and "mallory" in issue.body
    first_body = issue.body

    # The slot after: more drift, and the same issue edited in place.
    s3.put_bucket_versioning(Bucket="sched-tags", VersioningConfiguration={"Status": "Suspended"})
    enqueue_drift_checks(listing, app.queue, DAY, T0 + 2 * DAY)
    assert app.drain() == 1
    assert drift_issues(fake) == [issue] and issue.state == "open"
    assert issue.body != first_body and "versioning" in issue.body

    # Put back behind Terraform's back as it was: the next run says so and closes the issue.
    s3.put_bucket_tagging(Bucket="sched-tags", Tagging={"TagSet": applied_tags})
    s3.put_bucket_versioning(Bucket="sched-tags", VersioningConfiguration={"Status": "Enabled"})
    enqueue_drift_checks(listing, app.queue, DAY, T0 + 3 * DAY)
    assert app.drain() == 1
    assert drift_issues(fake) == [issue] and issue.state == "closed"
    assert issue.body.startswith(drift_marker(REPO, PROJECT)) and "No more drift" in issue.body
    assert {job.status for job in app.queue.jobs()} == {JobStatus.DONE}
    # Each run's checkout went away with it, and so did the one the killed worker left.
    assert not list((tmp_path / "data" / "repos").glob("*/drift-checkout-*"))


@pytest.mark.parametrize(
    "files",
    [
        {"README.md": "# not infrastructure\n"},
        {**seed_files(), ".olympus.yaml": "version: 1\ndrift:\n  schedule: false\n"},  # opted out
        {**seed_files(), ".olympus.yaml": "version: 1\nparallel_plan: many\n"},  # broken: its PRs say so
    ],
    ids=["no-projects", "opted-out", "broken-config"],
)
def test_a_repository_with_nothing_to_check_gets_no_issue_and_its_job_is_done(
    fixtures_dir: Path, fake_github: Any, aws: LocalAws, tmp_path: Path, files: dict[str, str]
) -> None:
    fake_github.add_repo(REPO, files=files)
    app = App(fixtures_dir, fake_github, aws, tmp_path, scanners=())
    enqueue_drift_checks(installations(fake_github), app.queue, DAY, T0)
    assert app.drain() == 1
    assert drift_issues(fake_github) == [] and app.store.drift_checks(REPO) == []
    assert {job.status for job in app.queue.jobs()} == {JobStatus.DONE}


class Replica:
    """One `olympus serve` replica's queue, workers and schedule, on the shared database."""

    def __init__(self, url: str, fake: Any, aws: LocalAws, data_dir: Path, clock: Any) -> None:
        self.store = SqlStore.open(url)
        self.queue = JobQueue(self.store.engine)
        context = build_app_context(
            app_id=fake.app_id,
            private_key_pem=fake.private_key_pem,
            api_url=fake.base_url,
            store=self.store,
            data_dir=data_dir,
            sandbox=aws,
            scanners=(),
            timeout=60,  # the slowed issue POST below must not time out on a busy machine
        )
        timing = WorkerTiming(lease=timedelta(minutes=10), poll_interval=0.1)
        self.pool = WorkerPool(self.queue, lambda job: handle_job(context, job), 1, timing=timing)
        self.scheduler = DriftScheduler(installations(fake), self.queue, DAY, clock=clock)


def wait_until_done(queue: JobQueue, jobs: int, seconds: float = 300.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        statuses = [job.status for job in queue.jobs()]
        if len(statuses) == jobs and all(s in (JobStatus.DONE, JobStatus.FAILED) for s in statuses):
            return
        time.sleep(0.2)
    raise AssertionError(f"the jobs did not finish: {queue.jobs()}")


def test_two_replicas_scheduling_at_once_leave_one_issue(
    fixtures_dir: Path, fake_github: Any, aws: LocalAws, tmp_path: Path, postgres_url: str
) -> None:
    fake = fake_github
    # The bucket is applied through one App first, then changed behind Terraform's back.
    (tmp_path / "setup").mkdir()
    app = new_app(fixtures_dir, fake, aws, tmp_path / "setup")
    apply_bucket(app, "sched-replicas")
    aws.client("s3").put_bucket_tagging(
        Bucket="sched-replicas", Tagging={"TagSet": [{"Key": "owner", "Value": "mallory"}]}
    )

    # Two replicas share the database (and, as deployed, the data volume); both schedulers tick at the same moment.
    data_dir = tmp_path / "data"
    one = Replica(postgres_url, fake, aws, data_dir, clock=lambda: T0)
    two = Replica(postgres_url, fake, aws, data_dir, clock=lambda: T0)
    together = threading.Barrier(2)
    queued: list[list[int]] = []

    def tick(replica: Replica) -> None:
        together.wait()
        queued.append(replica.scheduler.tick())

    ticking = [threading.Thread(target=tick, args=(replica,)) for replica in (one, two)]
    for thread in ticking:
        thread.start()
    for thread in ticking:
        thread.join()
    assert sorted(len(ids) for ids in queued) == [0, 1]  # one job for the slot, whichever replica queued it
    # A replica whose clock is already in the next slot queues that one: two checks of the repository, which the
    # two replicas' workers take at once, one after the other under the repository's mutex.
    assert len(DriftScheduler(installations(fake), two.queue, DAY, clock=lambda: T0 + DAY).tick()) == 1
    # Opening an issue is slow on GitHub this time: two checks that ran side by side would both find no issue and
    # both open one. Under the mutex the second check starts after the first has opened its issue, and edits it.
    fake.delay_next("POST", r"/issues$", 10.0, times=2)
    try:
        one.pool.start()
        two.pool.start()
        wait_until_done(one.queue, jobs=2)
    finally:
        one.pool.stop(60)
        two.pool.stop(60)
    assert {job.status for job in one.queue.jobs()} == {JobStatus.DONE}
    [issue] = drift_issues(fake)
    assert issue.state == "open" and issue.body.startswith(drift_marker(REPO, PROJECT))
    assert MODULE.format("sched_replicas") in issue.body
    [check] = one.store.drift_checks(REPO)
    assert check.issue_number == issue.number
    for replica in (one, two):
        replica.store.close()

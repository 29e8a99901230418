"""A store that lasts one job (the Action's) recalls from the open drift issues since when each drift lasts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from github import Auth, Github

from bot.adapters.github import GitHubCodeHost
from bot.adapters.sqlstore import SqlStore
from bot.domain.drift import DriftCheck, DriftReport, DriftStatus, drift_detail, drift_marker, next_since
from bot.domain.models import Project
from bot.domain.plans import AttributeChange, ResourceChange
from bot.services.drift_issues import DRIFT_LABEL, upsert_drift_issues
from bot.services.drift_recall import recall_open_drift

REPO = "acme/infra"
T0 = datetime(2026, 12, 2, 20, 0, 31, tzinfo=UTC)
DEV = Project(name="aws-dev", dir="infra/aws/envs/dev")


def drifted() -> DriftReport:
    change = AttributeChange('tags_all["owner"]', None, '"mallory"')
    resource = ResourceChange("aws_s3_bucket.logs", "update", ("update",), attributes=(change,))
    return DriftReport(DEV, DriftStatus.DRIFTED, (resource,))


def one_job(tmp_path: Path, host: GitHubCodeHost, now: datetime, name: str) -> SqlStore:
    """A job with a new store: it recalls, records the check as the sweep does, and keeps the issue."""
    store = SqlStore.open(f"sqlite:///{tmp_path / name}.db", clock=lambda: now)
    recall_open_drift(host, store, REPO)
    previous = {c.project: c for c in store.drift_checks(REPO)}
    report = drifted()
    since = next_since(previous.get(DEV.name), report.status, now)
    store.record_drift_check(DriftCheck(REPO, DEV.name, now, report.status, drift_detail(report), since))
    upsert_drift_issues(host, store, REPO, [report])
    return store


def test_each_job_keeps_the_drifts_first_sighting_from_the_issue(tmp_path: Path, fake_github: Any) -> None:
    fake_github.add_repo(REPO, files={"README.md": "# infra\n"})
    host = GitHubCodeHost(Github(auth=Auth.Token(fake_github.actions_token()), base_url=fake_github.base_url))
    one_job(tmp_path, host, T0, "job-1").close()
    (issue,) = [i for i in fake_github.repos[REPO].issues.values() if DRIFT_LABEL in i.labels]
    assert "Seen since 2026-12-02 20:00 UTC, last checked 2026-12-02 20:00 UTC" in issue.body

    store = one_job(tmp_path, host, T0 + timedelta(days=1), "job-2")
    assert "Seen since 2026-12-02 20:00 UTC, last checked 2026-12-03 20:00 UTC" in issue.body
    (check,) = store.drift_checks(REPO)
    assert check.since == T0.replace(second=0) and check.issue_number == issue.number
    store.close()


def test_only_this_repositorys_open_issues_with_a_date_are_recalled(tmp_path: Path, fake_github: Any) -> None:
    fake_github.add_repo(REPO, files={"README.md": "# infra\n"})
    host = GitHubCodeHost(Github(auth=Auth.Token(fake_github.actions_token()), base_url=fake_github.base_url))
    sentence = "Seen since 2026-11-30 10:00 UTC, last checked 2026-12-01 10:00 UTC."
    for body in (
        f"{drift_marker('acme/other', 'aws-dev')}\n{sentence}",  # another repository's project
        f"{drift_marker(REPO, 'aws-prod')}\nno date here",  # edited by a human: nothing to recall
        f"{drift_marker(REPO, 'gcp')}\n{sentence}",
    ):
        number = fake_github.create_issue(REPO, "Drift", body, author="olympus[bot]")
        fake_github.repos[REPO].issues[number].labels.append(DRIFT_LABEL)
    with SqlStore.open(f"sqlite:///{tmp_path / 'job'}.db", clock=lambda: T0) as store:
        known = DriftCheck(REPO, "gcp", T0, DriftStatus.CLEAN)
        assert recall_open_drift(host, store, REPO) == ["gcp"]
        store.record_drift_check(known)
        # A store with a history of its own (OLYMPUS_DATABASE_URL) is never overwritten from an issue.
        assert recall_open_drift(host, store, REPO) == []
        assert [(c.project, c.status) for c in store.drift_checks(REPO)] == [("gcp", DriftStatus.CLEAN)]

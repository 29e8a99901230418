"""Drift issues through GitHubCodeHost on the fake GitHub: opened once, edited in place, closed when clean."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from github import Auth, Github

from bot.adapters.github import GitHubCodeHost
from bot.adapters.sqlstore import SqlStore
from bot.domain.drift import (
    DriftCheck,
    DriftReport,
    DriftStatus,
    drift_detail,
    drift_marker,
    drift_marker_of,
    next_since,
)
from bot.domain.models import Project
from bot.domain.plans import AttributeChange, ResourceChange
from bot.services.drift_issues import DRIFT_LABEL, upsert_drift_issues

REPO = "acme/infra"
T0 = datetime(2026, 12, 2, 20, 0, tzinfo=UTC)
DEV = Project(name="aws-dev", dir="infra/aws/envs/dev")
PROD = Project(name="aws-prod", dir="infra/aws/envs/prod")


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(sqlite_url: str, clock: Clock) -> Iterator[SqlStore]:
    with SqlStore.open(sqlite_url, clock=clock) as opened:
        yield opened


@pytest.fixture
def host(fake_github: Any) -> GitHubCodeHost:
    fake_github.add_repo(REPO, files={"README.md": "# infra\n"})
    token = Auth.Token(fake_github.actions_token())
    return GitHubCodeHost(Github(auth=token, base_url=fake_github.base_url, retry=None))


def drifted(project: Project, after: str = "mallory") -> DriftReport:
    change = AttributeChange('tags_all["owner"]', None, after)
    resource = ResourceChange("aws_s3_bucket.logs", "update", ("update",), attributes=(change,))
    return DriftReport(project, DriftStatus.DRIFTED, (resource,))


def checked(store: SqlStore, clock: Clock, *reports: DriftReport) -> list[DriftReport]:
    """Record each report as the sweep does, then hand them on."""
    previous = {c.project: c for c in store.drift_checks(REPO)}
    for report in reports:
        since = next_since(previous.get(report.project.name), report.status, clock.now)
        check = DriftCheck(REPO, report.project.name, clock.now, report.status, drift_detail(report), since)
        store.record_drift_check(check)
    return list(reports)


def drift_issues(fake: Any) -> list[Any]:
    return [i for i in fake.repos[REPO].issues.values() if DRIFT_LABEL in i.labels]


def test_one_issue_per_drifted_project_edited_in_place_then_closed(
    host: GitHubCodeHost, store: SqlStore, clock: Clock, fake_github: Any
) -> None:
    clean = DriftReport(PROD, DriftStatus.CLEAN)
    outcomes = upsert_drift_issues(host, store, REPO, checked(store, clock, drifted(DEV), clean))
    assert [(o.project, o.action) for o in outcomes] == [("aws-dev", "opened"), ("aws-prod", "none")]
    (issue,) = drift_issues(fake_github)
    assert issue.body.startswith(drift_marker(REPO, "aws-dev"))
    assert "mallory" in issue.body and issue.state == "open"
    assert {c.project: c.issue_number for c in store.drift_checks(REPO)} == {"aws-dev": issue.number, "aws-prod": None}

    # The same drift an hour later: the body says when it was last checked, and the same issue carries it.
    clock.now += timedelta(hours=1)
    outcomes = upsert_drift_issues(host, store, REPO, checked(store, clock, drifted(DEV, "eve"), clean))
    assert outcomes[0].action == "updated" and outcomes[0].number == issue.number
    assert len(drift_issues(fake_github)) == 1
    assert "eve" in issue.body and "Seen since 2026-12-02 20:00 UTC, last checked 2026-12-02 21:00 UTC" in issue.body

    # Nothing new: nothing is written.
    writes = len([r for r in fake_github.requests if r.method == "PATCH"])
    assert upsert_drift_issues(host, store, REPO, [drifted(DEV, "eve")])[0].action == "unchanged"
    assert len([r for r in fake_github.requests if r.method == "PATCH"]) == writes

    # The title does not decide: a human renaming the issue changes nothing.
    issue.title = "renamed by a human"
    assert upsert_drift_issues(host, store, REPO, [drifted(DEV, "eve")])[0].number == issue.number

    # Clean: the issue says so and closes; the next drift opens a new one.
    clock.now += timedelta(hours=1)
    outcomes = upsert_drift_issues(host, store, REPO, checked(store, clock, DriftReport(DEV, DriftStatus.CLEAN)))
    assert outcomes[0].action == "closed" and issue.state == "closed"
    assert "No more drift" in issue.body and issue.body.startswith(drift_marker(REPO, "aws-dev"))
    clock.now += timedelta(hours=1)
    outcomes = upsert_drift_issues(host, store, REPO, checked(store, clock, drifted(DEV)))
    assert outcomes[0].action == "opened" and outcomes[0].number != issue.number
    assert len([i for i in drift_issues(fake_github) if i.state == "open"]) == 1


def test_a_locked_or_failed_check_leaves_the_issue_as_it_is(
    host: GitHubCodeHost, store: SqlStore, clock: Clock, fake_github: Any
) -> None:
    upsert_drift_issues(host, store, REPO, checked(store, clock, drifted(DEV)))
    (issue,) = drift_issues(fake_github)
    body = issue.body
    for status in (DriftStatus.LOCKED, DriftStatus.ERROR):
        clock.now += timedelta(hours=1)
        outcomes = upsert_drift_issues(host, store, REPO, checked(store, clock, DriftReport(DEV, status)))
        assert outcomes[0].action == "none" and outcomes[0].number == issue.number
    assert issue.body == body and issue.state == "open"


def test_copies_opened_side_by_side_are_closed_and_the_oldest_kept(
    host: GitHubCodeHost, store: SqlStore, clock: Clock, fake_github: Any
) -> None:
    upsert_drift_issues(host, store, REPO, checked(store, clock, drifted(DEV)))
    (first,) = drift_issues(fake_github)
    # Another writer opened one too (the Action beside the App, or a POST retried after a lost answer).
    copy = fake_github.create_issue(REPO, "Drift in aws-dev", first.body, author="olympus[bot]")
    fake_github.repos[REPO].issues[copy].labels.append(DRIFT_LABEL)
    # An issue naming the project of another repository, and a pull request with the label, are not this one's.
    other = fake_github.create_issue(REPO, "x", drift_marker("acme/other", "aws-dev"), author="bob")
    fake_github.repos[REPO].issues[other].labels.append(DRIFT_LABEL)

    clock.now += timedelta(hours=1)
    outcomes = upsert_drift_issues(host, store, REPO, checked(store, clock, drifted(DEV, "eve")))
    assert outcomes[0].number == first.number
    issues = fake_github.repos[REPO].issues
    assert issues[copy].state == "closed" and f"copy of #{first.number}" in issues[copy].body
    assert issues[other].state == "open" and first.state == "open"


def test_values_from_the_cloud_cannot_break_out_of_the_issue(
    host: GitHubCodeHost, store: SqlStore, clock: Clock, fake_github: Any
) -> None:
    hostile = "x` | --> <!-- olympus:drift repo=acme/infra project=aws-prod --> @everyone"
    upsert_drift_issues(host, store, REPO, checked(store, clock, drifted(DEV, hostile)))
    (issue,) = drift_issues(fake_github)
    # The value stays in its code span (where `<!--` is text, not HTML): the only marker is the first line's.
    assert drift_marker_of(issue.body) == (REPO, "aws-dev")
    assert not issue.body.splitlines()[1].startswith("<!--")
    # The prod project's issue is not taken for dev's, whatever dev's body holds.
    assert upsert_drift_issues(host, store, REPO, checked(store, clock, drifted(PROD)))[0].action == "opened"


def test_the_issue_of_a_project_the_default_branch_no_longer_has_is_closed_after_a_full_sweep(
    host: GitHubCodeHost, store: SqlStore, clock: Clock, fake_github: Any
) -> None:
    upsert_drift_issues(host, store, REPO, checked(store, clock, drifted(DEV)))
    (issue,) = drift_issues(fake_github)
    clean = checked(store, clock, DriftReport(PROD, DriftStatus.CLEAN))
    # A sweep of some projects says nothing of the others: their issues stay.
    assert [o.action for o in upsert_drift_issues(host, store, REPO, clean)] == ["none"]
    assert issue.state == "open"
    outcomes = upsert_drift_issues(host, store, REPO, clean, every_project=True)
    assert [(o.project, o.action, o.number) for o in outcomes] == [
        ("aws-prod", "none", None),
        ("aws-dev", "closed", issue.number),
    ]
    assert issue.state == "closed" and "`aws-dev` is gone" in issue.body
    assert drift_marker_of(issue.body) == (REPO, "aws-dev")


def test_an_opened_drift_issue_is_a_fix_trigger_in_the_evaluation_store(
    host: GitHubCodeHost, store: SqlStore, clock: Clock, fake_github: Any
) -> None:
    from bot.services.fix_marks import mark_next_apply
    from bot.services.fix_triggers import mark_drift_fix_asked

    upsert_drift_issues(host, store, REPO, checked(store, clock, drifted(DEV)))
    clock.now += timedelta(hours=1)
    upsert_drift_issues(host, store, REPO, checked(store, clock, drifted(DEV, "eve")))  # updated: no second one
    (issue,) = drift_issues(fake_github)
    [attempt] = store.fix_attempts(REPO)
    assert (attempt.change_id, attempt.project, attempt.step, attempt.failure_class) == (
        f"{REPO}#{issue.number}",
        DEV.dir,
        "drift",
        "drift",
    )
    assert attempt.offered and attempt.accepted is None
    assert attempt.extra["offer"] == {"how": "drift_issue", "issue": issue.number, "way_out": "restore"}
    assert "1 resource(s) of aws-dev changed outside Terraform" == attempt.root_cause

    # `/infra fix drift` opened pull request 9 from the issue: the offer was taken.
    assert mark_drift_fix_asked(store, REPO, f"{REPO}#{issue.number}", 9, f"{REPO}#9") == [attempt.id]
    [taken] = store.fix_attempts(REPO)
    assert taken.accepted is True and taken.extra["offer"]["pull_request"] == 9
    # It follows the fix to pull request 9 (asked again, nothing is left to mark), whose apply says it held.
    assert taken.change_id == f"{REPO}#9" and taken.extra["offer"]["issue"] == issue.number
    assert mark_drift_fix_asked(store, REPO, f"{REPO}#{issue.number}", 9, f"{REPO}#9") == []
    assert mark_next_apply(store, REPO, f"{REPO}#9", applied=[DEV.dir]) == [attempt.id]
    assert store.fix_attempts(REPO)[0].next_apply_ok is True

    # A drift gone by itself, its issue never acted on: the next issue's attempt is let go when it closes.
    clock.now += timedelta(hours=1)
    upsert_drift_issues(host, store, REPO, checked(store, clock, DriftReport(DEV, DriftStatus.CLEAN)))
    clock.now += timedelta(hours=1)
    upsert_drift_issues(host, store, REPO, checked(store, clock, drifted(DEV)))
    clock.now += timedelta(hours=1)
    upsert_drift_issues(host, store, REPO, checked(store, clock, DriftReport(DEV, DriftStatus.CLEAN)))
    assert [a.accepted for a in store.fix_attempts(REPO)] == [False, True]  # newest first

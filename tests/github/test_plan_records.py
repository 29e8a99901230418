"""Reading the plan workflow's runs and their record artifact through the Actions REST API (the fake's)."""

from __future__ import annotations

from typing import Any

from github import Auth, Github

from bot.adapters.github.codehost import GitHubCodeHost
from bot.adapters.github.plan_records import GitHubPlanRecords
from bot.domain.plan_evidence import RECORD_ARTIFACT, RECORD_FILE

REPO = "octo-org/records"
WORKFLOW = ".github/workflows/olympus.yml"


def records(fake: Any) -> GitHubPlanRecords:
    token = fake.actions_token()
    return GitHubPlanRecords(GitHubCodeHost(Github(auth=Auth.Token(token), base_url=fake.base_url, retry=None)))


def test_runs_of_a_commit_and_the_record_one_uploaded(fake_github: Any) -> None:
    fake_github.add_repo(REPO)
    head, other = "a" * 40, "b" * 40
    first = fake_github.add_workflow_run(REPO, path=WORKFLOW, head_sha=head, artifacts={})
    second = fake_github.add_workflow_run(
        REPO, path=WORKFLOW, head_sha=head, artifacts={RECORD_ARTIFACT: {RECORD_FILE: b'{"version": 1}'}}
    )
    fake_github.add_workflow_run(REPO, path=WORKFLOW, head_sha=other, artifacts={})
    fake_github.add_workflow_run(REPO, path=WORKFLOW, head_sha=head, event="push", artifacts={})
    reader = records(fake_github)

    runs = reader.runs_at(REPO, head)
    assert sorted(r.id for r in runs) == [first, second]  # GitHub filters by commit and event
    assert {r.path for r in runs} == {WORKFLOW} and {r.status for r in runs} == {"completed"}
    assert reader.record_of(REPO, first) is None  # no artifact
    assert reader.record_of(REPO, second) == '{"version": 1}'

    fake_github.expire_artifact(REPO, second, RECORD_ARTIFACT)
    assert reader.record_of(REPO, second) is None
    assert fake_github.violations == []


def test_an_artifact_of_that_name_that_is_no_record_reads_as_unreadable(fake_github: Any) -> None:
    fake_github.add_repo(REPO)
    run = fake_github.add_workflow_run(
        REPO, path=WORKFLOW, head_sha="a" * 40, artifacts={RECORD_ARTIFACT: {"something-else.txt": b"hello"}}
    )
    assert records(fake_github).record_of(REPO, run) == ""
    assert fake_github.violations == []

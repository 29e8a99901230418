"""`/infra fix drift` in a drift issue, end to end: real Terraform on the local AWS emulator, the fake GitHub.

A bucket is created and applied through the App, its versioning suspended behind Terraform's back with boto3, and
a sweep opens the drift issue (the App's schedule is another piece: the sweep is called here as it will call it).
restore → a PR that changes no file, planned with the update back, approved, applied → the next sweep closes the
issue. adopt → a PR that sets the module call's option, whose plan shows no changes → applied, merged, clean.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_driver import REPO, App, seed_files
from shown import shown

from bot.adapters.github.repo_reader import GitHubRepoReader
from bot.adapters.local_aws import InProcessEmulator, LocalAws
from bot.domain.drift import DriftReport, DriftStatus, drift_marker
from bot.services.drift_issues import DRIFT_LABEL, IssueOutcome, upsert_drift_issues
from bot.services.drift_sweep import SweptTree, sweep_drift
from bot.services.github_checkout import materialize
from bot.services.repo_projects import projects_of

pytestmark = pytest.mark.slow

PROJECT = "infra/aws/envs/dev"


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with InProcessEmulator() as emulator:
        yield emulator


@pytest.fixture
def world(fixtures_dir: Path, fake_github: Any, aws: LocalAws, tmp_path: Path) -> tuple[App, Any]:
    fake = fake_github
    repo = fake.add_repo(REPO, files=seed_files())
    fake.set_permission(REPO, "bob", "maintain")
    fake.set_permission(REPO, "alice", "write")
    fake.set_permission(REPO, "mallory", "read")
    fake.set_branch_protection(REPO, "main", required_approving_review_count=1)
    # No scanners: what is tested is the drift and its fix, and Checkov alone would take most of the time.
    return App(fixtures_dir, fake, aws, tmp_path, scanners=()), repo


def last_reply(app: App, repo: Any, number: int) -> str:
    return shown(next(c.body for c in reversed(repo.comments(number)) if c.user == app.fake.bot_login)).strip()


def merge(app: App, repo: Any, number: int) -> None:
    app.fake.merge_state(repo, repo.pulls[number], f"Merge pull request #{number}", merged_by="bob")
    app.pull_request_event("closed", number, "bob", merged=True)


def applied_bucket(app: App, repo: Any, name: str) -> None:
    """bob asks for the bucket, alice approves, bob applies, the PR is merged: main and the cloud agree."""
    issue = app.fake.create_issue(REPO, f"bucket {name}", "", "bob")
    app.comment(issue, f"/infra create bucket {name} region=eu-west-1", "bob", on_pull_request=False)
    assert repo.pulls, last_reply(app, repo, issue)
    number = max(repo.pulls)
    app.fake.add_review(REPO, number, "alice", "APPROVED", repo.pulls[number].head_sha)
    app.comment(number, "/infra apply", "bob", on_pull_request=True)
    assert last_reply(app, repo, number).startswith("Applied"), last_reply(app, repo, number)
    merge(app, repo, number)


def sweep(app: App, tmp_path: Path) -> tuple[list[DriftReport], list[IssueOutcome]]:
    """A drift check of main's projects and the issues brought up to date, as the App's schedule will do it."""
    codehost = app.ctx.codehost_for(app.fake.installation_id)
    loop = app.ctx.loop_for(REPO, "olympus-drift")
    head = codehost.reference_commit(REPO, "main")
    reader = GitHubRepoReader(codehost, REPO, head)
    workdir = tmp_path / "sweeps" / head
    materialize(reader, workdir)
    reports = sweep_drift(loop, SweptTree(head, reader, workdir), projects_of(reader), limit=1)
    return reports, upsert_drift_issues(codehost, app.store, REPO, reports)


def drift_issue(repo: Any) -> Any:
    (issue,) = [i for i in repo.issues.values() if DRIFT_LABEL in i.labels and i.state == "open"]
    return issue


def labelled_issue(app: App, body: str) -> int:
    number: int = app.fake.create_issue(REPO, "Drift", body + "\n", "bob")
    app.fake.repos[REPO].issues[number].labels.append(DRIFT_LABEL)
    return number


def plan_checks(repo: Any, head: str) -> list[Any]:
    return [run for run in repo.check_runs if run.head_sha == head and run.name == f"olympus/plan: {PROJECT}"]


def test_restore_puts_reality_back_through_the_gate_and_the_issue_closes(
    world: tuple[App, Any], aws: LocalAws, tmp_path: Path
) -> None:
    app, repo = world
    applied_bucket(app, repo, "drift-restore")
    s3 = aws.client("s3")
    s3.put_bucket_versioning(Bucket="drift-restore", VersioningConfiguration={"Status": "Suspended"})
    s3.put_bucket_tagging(Bucket="drift-restore", Tagging={"TagSet": [{"Key": "owner", "Value": "mallory"}]})
    reports, outcomes = sweep(app, tmp_path)
    assert [(r.status, o.action) for r, o in zip(reports, outcomes, strict=True)] == [(DriftStatus.DRIFTED, "opened")]
    issue = drift_issue(repo)
    # Tags are no option of the bucket's module call: the issue proposes restore, and adopt is refused, saying why.
    assert "`/infra fix drift restore` (proposed)" in issue.body
    app.comment(issue.number, "/infra fix drift adopt", "bob", on_pull_request=False)
    refused = last_reply(app, repo, issue.number)
    assert refused.startswith("error[adopt-not-possible]"), refused  # the code docs/errors.md lists
    assert "Olympus cannot adopt the drift in infra/aws/envs/dev" in refused
    assert 'tags_all["owner"] is no setting of its module call' in refused
    assert "/infra fix drift restore" in refused
    pulls_before = set(repo.pulls)

    # Someone who may not write is refused before anything is made.
    app.comment(issue.number, "/infra fix drift", "mallory", on_pull_request=False)
    assert "/infra fix drift may be run by people with the write permission" in last_reply(app, repo, issue.number)
    assert set(repo.pulls) == pulls_before

    app.comment(issue.number, "/infra fix drift", "bob", on_pull_request=False)  # the proposed way: restore
    (number,) = set(repo.pulls) - pulls_before
    pr = repo.pulls[number]
    assert pr.head_ref.startswith("infra/fix-drift-infra-aws-envs-dev-restore.")
    assert f"Opened #{number} for /infra fix drift restore" in last_reply(app, repo, issue.number)
    # The code stays: the PR changes no file, and its one commit names the project it restores.
    assert repo.files_at(pr.head_sha) == repo.files_at("main")
    assert f"Olympus-Restores-Drift: {PROJECT}" in repo.git.commits[pr.head_sha].message
    assert f"Drift issue: #{issue.number}" in repo.issues[number].body
    # Planned although no file changed: the plan shows the update that puts versioning and the tags back.
    (check,) = plan_checks(repo, pr.head_sha)
    assert check.conclusion == "success" and "to change" in check.output["title"]
    assert check.output["title"] != "0 to add, 0 to change, 0 to destroy"
    plan = last_reply(app, repo, number)
    assert "ready to apply" in plan and "Update in place" in plan, plan
    assert 'versioning: [{"enabled":false,"mfa_delete":false}] → [{"enabled":true,"mfa_delete":false}]' in plan

    # bob asked for it, so his approval does not count; alice's does.
    app.fake.add_review(REPO, number, "bob", "APPROVED", pr.head_sha)
    app.comment(number, "/infra apply", "bob", on_pull_request=True)
    assert "cannot approve" in last_reply(app, repo, number)
    app.fake.add_review(REPO, number, "alice", "APPROVED", pr.head_sha)
    app.comment(number, "/infra apply", "bob", on_pull_request=True)
    assert last_reply(app, repo, number).startswith(f"Applied {PROJECT}")
    assert s3.get_bucket_versioning(Bucket="drift-restore")["Status"] == "Enabled"
    # The evaluation store: the drift issue's attempt was accepted, followed the fix to its PR, and its apply held.
    (attempt,) = [a for a in app.store.fix_attempts() if a.failure_class == "drift"]
    assert (attempt.change_id, attempt.accepted, attempt.next_apply_ok) == (f"{REPO}#{number}", True, True)
    merge(app, repo, number)

    reports, outcomes = sweep(app, tmp_path)
    assert [(r.status, o.action, o.number) for r, o in zip(reports, outcomes, strict=True)] == [
        (DriftStatus.CLEAN, "closed", issue.number)
    ]
    assert repo.issues[issue.number].state == "closed"


def test_adopt_sets_the_module_calls_option_and_its_plan_shows_no_changes(
    world: tuple[App, Any], aws: LocalAws, tmp_path: Path
) -> None:
    app, repo = world
    applied_bucket(app, repo, "drift-adopt")
    aws.client("s3").put_bucket_versioning(Bucket="drift-adopt", VersioningConfiguration={"Status": "Suspended"})
    sweep(app, tmp_path)
    issue = drift_issue(repo)
    assert "`/infra fix drift adopt` (proposed)" in issue.body  # versioning is an option of the module call

    pulls_before = set(repo.pulls)
    app.comment(issue.number, "/infra fix drift", "bob", on_pull_request=False)  # the proposed way: adopt
    (number,) = set(repo.pulls) - pulls_before
    pr = repo.pulls[number]
    assert pr.head_ref.startswith("infra/fix-drift-infra-aws-envs-dev-adopt.")
    call = "infra/aws/envs/dev/s3_bucket_drift_adopt.tf"
    before, after = repo.files_at("main"), repo.files_at(pr.head_sha)
    assert {path for path in after if after[path] != before.get(path)} == {call}
    assert "versioning = false" in " ".join(after[call].split()) and "versioning = true" in " ".join(
        before[call].split()
    )
    assert "/infra update bucket drift-adopt versioning=off cloud=aws env=dev" in repo.issues[number].body
    (check,) = plan_checks(repo, pr.head_sha)
    assert (check.conclusion, check.output["title"]) == ("success", "0 to add, 0 to change, 0 to destroy")

    app.fake.add_review(REPO, number, "alice", "APPROVED", pr.head_sha)
    app.comment(number, "/infra apply", "bob", on_pull_request=True)
    assert last_reply(app, repo, number).startswith(f"Applied {PROJECT}")
    assert aws.client("s3").get_bucket_versioning(Bucket="drift-adopt")["Status"] == "Suspended"  # kept as it is
    merge(app, repo, number)
    reports, outcomes = sweep(app, tmp_path)
    assert [(r.status, o.action) for r, o in zip(reports, outcomes, strict=True)] == [(DriftStatus.CLEAN, "closed")]


def test_adopt_imports_a_bucket_the_code_declares_that_was_made_by_hand(
    world: tuple[App, Any], aws: LocalAws, tmp_path: Path
) -> None:
    app, repo = world
    # The bucket's code is merged and never applied; meanwhile someone makes the bucket by hand, under its name.
    issue = app.fake.create_issue(REPO, "bucket by-hand", "", "bob")
    app.comment(issue, "/infra create bucket by-hand region=eu-west-1", "bob", on_pull_request=False)
    merge(app, repo, max(repo.pulls))
    aws.client("s3").create_bucket(Bucket="by-hand", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    reports, _ = sweep(app, tmp_path)
    assert [r.status for r in reports] == [DriftStatus.DRIFTED]
    drifted = drift_issue(repo)
    assert "`/infra fix drift adopt` (proposed)" in drifted.body and "_created outside Terraform_" in drifted.body

    pulls_before = set(repo.pulls)
    app.comment(drifted.number, "/infra fix drift", "bob", on_pull_request=False)
    (number,) = set(repo.pulls) - pulls_before
    pr = repo.pulls[number]
    imports = f"{PROJECT}/olympus_imports.tf"
    blocks = repo.files_at(pr.head_sha)[imports]
    assert 'to = module.s3_bucket_by_hand.aws_s3_bucket.this\n  id = "by-hand"' in blocks
    assert "exists outside Terraform" in repo.issues[number].body
    (check,) = plan_checks(repo, pr.head_sha)
    assert check.conclusion == "success", check.output
    assert "1 to import" in last_reply(app, repo, number) or "Import" in last_reply(app, repo, number)

    app.fake.add_review(REPO, number, "alice", "APPROVED", pr.head_sha)
    app.comment(number, "/infra apply", "bob", on_pull_request=True)
    assert last_reply(app, repo, number).startswith(f"Applied {PROJECT}"), last_reply(app, repo, number)
    merge(app, repo, number)
    reports, outcomes = sweep(app, tmp_path)
    assert [(r.status, o.action) for r, o in zip(reports, outcomes, strict=True)] == [(DriftStatus.CLEAN, "closed")]


def test_fix_drift_is_refused_outside_a_drift_issue_of_this_repository(world: tuple[App, Any]) -> None:
    app, repo = world
    plain = app.fake.create_issue(REPO, "Something else", "no marker here", "bob")
    app.comment(plain, "/infra fix drift", "bob", on_pull_request=False)
    assert "works only in an open drift issue" in last_reply(app, repo, plain)

    # A marker is not enough without the label (whoever opens an issue may write one), nor the label without it.
    unlabelled = app.fake.create_issue(REPO, "Drift", drift_marker(REPO, PROJECT) + "\n", "bob")
    app.comment(unlabelled, "/infra fix drift", "bob", on_pull_request=False)
    assert "works only in an open drift issue" in last_reply(app, repo, unlabelled)
    labelled = labelled_issue(app, "I am labelled but no drift issue")
    app.comment(labelled, "/infra fix drift", "bob", on_pull_request=False)
    assert "works only in an open drift issue" in last_reply(app, repo, labelled)

    other = labelled_issue(app, drift_marker("acme/other", PROJECT))
    app.comment(other, "/infra fix drift restore", "bob", on_pull_request=False)
    assert f"about the repository acme/other, not {REPO}" in last_reply(app, repo, other)

    # A marker of this repository whose project has never drifted: nothing to fix.
    ours = labelled_issue(app, drift_marker(REPO, PROJECT))
    app.comment(ours, "/infra fix drift restore", "bob", on_pull_request=False)
    assert f"the last drift check of {PROJECT} never ran" in last_reply(app, repo, ours)
    nowhere = labelled_issue(app, drift_marker(REPO, "infra/aws/envs/nope"))
    app.comment(nowhere, "/infra fix drift restore", "bob", on_pull_request=False)
    assert "main has no Terraform project named 'infra/aws/envs/nope'" in last_reply(app, repo, nowhere)

    app.comment(ours, "/infra fix drift sideways", "bob", on_pull_request=False)
    assert "unknown way out sideways" in last_reply(app, repo, ours)
    assert not repo.pulls

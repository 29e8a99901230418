"""The GitHub App end to end: signed webhooks → jobs → PR, plan comment, checks → gate → apply → merge."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_driver import REPO, App, seed_files
from shown import shown

from bot.adapters.local_aws import InProcessEmulator, LocalAws

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with InProcessEmulator() as emulator:
        yield emulator


def test_issue_comment_to_applied_bucket(fixtures_dir: Path, fake_github: Any, aws: LocalAws, tmp_path: Path) -> None:
    fake = fake_github
    repo = fake.add_repo(REPO, files=seed_files())
    fake.set_permission(REPO, "bob", "maintain")
    fake.set_permission(REPO, "alice", "write")
    fake.set_permission(REPO, "eve", "write")
    fake.set_branch_protection(REPO, "main", required_approving_review_count=1)
    app = App(fixtures_dir, fake, aws, tmp_path)
    store, comment = app.store, app.comment

    # 1. bob asks on an issue: a PR with the change, a reply with its link, the plan comment and a check run.
    issue = fake.create_issue(REPO, "We need an archive bucket", "for the logs", "bob")
    comment(issue, "/infra create bucket logs-archive region=eu-west-1", "bob", on_pull_request=False)
    [pr] = repo.pulls.values()
    first_head = pr.head_sha
    assert "infra/aws/envs/dev/s3_bucket_logs_archive.tf" in repo.files_at(pr.head_ref)
    [command] = [c for c in repo.comments(issue) if c.user == "bob"]
    replies = [c.body for c in repo.comments(issue) if c.user == fake.bot_login]
    # Keyed by the command's comment, so a retried job edits this reply instead of posting another.
    assert replies == [
        f"<!-- olympus:comment key=reply/comment-{command.id} part=1/1 -->\n"
        f"Opened #{pr.number} for `/infra create bucket logs-archive cloud=aws region=eu-west-1 "
        "env=dev versioning=on`; the plan will be posted there."
    ]
    assert [r.content for c in repo.comments(issue) if c.user == "bob" for r in c.reactions] == ["eyes"]
    [plan_comment] = [c.body for c in repo.comments(pr.number) if c.user == fake.bot_login]
    assert plan_comment.startswith(f"<!-- olympus:comment key={REPO}#{pr.number} part=1/1 -->")
    assert "ready to apply" in plan_comment
    [check] = [run for run in repo.check_runs if run.name.startswith("olympus/plan: ")]
    # The default policy set judges the plan too, advisory without `policies` in .olympus.yaml: its check is neutral.
    [policy] = [run for run in repo.check_runs if run.name == "olympus/policy: olympus"]
    assert (policy.head_sha, policy.conclusion) == (pr.head_sha, "neutral")
    assert (check.name, check.head_sha, check.conclusion) == (
        "olympus/plan: infra/aws/envs/dev",
        pr.head_sha,
        "success",
    )

    # 2. another request for the same environment gets its own PR, which is told who holds the lock.
    other_issue = fake.create_issue(REPO, "And a data bucket", "", "bob")
    comment(other_issue, "/infra create bucket team-data region=eu-west-1", "bob", on_pull_request=False)
    other = max(repo.pulls)
    [other_comment] = [c.body for c in repo.comments(other) if c.user == fake.bot_login]
    assert f"🔒 locked by {REPO}#{pr.number}" in other_comment
    assert [run.conclusion for run in repo.check_runs if run.head_sha == repo.pulls[other].head_sha] == ["failure"]

    # bob asks to apply without an approval: refused, with the reason.
    comment(pr.number, "/infra apply", "bob", on_pull_request=True)
    assert "no approval for the head commit" in shown(repo.comments(pr.number)[-1].body)
    assert "logs-archive" not in aws.bucket_names()

    # 3. alice approves, then bob pushes: the PR is planned again, the same comment is updated in place,
    # and the approval from before the push no longer counts.
    fake.add_review(REPO, pr.number, "alice", "APPROVED", first_head)
    pushed = fake.push(REPO, pr.head_ref, {"infra/aws/envs/dev/terraform.tfvars": 'region = "eu-west-1"\n'})
    app.pull_request_event("synchronize", pr.number, "bob")
    plan_marker = f"<!-- olympus:comment key={REPO}#{pr.number} "  # the plan's; each reply has a key of its own
    bot_comments = [c for c in repo.comments(pr.number) if c.user == fake.bot_login and plan_marker in c.body]
    assert len(bot_comments) == 1 and pushed[:12] in bot_comments[0].body
    plan_checks = [run for run in repo.check_runs if run.name.startswith("olympus/plan: ")]
    assert [run.head_sha for run in plan_checks if run.head_sha != repo.pulls[other].head_sha] == [first_head, pushed]
    comment(pr.number, "/infra apply", "bob", on_pull_request=True)
    assert "is for an earlier commit" in shown(repo.comments(pr.number)[-1].body)

    # 4. bob approving his own change does not count; nor does eve, who pushed a file of her own to the PR and
    # approved her push; alice's approval at the new head does.
    fake.add_review(REPO, pr.number, "bob", "APPROVED", pushed)
    comment(pr.number, "/infra apply", "bob", on_pull_request=True)
    assert "cannot approve" in shown(repo.comments(pr.number)[-1].body)
    pushed = fake.push(
        REPO, pr.head_ref, {"infra/aws/envs/dev/eve.tf": 'resource "terraform_data" "eve" {}\n'}, author="eve"
    )
    app.pull_request_event("synchronize", pr.number, "eve")
    fake.add_review(REPO, pr.number, "eve", "APPROVED", pushed)
    comment(pr.number, "/infra apply", "bob", on_pull_request=True)
    refused = shown(repo.comments(pr.number)[-1].body).lstrip()  # the reply's hidden key renders as nothing
    assert refused.startswith("Apply refused") and "eve cannot approve it" in refused, refused
    assert f"pushed {pushed[:12]} to the change" in refused
    assert "logs-archive" not in aws.bucket_names()
    fake.add_review(REPO, pr.number, "alice", "APPROVED", pushed)
    comment(pr.number, "/infra apply", "bob", on_pull_request=True)
    assert shown(repo.comments(pr.number)[-1].body).lstrip().startswith("Applied infra/aws/envs/dev")
    assert "logs-archive" in aws.bucket_names()
    assert [lock.holder for lock in store.locks()] == [f"{REPO}#{pr.number}"]
    # Each plan (one per head) and the apply recorded how long each of the project's steps took.
    timed = [
        (run.command, set(run.detail["projects"]["infra/aws/envs/dev"]))
        for run in store.runs_for(f"{REPO}#{pr.number}")
        if run.command in ("plan", "apply")
    ]
    assert [command for command, _ in timed] == ["plan", "plan", "plan", "apply"]
    assert all({"init", "plan", "show"} <= steps for command, steps in timed[:3]) and timed[3][1] == {"init", "apply"}

    # 5. alice (write) may not apply: maintain is needed.
    comment(pr.number, "/infra apply", "alice", on_pull_request=True)
    assert "maintain" in shown(repo.comments(pr.number)[-1].body)

    # 6. merging the PR releases its locks; the other PR can then take them.
    app.pull_request_event("closed", pr.number, "bob", merged=True)
    assert store.locks() == []
    app.comment(other, "/infra plan", "bob", on_pull_request=True)
    assert [lock.holder for lock in store.locks()] == [f"{REPO}#{other}"]

    # Every run, plan and audit entry names the repository (the dashboard shows each only to its readers).
    assert {run.repo for run in store.runs_page(limit=200)} == {REPO}
    assert {entry.repo for entry in store.audit_page(limit=200)} == {REPO}
    assert store.recent_plans(repos=[REPO]) == store.recent_plans()


def test_a_command_that_keeps_failing_says_so_and_leaves_no_branch(
    fixtures_dir: Path, fake_github: Any, aws: LocalAws, tmp_path: Path
) -> None:
    from bot.adapters.github import Retrying

    fake = fake_github
    repo = fake.add_repo(REPO, files=seed_files())
    fake.set_permission(REPO, "bob", "write")
    app = App(fixtures_dir, fake, aws, tmp_path, retrying=Retrying(sleep=lambda seconds: None))
    app.ctx.max_attempts = 1
    fake.fail_next("POST", r"/pulls$", 502, times=100)
    issue = fake.create_issue(REPO, "bucket", "", "bob")
    app.comment(issue, "/infra create bucket team-data region=eu-west-1", "bob", on_pull_request=False)
    assert "Olympus could not finish this command" in repo.comments(issue)[-1].body
    assert repo.ref_sha("infra/create-bucket-team-data-dev") is None
    assert not repo.pulls


def test_a_fork_is_never_planned_and_status_lists_locks(
    fixtures_dir: Path, fake_github: Any, aws: LocalAws, tmp_path: Path
) -> None:
    fake = fake_github
    repo = fake.add_repo(REPO, files=seed_files())
    fake.set_permission(REPO, "mallory", "read")
    app = App(fixtures_dir, fake, aws, tmp_path)
    number = fake.open_pull_request(
        REPO,
        head="evil",
        base="main",
        title="tweak",
        author="mallory",
        fork=True,
        files={"infra/aws/envs/dev/main.tf": 'data "external" "x" {}\n'},
    )
    app.pull_request_event("opened", number, "mallory")
    assert "does not plan pull requests from forks" in repo.comments(number)[-1].body
    assert not repo.check_runs and not app.store.locks()

    app.comment(number, "/infra plan", "mallory", on_pull_request=True)
    assert "may be run by people with the write permission" in repo.comments(number)[-1].body

    app.comment(number, "/infra status", "mallory", on_pull_request=True)
    assert repo.comments(number)[-1].body.endswith("\nNo project of this repository is locked.")

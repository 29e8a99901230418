"""Policies through the App: a blocking failure → apply refused → `/infra approve_policies` by an owner → applied."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_driver import REPO, App, seed_files
from shown import shown

from bot.adapters.local_aws import InProcessEmulator, LocalAws

pytestmark = pytest.mark.slow

# The default set on and blocking; carol may approve its failures, and so may a member of octo-org/security.
POLICIES = "version: 1\npolicies:\n  default:\n    owners: [carol, octo-org/security]\n"
BUCKET = "infra/aws/envs/dev/s3_bucket_logs_archive.tf"


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with InProcessEmulator() as emulator:
        yield emulator


def last_reply(fake: Any, number: int) -> str:
    return shown(fake.repo(REPO).comments(number)[-1].body).strip()


def plan_comment(fake: Any, number: int) -> str:
    marker = f"<!-- olympus:comment key={REPO}#{number} "
    [body] = [c.body for c in fake.repo(REPO).comments(number) if c.user == fake.bot_login and marker in c.body]
    return body


def policy_world(fake: Any, files: dict[str, str]) -> Any:
    repo = fake.add_repo(REPO, files={**seed_files(), **files})
    fake.set_permission(REPO, "bob", "maintain")
    for user in ("alice", "carol", "dave", "erin"):
        fake.set_permission(REPO, user, "write")
    fake.add_team_member("octo-org", "security", "dave")
    fake.set_branch_protection(REPO, "main", required_approving_review_count=1)
    return repo


def open_bucket_change(app: App, fake: Any, name: str) -> Any:
    """bob asks on an issue for a bucket; the PR is opened and planned."""
    repo = fake.repo(REPO)
    issue = fake.create_issue(REPO, f"A bucket {name}", "", "bob")
    app.comment(issue, f"/infra create bucket {name} region=eu-west-1", "bob", on_pull_request=False)
    assert repo.pulls, [c.body for c in repo.comments(issue)]
    return repo.pulls[max(repo.pulls)]


def test_a_blocking_failure_holds_the_apply_until_an_owner_approves_it(
    fixtures_dir: Path, fake_github: Any, aws: LocalAws, tmp_path: Path
) -> None:
    fake = fake_github
    repo = policy_world(fake, {".olympus.yaml": POLICIES})
    app = App(fixtures_dir, fake, aws, tmp_path)

    # 1. The plan comment has the Policies section: the bucket lacks the `owner` tag, and who can approve it.
    pr = open_bucket_change(app, fake, "logs-archive")
    assert BUCKET in repo.files_at(pr.head_ref)
    section = shown(plan_comment(fake, pr.number))
    assert "Policies" in section
    assert "1 blocking failure" in section and "apply is held until fixed or approved" in section
    assert "⛔ held by policy" in section and "ready to apply" not in section, section
    assert "module.s3_bucket_logs_archive.aws_s3_bucket.this lacks the required tag owner" in section, section
    assert "carol, octo-org/security: /infra approve_policies --policy-set olympus" in section, section

    # 2. alice approves the PR (a GitHub review); bob's apply is still refused, naming the policy set.
    fake.add_review(REPO, pr.number, "alice", "APPROVED", pr.head_sha)
    app.comment(pr.number, "/infra apply", "bob", on_pull_request=True)
    refused = last_reply(fake, pr.number)
    assert refused.startswith("Apply refused"), refused
    assert "policy set olympus fails" in refused and "lacks the required tag owner" in refused, refused
    assert "/infra approve_policies --policy-set olympus" in refused
    assert "logs-archive" not in aws.bucket_names()

    # 3. alice is no owner: refused. bob asked for and opened the change: refused, even were he an owner.
    app.comment(pr.number, "/infra approve_policies", "alice", on_pull_request=True)
    reply = last_reply(fake, pr.number)
    assert "alice owns none of the failing policy sets (olympus: carol, octo-org/security)" in reply, reply
    fake.add_team_member("octo-org", "security", "bob")
    app.comment(pr.number, "/infra approve_policies --policy-set olympus", "bob", on_pull_request=True)
    reply = last_reply(fake, pr.number)
    assert "cannot approve its policy failures" in reply and "bob" in reply, reply
    app.comment(pr.number, "/infra apply", "bob", on_pull_request=True)
    assert last_reply(fake, pr.number).startswith("Apply refused")
    assert "logs-archive" not in aws.bucket_names()

    # 4. carol, an owner by login, approves: the apply goes through.
    app.comment(pr.number, "/infra approve_policies --policy-set olympus", "carol", on_pull_request=True)
    approved = last_reply(fake, pr.number)
    assert approved.startswith("Policies approved"), approved
    assert f"carol approved the failures of olympus at {pr.head_sha[:12]}" in approved
    app.comment(pr.number, "/infra apply", "bob", on_pull_request=True)
    assert last_reply(fake, pr.number).startswith("Applied infra/aws/envs/dev"), last_reply(fake, pr.number)
    assert "logs-archive" in aws.bucket_names()

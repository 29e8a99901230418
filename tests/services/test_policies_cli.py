"""Policies through the CLI on the local AWS emulator, as a user drives them: a blocking failure holds the apply, an
owner who did not ask for the change approves it at the head, a push needs a new approval, and a change cannot
rewrite the policies that judge it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from olympus_cli import git, olympus

from bot.entrypoints.demo import seed_repository

pytestmark = pytest.mark.slow

CONFIG = "version: 1\npolicies:\n  default:\n    owners: [carol]\n"
BRANCH = "infra/create-bucket-policy-logs-dev"


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "infra-repo"
    path.mkdir()
    seed_repository(path)
    (path / ".olympus.yaml").write_text(CONFIG)
    git(path, "add", ".olympus.yaml")
    git(path, "commit", "-q", "-m", "policies: the default set blocks; carol owns it")
    yield path
    olympus("sandbox", "stop", "--repo", str(path))


def run(repo: Path, *args: str, actor: str = "bob") -> tuple[int, str]:
    done = olympus(*args, "--repo", str(repo), actor=actor)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout + done.stderr


def test_a_blocking_failure_is_approved_by_an_owner_at_the_head_then_applied(repo: Path) -> None:
    code, out = run(repo, "run", "--sandbox", "/infra create bucket policy-logs region=eu-west-1 env=dev")
    assert code == 0, out
    comment = (repo / ".git/olympus/reports" / BRANCH.replace("/", "--") / "comment.md").read_text()
    assert "❌ **1 blocking failure**" in comment and "lacks the required tag owner" in comment
    assert "`carol`: `/infra approve_policies --policy-set olympus`" in comment

    code, out = run(repo, "apply", "--sandbox", "--approved-by", "alice")
    assert code == 2 and "policy set olympus fails" in out, out
    code, out = run(repo, "approve-policies", "--by", "alice")
    assert code == 2 and "error[not-a-policy-owner]" in out, out
    code, out = run(repo, "approve-policies", "--by", "bob")  # bob asked for the change
    assert code == 2 and "error[policy-approval-own-change]" in out, out
    code, out = run(repo, "approve-policies", "--by", "carol", "--policy-set", "security")
    assert code == 2 and "error[policy-set-not-failing]" in out, out
    code, out = run(repo, "approve-policies", "--by", "carol")
    assert code == 0 and "policy approval by carol recorded" in out, out

    # A push: the new head is planned and judged again, and carol's approval was for the commit before it.
    git(repo, "checkout", "-q", BRANCH)
    (repo / "infra/aws/envs/dev/notes.tf").write_text("# a comment, planned like any change\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "a push after the approval")
    git(repo, "checkout", "-q", "main")
    assert run(repo, "plan", "--sandbox", "--branch", BRANCH)[0] == 0
    code, out = run(repo, "apply", "--sandbox", "--branch", BRANCH, "--approved-by", "alice")
    assert code == 2 and "policy set olympus fails" in out, out
    assert run(repo, "approve-policies", "--by", "carol", "--branch", BRANCH)[0] == 0
    code, out = run(repo, "apply", "--sandbox", "--branch", BRANCH)
    assert code == 0 and "applied infra/aws/envs/dev" in out, out


def test_a_change_that_turns_the_policies_off_is_judged_by_the_bases(repo: Path) -> None:
    code, out = run(repo, "run", "--sandbox", "/infra create bucket policy-logs region=eu-west-1 env=dev")
    assert code == 0, out
    git(repo, "checkout", "-q", BRANCH)
    (repo / ".olympus.yaml").write_text("version: 1\npolicies:\n  default: false\n")
    git(repo, "commit", "-q", "-am", "no more policies, please")
    git(repo, "checkout", "-q", "main")
    code, out = run(repo, "plan", "--sandbox", "--branch", BRANCH)
    assert code == 0 and "❌ **1 blocking failure**" in out, out
    code, out = run(repo, "apply", "--sandbox", "--branch", BRANCH, "--approved-by", "alice")
    assert code == 2 and "policy set olympus fails" in out, out

"""The local loop end to end, as a user drives it: demo; run --sandbox → plan → apply through the gate."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from local_repos import demo_repository
from olympus_cli import olympus

pytestmark = pytest.mark.slow


def test_demo_plays_the_whole_story(tmp_path: Path) -> None:
    done = olympus("demo", "--dir", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "branch infra/create-bucket-logs-archive-dev" in out
    assert "Plan: 4 to add" in out or "| 4 |" in out
    assert "no approval for the head commit" in out
    assert "approved by alice" in out
    assert "buckets: logs-archive, olympus-tfstate" in out
    comment = (tmp_path / "comment.md").read_text()
    assert comment.startswith("<!-- olympus:comment key=infra/create-bucket-logs-archive-dev part=1/1 -->")
    assert "Traceback" not in done.stderr


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    with demo_repository(tmp_path) as path:
        yield path


def test_run_plan_apply_through_the_gate(repo: Path) -> None:
    request = "/infra create bucket team-logs region=eu-west-1 env=dev"
    first = olympus("run", "--sandbox", "--repo", str(repo), request)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "branch infra/create-bucket-team-logs-dev" in first.stdout
    # The user's checkout is untouched: still on main, no generated files.
    assert (
        subprocess.run(
            ["git", "branch", "--show-current"], cwd=repo, capture_output=True, text=True, check=True
        ).stdout.strip()
        == "main"
    )
    assert not (repo / "infra/aws/modules").exists()

    again = olympus("run", "--sandbox", "--repo", str(repo), request)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "nothing changed" in again.stdout

    refused = olympus("apply", "--sandbox", "--repo", str(repo), "--approved-by", "bob")
    assert refused.returncode == 2
    assert "bob asked for this change or its apply and cannot approve it" in refused.stderr

    applied = olympus("apply", "--sandbox", "--repo", str(repo), "--approved-by", "alice")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "applied infra/aws/envs/dev" in applied.stdout

    # The saved plan is spent: a second apply must come from a new plan.
    second = olympus("apply", "--sandbox", "--repo", str(repo), "--approved-by", "alice")
    assert second.returncode == 2
    assert "no saved plan" in second.stderr

    status = olympus("status", "--repo", str(repo))
    assert "infra/create-bucket-team-logs-dev (head " in status.stdout
    assert "lock     infra/aws/envs/dev (default) in the sandbox" in status.stdout
    assert "approval alice" in status.stdout
    assert "bob apply: ok" in status.stdout


def test_invalid_request_is_a_user_error(repo: Path) -> None:
    done = olympus("run", "--repo", str(repo), "/infra create bucket Bad_Name")
    assert done.returncode == 2
    assert "lowercase" in (done.stdout + done.stderr).lower()
    assert "Traceback" not in done.stderr


def test_locks_hold_until_merge(repo: Path) -> None:
    first = olympus("run", "--sandbox", "--repo", str(repo), "/infra create bucket first-logs region=eu-west-1")
    assert first.returncode == 0, first.stdout + first.stderr

    second = olympus("run", "--sandbox", "--repo", str(repo), "/infra create bucket second-logs region=eu-west-1")
    assert second.returncode == 2, second.stdout + second.stderr
    assert "locked by `infra/create-bucket-first-logs-dev`" in second.stdout
    # The refusal names the holder and the exact commands that free the lock, for that holder.
    assert "error[locked]: infra/aws/envs/dev is locked by infra/create-bucket-first-logs-dev" in second.stderr
    assert f"olympus unlock --repo {repo} --branch infra/create-bucket-first-logs-dev" in second.stderr
    assert f"olympus merge --repo {repo} --branch infra/create-bucket-first-logs-dev" in second.stderr

    subprocess.run(
        [
            "git",
            "-c",
            "user.name=Dev",
            "-c",
            "user.email=dev@example.com",
            "merge",
            "--quiet",
            "--no-edit",
            "infra/create-bucket-first-logs-dev",
        ],
        cwd=repo,
        check=True,
    )
    again = olympus("plan", "--sandbox", "--repo", str(repo), "--branch", "infra/create-bucket-second-logs-dev")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "released the locks of infra/create-bucket-first-logs-dev" in again.stderr


def test_every_infra_command_goes_through_run(repo: Path) -> None:
    shown = olympus("run", "--repo", str(repo), "/infra help")
    assert shown.returncode == 0
    assert "/infra create bucket" in shown.stdout

    typo = olympus("run", "--repo", str(repo), "/infra crate bucket logs")
    assert typo.returncode == 2
    assert "did you mean" in typo.stderr

    status = olympus("run", "--repo", str(repo), "/infra status")
    assert status.returncode == 0
    assert "changes: none" in status.stdout

    nothing = olympus("run", "--repo", str(repo), "/infra plan -p aws-dev")
    assert nothing.returncode == 2
    assert "no Olympus change branch" in nothing.stderr


def test_an_instance_applies_in_the_sandbox(repo: Path) -> None:
    # The emulator lacks EC2's MonitorInstances: the sandbox's override must keep the apply from waiting forever.
    made = olympus("run", "--sandbox", "--repo", str(repo), "/infra create instance web-1 region=eu-west-1")
    assert made.returncode == 0, made.stdout + made.stderr
    applied = olympus("apply", "--sandbox", "--repo", str(repo), "--approved-by", "alice", timeout=300)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "applied infra/aws/envs/dev" in applied.stdout
    # The worktree the apply ran in, sandbox overrides and all, is gone with the command.
    assert not list((repo / ".git/olympus").rglob("zz_olympus_sandbox_*.tf")), "sandbox overrides must not stay behind"
    worktrees = subprocess.run(["git", "worktree", "list"], cwd=repo, capture_output=True, text=True, check=True)
    assert len(worktrees.stdout.splitlines()) == 1

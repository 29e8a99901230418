"""`olympus diagnose` as a user runs it on a repository Olympus has never seen: a change whose plan fails, Claude
(replayed on a loopback Messages API) proposes a fix that fails verification, then one that passes; the verified
fix lands on olympus/fix-<branch>, the evaluation store holds both attempts, and nothing else is left behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from claude_replay import ReplayServer
from local_repos import commit_files, empty_repo
from olympus_cli import git, olympus

from bot.wiring import build_local_loop

MAIN = "stacks/app/main.tf"
GOOD = 'resource "terraform_data" "greeting" {\n  input = "hello"\n}\n'
BROKEN = 'resource "terraform_data" "greeting" {\n  input = var.greeting\n}\n'
NO_MODEL = {"ANTHROPIC_API_KEY": "", "OLYMPUS_LLM_BACKEND": ""}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = empty_repo(tmp_path / "someone-elses-infra")
    commit_files(path, {MAIN: GOOD})
    commit_files(path, {MAIN: BROKEN}, "Greet whoever is configured", branch="infra/greet")
    return path


@pytest.mark.slow
def test_a_failing_plan_gets_a_verified_fix_on_a_branch(repo: Path) -> None:
    with ReplayServer("fix_undeclared_variable") as claude:
        done = olympus("diagnose", "--repo", str(repo), "--branch", "infra/greet", env=claude.env())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    out = done.stdout
    assert (
        "stacks/app: terraform plan fails (undeclared-reference): Error: Reference to undeclared input variable" in out
    )
    assert "root cause: main.tf reads var.greeting, which no variable block declares: the fix declares it" in out
    assert "verified fix (validate, plan, scanners and policies pass; plan: 1 to add" in out
    assert "on branch olympus/fix-infra-greet" in out and '    +variable "greeting" {' in out

    # What the model was sent: the error and the file, fenced as data; then why its first fix was not taken.
    first = claude.sent[0]
    evidence = first["messages"][0]["content"]
    assert "Reference to undeclared input variable" in evidence and "```hcl\n" + BROKEN in evidence
    assert first["max_tokens"] >= 4096 and {t["name"] for t in first["tools"]} >= {"propose_fix", "no_safe_fix"}
    retry = claude.sent[1]["messages"][-1]["content"][0]
    assert retry["is_error"]
    assert retry["content"].startswith("verification failed at validate: Error: Reference to undeclared input variable")

    fixed = git(repo, "show", f"olympus/fix-infra-greet:{MAIN}")
    assert 'variable "greeting" {' in fixed and fixed.endswith(BROKEN)
    assert git(repo, "rev-parse", "olympus/fix-infra-greet^") == git(repo, "rev-parse", "infra/greet")
    assert git(repo, "show", f"infra/greet:{MAIN}") == BROKEN  # the change itself is untouched
    assert len(git(repo, "worktree", "list").splitlines()) == 1  # every scratch worktree is gone

    figures = olympus("eval", "fixes", "--repo", str(repo))
    row = ["undeclared-reference", "2", "1", "0", "0", "50%", "-", "-"]
    assert row in [line.split() for line in figures.stdout.splitlines()]
    # Where the fix went is kept, so that `git merge olympus/fix-infra-greet` is seen as the fix accepted.
    [verified] = [a for a in build_local_loop(repo, say=lambda line: None).store.fix_attempts() if a.offered]
    fix_commit = git(repo, "rev-parse", "olympus/fix-infra-greet").strip()
    assert verified.extra["offer"] == {
        "how": "branch",
        "head": git(repo, "rev-parse", "infra/greet").strip(),
        "branch": "olympus/fix-infra-greet",
        "commit": fix_commit,
    }


def test_without_a_model_or_without_a_failure(repo: Path, tmp_path: Path) -> None:
    done = olympus("diagnose", "--repo", str(repo), "--branch", "infra/greet", env=NO_MODEL)
    assert done.returncode == 2 and "error[llm-not-configured]" in done.stderr and "Traceback" not in done.stderr
    assert "olympus/fix-infra-greet" not in git(repo, "branch")

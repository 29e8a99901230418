"""`olympus plan` diagnoses a failed plan by itself where the base branch's `.olympus.yaml` says `fixes: {auto:
true}`: the plan's failure is printed and still ends the command (exit 2), followed by the diagnosis and the verified
fix on olympus/fix-<branch>; planning the same failed commit again does not ask the model again."""

from __future__ import annotations

from pathlib import Path

import pytest
from claude_replay import ReplayServer
from local_repos import commit_files, empty_repo
from olympus_cli import git, olympus

pytestmark = pytest.mark.slow

MAIN = "stacks/app/main.tf"
BACKEND = 'terraform {\n  backend "local" {\n    path = "%s"\n  }\n}\n'
BROKEN = 'resource "terraform_data" "greeting" {\n  input = var.greeting\n}\n'


def test_a_failed_plan_is_diagnosed_once_where_the_repository_turned_it_on(tmp_path: Path) -> None:
    repo = empty_repo(tmp_path / "infra")
    commit_files(repo, {".olympus.yaml": "version: 1\nfixes:\n  auto: true\n"})
    backend = {"stacks/app/backend.tf": BACKEND % (tmp_path / "app.tfstate")}
    commit_files(repo, {**backend, MAIN: BROKEN}, "Greet", branch="infra/greet")
    head = git(repo, "rev-parse", "infra/greet").strip()
    with ReplayServer("fix_undeclared_variable") as claude:
        first = olympus("plan", "--repo", str(repo), "--branch", "infra/greet", env=claude.env())
        asked = len(claude.sent)
        again = olympus("plan", "--repo", str(repo), "--branch", "infra/greet", env=claude.env())
    assert first.returncode == 2 and "Traceback" not in first.stderr, first.stdout + first.stderr
    assert "error[" in first.stderr  # the plan's own failure still ends the command
    out = first.stdout
    assert f"The plan of stacks/app failed at {head[:12]}, so Olympus diagnosed it by itself" in out
    assert "stacks/app: terraform plan fails (undeclared-reference)" in out
    assert "on branch olympus/fix-infra-greet" in out
    assert 'variable "greeting" {' in git(repo, "show", f"olympus/fix-infra-greet:{MAIN}")
    assert asked == 2 and len(claude.sent) == 2  # the second plan of the same commit asked nothing
    assert again.returncode == 2 and "diagnosed it by itself" not in again.stdout

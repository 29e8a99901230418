"""`olympus drift`'s statuses without a cloud: terraform_data projects with local state — clean, unapplied, error,
locked — each recorded, shown in `olympus status`, and the user's uncommitted files never read."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from local_repos import commit_files, empty_repo
from olympus_cli import git, olympus

from bot.adapters.sqlstore import SqlStore
from bot.adapters.terraform import TerraformCli

pytestmark = pytest.mark.slow

PROJECT_TF = """terraform {
  backend "local" {
    path = "%(state)s"
  }
}

resource "terraform_data" "config" {
  input = "%(value)s"
}
"""


def project(states: Path, name: str, value: str) -> str:
    return PROJECT_TF % {"state": states / f"{name}.tfstate", "value": value}


def test_each_status_is_reported_recorded_and_shown(tmp_path: Path) -> None:
    repo, states = empty_repo(tmp_path / "repo"), tmp_path / "states"
    states.mkdir()
    names = ("applied", "unapplied", "broken", "held")
    commit_files(repo, {f"projects/{n}/main.tf": project(states, n, "v1") for n in names})
    terraform = TerraformCli.locate()
    for name in names:  # applied once, as a platform team's pipeline would have
        workdir = repo / "projects" / name
        terraform.check(["init", "-input=false", "-no-color"], workdir)
        terraform.check(["apply", "-auto-approve", "-input=false", "-no-color"], workdir)
    git(repo, "clean", "-fdxq")
    commit_files(
        repo,
        {
            "projects/unapplied/main.tf": project(states, "unapplied", "v2"),  # merged, never applied
            "projects/broken/main.tf": project(states, "broken", "v1") + 'resource "terraform_data" {\n',
        },
        "Change two projects",
    )
    commit_files(repo, {"projects/held/main.tf": project(states, "held", "v3")}, "Held", branch="infra/other")
    with SqlStore.open(f"sqlite:///{repo / '.git/olympus/olympus.db'}") as store:
        store.acquire_lock(repo.name, "projects/held", "default", "infra/other")
    # The user's uncommitted edit is not what was merged: the sweep reads main's commit only.
    (repo / "projects/applied/main.tf").write_text(project(states, "applied", "edited, not committed"))

    done = olympus("drift", "--repo", str(repo), "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    found = {p["project"]: p for p in json.loads(done.stdout)["projects"]}
    assert {name: p["status"] for name, p in found.items()} == {
        "projects/applied": "clean",
        "projects/broken": "error",
        "projects/held": "locked",
        "projects/unapplied": "unapplied",
    }
    assert found["projects/held"]["locked_by"] == "infra/other"
    assert "Error:" in found["projects/broken"]["error"]

    status = olympus("status", "--repo", str(repo)).stdout
    assert "  projects/unapplied: unapplied (checked " in status
    assert "  projects/held: locked by infra/other (checked " in status
    assert "  projects/broken: error: " in status
    only = olympus("drift", "--repo", str(repo), "-p", "projects/applied")
    assert only.returncode == 0 and "drift of main at " in only.stdout and "projects/applied: clean" in only.stdout
    leftovers = subprocess.run(["git", "worktree", "list"], cwd=repo, capture_output=True, text=True, check=True)
    assert len(leftovers.stdout.splitlines()) == 1  # the sweep's worktree is gone


def test_status_says_when_drift_was_never_checked(tmp_path: Path) -> None:
    repo = empty_repo(tmp_path / "repo")
    commit_files(repo, {"README.md": "infra\n"})
    assert "drift: never checked (`olympus drift`" in olympus("status", "--repo", str(repo)).stdout

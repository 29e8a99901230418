"""Canary: a secret set through sensitive variables shows nowhere the CLI writes (real Terraform, the emulator)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from olympus_cli import olympus
from secret_canary import (
    BROKEN,
    CANARY,
    CANARY_TF_UPDATED,
    DEV,
    assert_hidden,
    canary_files,
    database_bytes,
    write_files,
)

from bot.adapters.localgit import LocalGit
from bot.domain.sensitive import PLACEHOLDER
from bot.entrypoints.demo import seed_repository
from bot.services.plan_lookup import latest_plan_summary
from bot.wiring import build_local_loop

pytestmark = pytest.mark.slow

BRANCH = "canary"


def commit(git: LocalGit, message: str) -> None:
    git.git("add", "--all")
    git.git("-c", "user.name=Mona", "-c", "user.email=mona@example.com", "commit", "--quiet", "-m", message)


@dataclass
class Planned:
    repo: Path
    git: LocalGit
    plan: subprocess.CompletedProcess[str]

    @property
    def state(self) -> Path:
        return self.git.state_dir

    def written(self) -> dict[str, bytes]:
        """Everything Olympus wrote for the branch but Terraform's own plan files: reports and the store."""
        reports = self.state / "reports" / BRANCH
        return {
            "comment.md": (reports / "comment.md").read_bytes(),
            "results.sarif": (reports / "results.sarif").read_bytes(),
            "the store": database_bytes(self.state / "olympus.db"),
        }


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Planned]:
    """One `olympus plan` of a branch whose dev project carries the canary and whose broken project fails."""
    repo = tmp_path_factory.mktemp("secret-canary") / "infra-repo"
    repo.mkdir()
    git = seed_repository(repo)
    git.git("checkout", "--quiet", "-b", BRANCH)
    write_files(repo, canary_files())
    commit(git, "Add the canary")
    done = olympus("plan", "--sandbox", "--repo", str(repo), "--branch", BRANCH)
    yield Planned(repo, git, done)
    olympus("sandbox", "stop", "--repo", str(repo))


def test_a_plan_shows_the_canary_nowhere(planned: Planned) -> None:
    done = planned.plan
    assert done.returncode == 2, done.stdout + done.stderr  # the broken project's plan fails: a user error
    assert "Traceback" not in done.stderr
    comment = (planned.state / "reports" / BRANCH / "comment.md").read_text()
    # Where Terraform printed the value, the placeholder stands: the unmarked output, the failed precondition.
    assert f"`canary_echo` (create): _{PLACEHOLDER}_" in comment
    assert f"The canary is {PLACEHOLDER}." in comment
    progress = done.stderr.splitlines()
    assert any('"secret"' in line and PLACEHOLDER in line for line in progress), "tags_all's line is gone"
    assert any(f"The canary is {PLACEHOLDER}." in line for line in progress)
    assert '"format_version"' not in done.stderr  # `terraform show -json` is never echoed
    assert_hidden("the plan's stdout", done.stdout)
    assert_hidden("the plan's stderr", done.stderr)
    for name, content in planned.written().items():
        assert_hidden(name, content)
    # Terraform's own record of the plan (beside the binary plan file) holds it, as the plan file does.
    [saved] = (planned.state / "plans" / BRANCH / DEV.replace("/", "--")).glob("*.json")
    assert CANARY in saved.read_text()
    assert not list((planned.state / "plans" / BRANCH / BROKEN.replace("/", "--")).glob("*.json"))


def test_the_summary_of_the_saved_plan_shows_no_canary(planned: Planned) -> None:
    [saved] = (planned.state / "plans" / BRANCH / DEV.replace("/", "--")).glob("*.json")
    summarized = olympus("summarize", str(saved))
    assert summarized.returncode == 0, summarized.stderr
    assert f"`canary_echo` (create): _{PLACEHOLDER}_" in summarized.stdout
    assert_hidden("`olympus summarize`", summarized.stdout + summarized.stderr)

    loop = build_local_loop(planned.repo, say=lambda line: None)
    try:
        found = latest_plan_summary(loop, DEV)  # what the MCP tool get_plan_summary returns
    finally:
        loop.store.close()
    assert found is not None and found["counts"]["add"] == 2
    assert_hidden("get_plan_summary", json.dumps(found))


def test_an_apply_and_an_update_of_tags_all_show_no_canary(planned: Planned) -> None:
    approved = olympus("approve", "--by", "alice", "--repo", str(planned.repo), "--branch", BRANCH)
    assert approved.returncode == 0, approved.stderr
    applied = olympus("run", "--sandbox", "--repo", str(planned.repo), f"/infra apply -d {DEV}")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert f"applied {DEV}" in applied.stdout
    # Terraform ends an apply by printing the outputs: the unmarked one, redacted with the saved plan's secrets.
    assert f'canary_echo = "{PLACEHOLDER}"' in applied.stderr
    assert_hidden("the apply's output", applied.stdout + applied.stderr)

    (planned.repo / DEV / "canary.tf").write_text(CANARY_TF_UPDATED)
    commit(planned.git, "Tag the canary bucket")
    again = olympus("plan", "--sandbox", "--repo", str(planned.repo), "--branch", BRANCH)
    assert again.returncode == 2, again.stdout + again.stderr  # the broken project still fails
    comment = (planned.state / "reports" / BRANCH / "comment.md").read_text()
    # An update lists its attributes: tags is marked, tags_all (the provider's copy of it) is not.
    [tags_all] = [line for line in comment.splitlines() if line.startswith("  - `tags_all`")]
    assert '"secret":"(sensitive value)"' in tags_all and '"team":"platform"' in tags_all
    [tags] = [line for line in comment.splitlines() if line.startswith("  - `tags`")]
    assert tags == f"  - `tags`: _{PLACEHOLDER}_ → _{PLACEHOLDER}_"
    assert_hidden("the second plan's output", again.stdout + again.stderr)
    for name, content in planned.written().items():
        assert_hidden(name, content)
    status = olympus("status", "--repo", str(planned.repo))
    assert_hidden("`olympus status`", status.stdout + status.stderr)

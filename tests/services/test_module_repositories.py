"""Real public module repositories Olympus has never seen (../shared/fixtures/terraform-repos), planned in the sandbox.

Each is copied into a fresh `git init` repository, changed on a branch and planned once with the real CLI, real
Terraform and the emulator; every test of a repository reads that one run. Olympus's counts are compared with
Terraform's own `Plan:` line for the plan file Olympus saved (`terraform show` of it in a copy of the branch), not
with a number written here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pytest
from local_repos import Leftovers, commit_files, leftovers
from olympus_cli import git, olympus

from bot.adapters.sandbox import cli_config
from bot.adapters.terraform import TerraformCli
from bot.services.plan_change import slug
from bot.wiring import cache_dir

pytestmark = pytest.mark.slow

Counts = tuple[int, int, int]  # add, change, destroy: what Terraform's `Plan:` line says


@dataclass(frozen=True)
class PlannedChange:
    """One `olympus plan --sandbox` of a change to a module repository, and what it left behind."""

    repo: Path
    branch: str
    done: subprocess.CompletedProcess[str]
    projects: Mapping[str, Counts | None]  # the comment's table: a project's counts, None when it failed
    terraform_counts: Mapping[str, Counts]  # Terraform's own line for each plan file Olympus kept
    after_plan: Leftovers
    worktrees_left: list[str]
    after_unlock: Leftovers


def module_repository(fixtures_dir: Path, name: str, into: Path) -> Path:
    """A fresh repository holding the public module repository `name`, committed on main."""
    repo = into / name
    shutil.copytree(fixtures_dir / "terraform-repos" / name, repo)
    git(repo, "init", "--quiet", "--initial-branch=main")
    commit_files(repo, {}, f"{name}, as published")
    return repo


def changed(repo: Path, edits: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """The files edited: each path with one occurrence of old replaced by new (the fixture must hold old)."""
    files = {}
    for path, (old, new) in edits.items():
        text = (repo / path).read_text()
        assert text.count(old) == 1, f"{path} no longer holds {old!r}: the fixture changed"
        files[path] = text.replace(old, new)
    return files


def plan_change_of(repo: Path, branch: str, edits: Mapping[str, tuple[str, str]]) -> PlannedChange:
    commit_files(repo, changed(repo, edits), "change the examples", branch=branch)
    done = olympus("plan", "--sandbox", "--repo", str(repo), "--branch", branch, "--format", "markdown")
    comment = (repo / ".git/olympus/reports" / slug(branch) / "comment.md").read_text()
    after_plan = leftovers(repo)
    terraform_counts = terraform_plan_lines(repo, branch, after_plan.plan_files)
    worktrees = repo / ".git/olympus/worktrees"
    worktrees_left = sorted(p.name for p in worktrees.iterdir()) if worktrees.is_dir() else []
    unlocked = olympus("unlock", "--repo", str(repo), "--branch", branch)
    assert unlocked.returncode == 0, unlocked.stdout + unlocked.stderr
    return PlannedChange(
        repo, branch, done, table_counts(comment), terraform_counts, after_plan, worktrees_left, leftovers(repo)
    )


def table_counts(comment: str) -> dict[str, Counts | None]:
    """The projects of the comment's summary table, with their Add, Change and Destroy columns."""
    rows = [[cell.strip().strip("`") for cell in line.strip("|").split("|")] for line in comment.splitlines()]
    header = next(row for row in rows if row[:1] == ["Project"])
    start = rows.index(header)
    add, change, destroy = (header.index(column) for column in ("Add", "Change", "Destroy"))
    found: dict[str, Counts | None] = {}
    for row in rows[start + 2 :]:
        if len(row) != len(header) or row[0].startswith("**"):
            break  # the table ended, or its **Total** row
        cells = (row[add], row[change], row[destroy])
        found[row[0]] = (int(cells[0]), int(cells[1]), int(cells[2])) if all(c.isdigit() for c in cells) else None
    return found


def terraform_plan_lines(repo: Path, branch: str, plan_files: list[str]) -> dict[str, Counts]:
    """For each saved plan file: `terraform show` of it, in a copy of the branch initialized from the same mirror."""
    copy = repo.parent / f"{repo.name}-{slug(branch)}"
    archive = subprocess.run(["git", "archive", branch], cwd=repo, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(copy, filter="data")
    terraform = TerraformCli.locate()
    env = {"TF_CLI_CONFIG_FILE": str(cli_config(cache_dir()))}
    state = repo / ".git/olympus"
    dirs = {slug(d): d for d in project_dirs(copy)}
    found: dict[str, Counts] = {}
    for relative in plan_files:
        project = dirs[Path(relative).parts[2]]  # plans/<branch>/<project>/<commit>.tfplan
        workdir = copy / project
        init = terraform.run(["init", "-backend=false", "-input=false", "-no-color"], workdir, env=env)
        assert init.returncode == 0, init.stdout + init.stderr
        shown = terraform.run(["show", "-no-color", str(state / relative)], workdir, env=env)
        assert shown.returncode == 0, shown.stdout + shown.stderr
        found[project] = plan_line(shown.stdout)
    return found


def project_dirs(tree: Path) -> list[str]:
    return sorted({p.parent.relative_to(tree).as_posix() for p in tree.rglob("*.tf")})


def plan_line(shown: str) -> Counts:
    """Terraform's `Plan: N to add, M to change, K to destroy.` line; without one, what it says instead."""
    lines = [line for line in shown.splitlines() if line.startswith("Plan:")]
    if not lines:
        unchanged = "No changes." in shown or "without changing any real infrastructure" in " ".join(shown.split())
        assert unchanged, shown
        return (0, 0, 0)
    line = lines[0]
    count = {word: int(n) for n, word in re.findall(r"(\d+) to (add|change|destroy)", line)}
    return (count["add"], count["change"], count["destroy"])


@contextmanager
def sandbox_stopped_after(repo: Path) -> Iterator[None]:
    """Stop the emulator the repository's commands started, however the fixture ends (a failed setup too)."""
    try:
        yield
    finally:
        olympus("sandbox", "stop", "--repo", str(repo))


# --- terraform-aws-sqs v3.1.0: one example, planned after `olympus init --sandbox` ----------------------------


@pytest.fixture(scope="module")
def sqs(fixtures_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlannedChange]:
    repo = module_repository(fixtures_dir, "terraform-aws-sqs-v3.1.0", tmp_path_factory.mktemp("sqs"))
    init = olympus("init", "--repo", str(repo), "--sandbox")
    assert init.returncode == 0, init.stdout + init.stderr
    edits = {"examples/complete/main.tf": ('name = "users-unencrypted"', 'name = "users-plain"')}
    with sandbox_stopped_after(repo):
        yield plan_change_of(repo, "rename-queue", edits)


def test_a_module_repository_is_planned_through_its_example(sqs: PlannedChange) -> None:
    assert sqs.done.returncode == 0, sqs.done.stdout + sqs.done.stderr
    assert list(sqs.projects) == ["examples/complete"]  # not the module at the top, which the example calls
    assert sqs.terraform_counts["examples/complete"] == (4, 0, 0)  # the queues, their policy and the KMS key
    assert sqs.projects == sqs.terraform_counts


def test_a_plan_that_succeeded_keeps_its_lock_and_plan_until_unlocked(sqs: PlannedChange) -> None:
    assert sqs.after_plan.locks == [("rename-queue", "examples/complete")]
    assert [Path(p).parts[:3] for p in sqs.after_plan.plan_files] == [("plans", "rename-queue", "examples--complete")]
    assert sqs.after_plan.worktrees == 0 and sqs.worktrees_left == []
    assert sqs.after_unlock == Leftovers([], 0, [], [])


# --- terraform-aws-security-group v5.3.1: ~60 submodules, wrappers, 6 examples; one calls the registry ------------


@pytest.fixture(scope="module")
def security_group(fixtures_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlannedChange]:
    repo = module_repository(fixtures_dir, "terraform-aws-security-group-v5.3.1", tmp_path_factory.mktemp("sg"))
    edits = {
        # The shared root module, which every example calls...
        "variables.tf": ('default     = "Security Group managed by Terraform"', 'default     = "Managed by Terraform"'),
        # ...and two examples: one of them also calls terraform-aws-modules/vpc/aws from the registry.
        "examples/http/main.tf": ('name        = "http-sg"', 'name        = "http-sg-v2"'),
        "examples/complete/main.tf": ('name        = "main-sg"', 'name        = "main-sg-v2"'),
    }
    with sandbox_stopped_after(repo):
        yield plan_change_of(repo, "shared-description", edits)


def test_a_change_to_the_shared_module_plans_every_example_and_nothing_else(security_group: PlannedChange) -> None:
    examples = sorted(p.name for p in (security_group.repo / "examples").iterdir() if p.is_dir())
    assert list(security_group.projects) == [f"examples/{name}" for name in examples]  # no modules/, wrappers/, "."


def test_every_example_that_planned_counts_what_terraform_counts(security_group: PlannedChange) -> None:
    planned = {name: counts for name, counts in security_group.projects.items() if counts is not None}
    assert sorted(planned) == sorted(set(security_group.projects) - {"examples/complete"})
    assert planned == security_group.terraform_counts
    assert any(add > 0 for add, _change, _destroy in planned.values())  # a real plan, not an empty one


def test_an_example_calling_the_registry_offline_is_a_user_error_naming_the_module(
    security_group: PlannedChange,
) -> None:
    done = security_group.done
    assert done.returncode == 2, done.stdout + done.stderr
    assert security_group.projects["examples/complete"] is None
    wanted = 'error[module-unavailable]: Terraform could not download module "vpc" from `terraform-aws-modules/vpc/aws`'
    assert f"{wanted} (examples/complete); see the error above" in done.stderr
    assert "hint: `terraform init` downloads registry and git modules" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_the_failed_example_keeps_no_lock_and_no_plan_file(security_group: PlannedChange) -> None:
    planned = sorted(name for name, counts in security_group.projects.items() if counts is not None)
    after = security_group.after_plan
    assert after.locks == [("shared-description", name) for name in planned]
    assert sorted(Path(p).parts[2] for p in after.plan_files) == [slug(name) for name in planned]
    assert after.worktrees == 0 and security_group.worktrees_left == []
    assert security_group.after_unlock == Leftovers([], 0, [], [])


# --- terraform-aws-ec2-instance v2.21.0: both examples call the registry ------------------------------------------


@pytest.fixture(scope="module")
def ec2_instance(fixtures_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlannedChange]:
    repo = module_repository(fixtures_dir, "terraform-aws-ec2-instance-v2.21.0", tmp_path_factory.mktemp("ec2"))
    edits = {
        "examples/basic/main.tf": ('name          = "example-normal"', 'name          = "example-renamed"'),
        "examples/volume-attachment/main.tf": ('"example-with-ebs"', '"example-with-volume"'),
    }
    with sandbox_stopped_after(repo):
        yield plan_change_of(repo, "rename-instances", edits)


def test_when_every_example_needs_the_registry_each_fails_as_a_user_error(ec2_instance: PlannedChange) -> None:
    done = ec2_instance.done
    assert done.returncode == 2, done.stdout + done.stderr
    assert ec2_instance.projects == {"examples/basic": None, "examples/volume-attachment": None}
    module = 'module "security_group" from `terraform-aws-modules/security-group/aws`'
    assert (
        f"error[module-unavailable]: Terraform could not download {module} (examples/basic, examples/volume-attachment)"
        in done.stderr
    )
    assert "hint: `terraform init` downloads registry and git modules" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert ec2_instance.after_plan == Leftovers([], 0, [], [])  # no lock, no plan file, no worktree
    assert ec2_instance.worktrees_left == []

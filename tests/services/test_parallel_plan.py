"""Several projects planned at once with real Terraform, the real AWS provider and the emulator, the scanners alongside:
results in the projects' order, a failing project loses no other, and an interrupt or a fault anywhere leaves each
project either planned (lock, plan file, record) or untouched (no lock, no plan file), with no process left running."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.adapters.local_aws import InProcessEmulator, LocalAws
from bot.adapters.localgit import LocalGit
from bot.services.context import Loop
from bot.services.local_checkout import local_checkout
from bot.services.plan_change import PlanReport, plan_change, slug
from bot.wiring import build_local_loop

pytestmark = pytest.mark.slow

BRANCH = "infra/shared-module-change"
ROOT = """terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "3.39.0" }
  }
  backend "s3" {}
}

provider "aws" {
  region = "eu-west-1"
}

module "bucket" {
  source = "../../modules/bucket"
  name   = "olympus-parallel-%s"
}
"""
MODULE = """variable "name" {
  type = string
}

resource "aws_s3_bucket" "this" {
  bucket = var.name
  %s
}
"""
# envs/a is planned in two workspaces: they share a directory, so they must never run at once.
CONFIG = """version: 1
projects:
  - dir: envs/a
    workspaces: [default, staging]
  - dir: envs/b
  - dir: envs/broken
  - dir: envs/c
  - dir: envs/d
"""
NAMES = ["envs/a", "envs/a@staging", "envs/b", "envs/broken", "envs/c", "envs/d"]


@dataclass
class RecordingBoard:
    """Every event a plan sends its display, in order, from whichever thread; optionally a failure at one of them."""

    events: list[tuple[str, str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    raise_at: tuple[str, str] | None = None  # (task, step or outcome)
    raising: BaseException | None = None

    def _record(self, task: str, kind: str, what: str) -> None:
        with self.lock:
            self.events.append((task, kind, what))
        if self.raising is not None and self.raise_at == (task, what):
            self.raise_at = None
            raise self.raising

    def open(self, tasks: Sequence[str]) -> None:
        self.events.append(("", "open", ",".join(tasks)))

    def step(self, task: str, step: str) -> None:
        self._record(task, "step", step)

    def line(self, task: str, line: str) -> None:
        pass

    def finish(self, task: str, outcome: str, *, ok: bool, detail: str = "") -> None:
        self._record(task, "finish", outcome)

    def close(self) -> None:
        self.events.append(("", "close", ""))

    def running_at_once(self) -> list[set[str]]:
        """Which projects were between their first step and their end, each time one began."""
        running: set[str] = set()
        seen: list[set[str]] = []
        for task, kind, what in self.events:
            if kind == "step" and what == "terraform init":
                running.add(task)
                seen.append(set(running))
            elif kind == "finish":
                running.discard(task)
        return seen


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with InProcessEmulator() as emulator:
        yield emulator


def make_repository(root: Path) -> LocalGit:
    repo = root / "repo"
    for name in ("a", "b", "c", "d"):
        (repo / "envs" / name).mkdir(parents=True)
        (repo / "envs" / name / "main.tf").write_text(ROOT % name)
    (repo / "envs" / "broken").mkdir()
    (repo / "envs" / "broken" / "main.tf").write_text(
        (ROOT % "broken").replace('"olympus-parallel-broken"', "var.gone")
    )
    (repo / "modules" / "bucket").mkdir(parents=True)
    (repo / "modules" / "bucket" / "main.tf").write_text(MODULE % "")
    (repo / ".olympus.yaml").write_text(CONFIG)
    git = LocalGit(repo)
    git.git("init", "--quiet", "--initial-branch=main")
    commit(git, "five roots calling one module")
    git.git("checkout", "--quiet", "-b", BRANCH)
    (repo / "modules" / "bucket" / "main.tf").write_text(MODULE % 'tags = { team = "platform" }')
    commit(git, "tag every bucket the shared module makes")
    git.git("checkout", "--quiet", "main")
    return LocalGit.open(repo)


def commit(git: LocalGit, message: str) -> None:
    git.git("add", "--all")
    git.git("-c", "user.name=Platform", "-c", "user.email=platform@example.com", "commit", "--quiet", "-m", message)


def loop_for(git: LocalGit, aws: LocalAws, board: RecordingBoard, limit: int = 3) -> Loop:
    loop = build_local_loop(git.root, actor="bob", sandbox=aws, say=lambda line: None)
    loop.board = board
    loop.parallel_plan = limit
    return loop


def plan(loop: Loop) -> PlanReport:
    with local_checkout(loop, BRANCH, "main") as checkout:
        return plan_change(loop, checkout)


def children() -> set[str]:
    """`PID NAME` of each running child of this test process (Terraform, the scanners; the emulator and other
    long-lived children of earlier tests too, hence the tests compare with what ran before they began)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[1]) == os.getpid():
            found.add(f"{entry.name} {stat[stat.index('(') + 1 : stat.rindex(')')]}")
    return found


def check_each_project_is_planned_or_untouched(loop: Loop) -> set[str]:
    """Every project has all of lock, plan file and record, or none; returns the planned ones."""
    locks = {lock.dir + ("" if lock.workspace == "default" else "@" + lock.workspace) for lock in loop.store.locks()}
    records = {plan.project: plan for plan in loop.store.plans_for(BRANCH)}
    folders = {name: loop.state_dir / "plans" / slug(BRANCH) / slug(name) for name in NAMES}
    plan_files = {name for name, folder in folders.items() if list(folder.glob("*.tfplan"))}
    for name in NAMES:
        has = (name in locks, name in records, name in plan_files)
        assert has in ((True, True, True), (False, False, False)), f"{name}: lock, record, plan file = {has}"
        if name in records:
            assert Path(records[name].plan_path).is_file()
    return locks


def test_projects_plan_at_once_in_order_and_a_failing_one_loses_no_other(tmp_path: Path, aws: LocalAws) -> None:
    git = make_repository(tmp_path)
    board = RecordingBoard()
    loop = loop_for(git, aws, board)
    already = children()
    report = plan(loop)

    assert [p.project.name for p in report.projects] == NAMES  # the projects' order, not the order they ended in
    broken = report.projects[NAMES.index("envs/broken")]
    assert broken.summary is None and "var.gone" in broken.error and broken.failure is not None
    planned = [p for p in report.projects if p.project.name != "envs/broken"]
    assert all(p.summary is not None and p.summary.counts.add == 1 and p.sha256 for p in planned)
    # Locks and plan files: every planned project keeps both, the failed one gave its lock back and kept no file.
    assert check_each_project_is_planned_or_untouched(loop) == {p.project.name for p in planned}

    # Several at once, never more than the limit, never the two workspaces of one directory together.
    at_once = board.running_at_once()
    assert max(len(running) for running in at_once) > 1
    assert all(len(running) <= 3 for running in at_once)
    assert not any({"envs/a", "envs/a@staging"} <= running for running in at_once)

    # The scanners ran while Terraform did (they began before the last project's plan ended), over the shared
    # module too, and never saw the sandbox's override files.
    scanner_began = next(i for i, (task, kind, _) in enumerate(board.events) if task == "checkov" and kind == "step")
    last_planned = max(i for i, (_, kind, what) in enumerate(board.events) if kind == "finish" and what == "planned")
    assert scanner_began < last_planned
    files = {finding.file for finding in report.scan.findings}
    assert "modules/bucket/main.tf" in files
    assert not any("zz_olympus" in name for name in files)
    assert not list(git.root.rglob("zz_olympus_*.tf"))
    assert children() - already == set()


@pytest.mark.parametrize(
    "where, raising",
    [
        # Ctrl-C as the first project's result is shown (the calling thread, between two projects' ends).
        (("envs/a", "planned"), KeyboardInterrupt()),
        # A fault on a worker thread as envs/b starts its plan.
        (("envs/b", "terraform plan"), RuntimeError("the display broke")),
    ],
    ids=["interrupt", "fault-in-a-worker"],
)
def test_an_interrupt_or_a_fault_stops_the_rest_and_leaves_nothing_half_done(
    tmp_path: Path, aws: LocalAws, where: tuple[str, str], raising: BaseException
) -> None:
    git = make_repository(tmp_path)
    board = RecordingBoard(raise_at=where, raising=raising)
    loop = loop_for(git, aws, board)
    already = children()
    with pytest.raises(type(raising)):
        plan(loop)

    planned = check_each_project_is_planned_or_untouched(loop)
    if isinstance(raising, KeyboardInterrupt):
        assert "envs/a" in planned  # its plan was saved before the interrupt: it stays, as it would have before
    assert len(planned) < len(NAMES) - 1  # the rest was stopped, not planned to the end
    began = {task for task, kind, what in board.events if kind == "step" and what == "terraform init"}
    assert began < set(NAMES)  # and what had not begun never did
    assert board.events[-1] == ("", "close", "")
    assert not (git.root / ".git" / "olympus" / "worktrees").exists() or not any(
        (git.root / ".git" / "olympus" / "worktrees").iterdir()
    )
    assert not list(git.root.rglob("zz_olympus_*.tf"))
    assert children() - already == set()  # Terraform stopped, and the scanners (in a session of their own) too

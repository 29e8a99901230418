"""What planning a change gives back (each project's plan, the scans) and where its files go."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.adapters.sandbox import backend_config, backend_endpoints, write_if_changed
from bot.domain.findings import ScanReport
from bot.domain.models import Project
from bot.domain.plans import PlanSummary
from bot.domain.policies.results import PolicyFailure, PolicyReport, SetOutcome, merged
from bot.domain.sensitive import NO_SECRETS, SensitiveValues
from bot.domain.terraform_failures import TerraformFailure
from bot.services.context import SANDBOX_LOCKS, Loop
from bot.services.step_times import ProjectSteps
from bot.services.terraform_steps import run_step


@dataclass
class ProjectPlan:
    """One project's plan: a summary, or why there is none (an error, or a lock held by another change)."""

    project: Project
    summary: PlanSummary | None = None
    error: str = ""
    locked_by: str = ""
    sha256: str = ""
    # What kind of failure `error` is (bot/domain/terraform_failures.py), for the CLI's error code and hint.
    failure: TerraformFailure | None = None
    # What its plan and its variables hold that nothing Olympus shows may: the summary and error are redacted.
    sensitive: SensitiveValues = NO_SECRETS
    # Each policy set's outcome over this plan (bot/services/policy_check.py).
    policies: tuple[SetOutcome, ...] = ()

    @property
    def policy_failures(self) -> tuple[PolicyFailure, ...]:
        """What the blocking sets hold the apply for: the plan record keeps these."""
        return tuple(f for outcome in self.policies for f in outcome.gate_failures())


@dataclass
class PlanReport:
    branch: str
    head: str
    projects: list[ProjectPlan]
    scan: ScanReport = field(default_factory=ScanReport)
    scanners: tuple[str, ...] = ()
    unscanned: bool = False  # scanning is turned off (OLYMPUS_SCANNERS=none)
    policies_checked: bool = False  # policy sets judged the plans (False: no engine, or the repository turned them off)
    # The kubernetes sets' outcomes over the change's applications, merged in by the door that planned them.
    app_policies: PolicyReport = field(default_factory=PolicyReport)

    @property
    def policies(self) -> PolicyReport:
        """Every policy set's outcome over every planned project, then over every planned application."""
        own = PolicyReport(tuple(o for p in self.projects for o in p.policies), off=not self.policies_checked)
        return merged([own, self.app_policies]) if self.app_policies.outcomes else own

    @property
    def ok(self) -> bool:
        return all(p.summary is not None and not p.summary.errored for p in self.projects)

    @property
    def failed(self) -> list[ProjectPlan]:
        """The projects whose plan failed (not those another change holds the lock of): what the fix loop reads."""
        return [p for p in self.projects if not p.locked_by and (p.error or p.summary is None or p.summary.errored)]

    @property
    def sensitive(self) -> SensitiveValues:
        """Every project's secrets: whatever the run writes (comment, checks, SARIF, job summary) is redacted."""
        found = NO_SECRETS
        for planned in self.projects:
            found |= planned.sensitive
        return found


def slug(text: str) -> str:
    """A file-name-safe form of a branch or project name."""
    return "".join(c if c.isalnum() or c in "-_." else "--" for c in text)


def discard_plan_files(loop: Loop, change_id: str) -> None:
    """Delete a change's saved plan files once its plans are discarded (spent, merged or unlocked)."""
    shutil.rmtree(loop.state_dir / "plans" / slug(change_id), ignore_errors=True)


def remove_empty(folder: Path, stop: Path) -> None:
    """Remove folder and its parents up to stop while they are empty."""
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def init_project(
    loop: Loop,
    workdir: Path,
    env: dict[str, str],
    project: Project,
    known: SensitiveValues,
    *,
    on_line: Callable[[str], None],
    stop: threading.Event,
    steps: ProjectSteps | None = None,
) -> None:
    """`terraform init` of the project (its backend settings), then its workspace selected, made if need be."""
    loop.task_board.step(project.name, "terraform init")
    init = ["init", "-input=false", "-no-color", *init_args(loop, workdir, project)]
    run_step(loop, workdir, env, init, known, on_line=on_line, stop=stop, steps=steps)
    if project.workspace != "default":
        select = ["workspace", "select", "-or-create", "-no-color", project.workspace]
        run_step(loop, workdir, env, select, known, on_line=on_line, stop=stop, steps=steps)


def init_args(loop: Loop, workdir: Path, project: Project) -> list[str]:
    """Backend settings: the emulator's in the sandbox, else the project's own backend.hcl when it has one.

    With an emulated cloud the project's backend.hcl names the bucket and key, and a second file (merged after
    it, as Terraform merges -backend-config files in order) sends the backend to the emulator.
    """
    if loop.sandbox is not None and loop.emulated_cloud and (workdir / "backend.hcl").is_file():
        path = loop.state_dir / "sandbox" / f"{slug(project.name)}.endpoints.hcl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(backend_endpoints(loop.sandbox))
        return ["-backend-config=backend.hcl", f"-backend-config={path}", "-reconfigure"]
    if loop.sandbox is not None:
        path = loop.state_dir / "sandbox" / f"{slug(project.name)}.backend.hcl"
        path.parent.mkdir(parents=True, exist_ok=True)
        key = f"{loop.repo_id.removesuffix(SANDBOX_LOCKS)}/{project.dir}/{project.workspace}/terraform.tfstate"
        write_if_changed(path, backend_config(loop.sandbox, key))
        return [f"-backend-config={path}", "-reconfigure"]
    if (workdir / "backend.hcl").is_file():
        return ["-backend-config=backend.hcl"]
    return []

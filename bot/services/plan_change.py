"""Plan a change: affected projects → lock → init/plan/show → summary → scans, all recorded in the store."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.adapters.sandbox import backend_config, backend_endpoints, write_if_changed
from bot.adapters.terraform import TerraformError
from bot.domain.commands import Target
from bot.domain.findings import ScanReport, merge_reports
from bot.domain.models import Project
from bot.domain.plans import PlanSummary, load_plan_documents, summarize
from bot.domain.records import PlanRecord
from bot.domain.sensitive import NO_SECRETS, SensitiveValues
from bot.domain.terraform_failures import TerraformFailure, classify_failure
from bot.errors import UserError
from bot.services.checkout import Checkout
from bot.services.context import SANDBOX_LOCKS, Loop
from bot.services.repo_projects import affected_projects_of, module_dirs_of, module_sources_of, select_projects
from bot.services.sensitive_inputs import configured_secrets
from bot.services.terraform_steps import run_step, terraform_env


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


@dataclass
class PlanReport:
    branch: str
    head: str
    projects: list[ProjectPlan]
    scan: ScanReport = field(default_factory=ScanReport)
    scanners: tuple[str, ...] = ()
    unscanned: bool = False  # scanning is turned off (OLYMPUS_SCANNERS=none)

    @property
    def ok(self) -> bool:
        return all(p.summary is not None and not p.summary.errored for p in self.projects)

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


def plan_change(
    loop: Loop, checkout: Checkout, *, only: str | Target | None = None, extra_args: Sequence[str] = ()
) -> PlanReport:
    """Plan and scan every project the change touches (or only those named), at its head commit.

    `extra_args` (what followed `--` in `/infra plan`, already checked against the blocked flags) go to
    `terraform plan`.
    """
    projects = affected_projects_of(checkout.reader, checkout.changed_files)
    if not projects:
        raise UserError(
            "nothing-to-plan",
            f"{checkout.change_id} changes no Terraform project ({len(checkout.changed_files)} files changed)",
            "make a change with `/infra create ...`, or plan a branch that changes Terraform files",
        )
    projects = select_projects(projects, only)
    branch, head = checkout.change_id, checkout.head
    report = PlanReport(branch, head, [], scanners=tuple(s.name for s in loop.scanners), unscanned=loop.unscanned)
    with loop.store.audited(loop.actor, "plan", {"change": branch, "commit": head}) as outcome:
        run_id = loop.store.start_run(branch, "plan", loop.actor, head)
        for project in projects:
            report.projects.append(_plan_project(loop, checkout, project, extra_args))
        scan_dirs = sorted({d for p in projects for d in (p.dir, *module_dirs_of(checkout.reader, p))})
        report.scan = redacted_scan(scan(loop, checkout.workdir, scan_dirs), report.sensitive)
        loop.store.save_findings(run_id, list(report.scan.findings))
        outcome.result = (
            "ok"
            if report.ok
            else "failed: "
            + ", ".join(p.project.name for p in report.projects if p.summary is None or p.summary.errored)
        )
        loop.store.finish_run(run_id, outcome.result, {"projects": [p.project.name for p in report.projects]})
    return report


def _plan_project(loop: Loop, checkout: Checkout, project: Project, extra_args: Sequence[str] = ()) -> ProjectPlan:
    tree, branch, head = checkout.workdir, checkout.change_id, checkout.head
    result = ProjectPlan(project)
    keeper = loop.lock_keeper
    before = keeper.lock_for(loop.repo_id, project.dir, project.workspace)
    lock = keeper.acquire_lock(loop.repo_id, project.dir, project.workspace, branch)
    if lock.holder != branch:
        result.locked_by = lock.holder
        return result
    took_lock = before is None or before.holder != branch
    workdir = tree / project.dir
    plan_dir = loop.state_dir / "plans" / slug(branch) / slug(project.name)
    plan_path = plan_dir / f"{head}.tfplan"
    try:
        plan_dir.mkdir(parents=True, exist_ok=True)
        with terraform_env(loop, workdir) as env:
            # Before there is a plan, its variables' known values; Terraform's output is redacted with them.
            known = result.sensitive = configured_secrets(workdir, env)
            loop.say(f"→ {project.name}: terraform init")
            init = ["init", "-input=false", "-no-color", *init_args(loop, workdir, project)]
            run_step(loop, workdir, env, init, known)
            if project.workspace != "default":
                select = ["workspace", "select", "-or-create", "-no-color", project.workspace]
                run_step(loop, workdir, env, select, known)
            loop.say(f"→ {project.name}: terraform plan")
            # No state lock for a plan: it writes no state, Olympus's own lock on the project keeps its other changes
            # out, and Terraform refuses to apply a saved plan whose state changed since ("Saved plan is stale").
            # A lock it took could outlive it: a Terraform whose worker was killed dies at its next line of output
            # (a broken pipe) without releasing it, and every later plan of the project would then wait and fail.
            # https://developer.hashicorp.com/terraform/language/state/locking
            plan = ["plan", "-input=false", "-no-color", "-lock=false", f"-out={plan_path}", *extra_args]
            run_step(loop, workdir, env, plan, known)
            shown = run_step(loop, workdir, env, ["show", "-json", "-no-color", str(plan_path)], known, echo=False)
    except BaseException as exc:
        # A plan that failed (or was interrupted) gives back the lock this run took and keeps no plan file, as
        # Atlantis unlocks a project whose plan failed; a lock the change already held stays held.
        plan_path.unlink(missing_ok=True)
        _remove_empty(plan_dir, loop.state_dir / "plans")
        if took_lock:
            keeper.release_lock(loop.repo_id, project.dir, project.workspace, branch)
        if not isinstance(exc, TerraformError):
            raise
        result.error = result.sensitive.redact(str(exc))
        result.failure = classify_failure(str(exc), lambda: module_sources_of(checkout.reader, project))
        return result
    json_path = plan_path.with_suffix(".json")
    json_path.write_text(shown.stdout)  # Terraform's own record, secrets and all, as the plan file beside it
    document = load_plan_documents(shown.stdout)[0]
    result.sensitive |= SensitiveValues.from_plan(document)
    result.summary = summarize(document, result.sensitive)
    result.sha256 = hashlib.sha256(plan_path.read_bytes()).hexdigest()
    loop.store.save_plan(
        PlanRecord(
            change_id=branch,
            project=project.name,
            workspace=project.workspace,
            commit=head,
            plan_path=str(plan_path),
            plan_json_path=str(json_path),
            sha256=result.sha256,
            counts=result.summary.counts.as_dict(),
            created_at=loop.store.clock(),
            base=checkout.base,
        )
    )
    return result


def discard_plan_files(loop: Loop, change_id: str) -> None:
    """Delete a change's saved plan files once its plans are discarded (spent, merged or unlocked)."""
    shutil.rmtree(loop.state_dir / "plans" / slug(change_id), ignore_errors=True)


def _remove_empty(folder: Path, stop: Path) -> None:
    """Remove folder and its parents up to stop while they are empty."""
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def scan(loop: Loop, tree: Path, dirs: list[str]) -> ScanReport:
    """Every scanner over the given dirs; skips honored across tools, duplicates merged."""
    reports = []
    for scanner in loop.scanners:
        loop.say(f"→ scanning {', '.join(dirs)} with {scanner.name}")
        with loop.stopwatch.timing("scanners"):
            reports.append(scanner.scan_report(tree, dirs))
    return merge_reports(reports)


def redacted_scan(report: ScanReport, sensitive: SensitiveValues) -> ScanReport:
    """The findings and skips with the run's secrets hidden: they reach the comment, SARIF, annotations, store."""
    if not sensitive:
        return report
    return ScanReport(
        findings=tuple(map(sensitive.redact_fields, report.findings)),
        skipped=tuple(map(sensitive.redact_fields, report.skipped)),
        unparsed=tuple(map(sensitive.redact, report.unparsed)),
    )


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

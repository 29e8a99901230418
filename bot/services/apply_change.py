"""Apply a change through the gate: approval at head by someone else, the reviewed plan file, our own lock."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.adapters.terraform import TerraformError
from bot.domain.commands import Target
from bot.domain.gate import (
    Allowed,
    Approval,
    Blocked,
    GateInput,
    PlannedProject,
    PolicyApproval,
    PullRequestFacts,
    decide,
)
from bot.domain.models import Project
from bot.domain.plan_evidence import ReviewedPlan
from bot.domain.records import PlanRecord
from bot.services.checkout import Checkout
from bot.services.context import Loop
from bot.services.fix_marks import mark_next_apply
from bot.services.plan_change import discard_plan_files, init_args
from bot.services.repo_projects import affected_projects_of, select_projects
from bot.services.sensitive_inputs import configured_secrets, saved_plan_secrets
from bot.services.step_times import StepTimes
from bot.services.terraform_steps import run_step, terraform_env

# A record whose seal does not check was written or changed outside Olympus (or before it sealed records).
_UNTRUSTED_APPROVAL = "its record in the store does not carry Olympus's seal (edited outside Olympus?); approve again"
_UNTRUSTED_PLAN = "the saved plan's record does not carry Olympus's seal (edited outside Olympus?); plan again"


@dataclass
class ApplyReport:
    branch: str
    head: str
    decision: Allowed | Blocked
    applied: list[str] = field(default_factory=list)
    error: str = ""
    failed: str = ""  # the project (by name) whose apply failed


def file_sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def gate_for(
    loop: Loop,
    checkout: Checkout,
    only: str | Target | None = None,
    approvals: Sequence[Approval] | None = None,
    pull_request: PullRequestFacts | None = None,
    reviewed: Mapping[str, ReviewedPlan] | None = None,
    policy_approvals: Sequence[PolicyApproval] | None = None,
) -> tuple[GateInput, list[tuple[Project, PlanRecord]]]:
    """Everything the gate needs, read fresh from the checkout, the store and the plan files at decision time.

    `reviewed`, when given, is what the code host recorded of each project's plan: its hash then replaces the one
    in the store, so whoever can write the store and the plan files cannot also decide which hash is expected.
    """
    branch, head = checkout.change_id, checkout.head
    projects = select_projects(affected_projects_of(checkout.reader, checkout.changed_files, checkout.restores), only)
    latest = {plan.project: plan for plan in loop.store.plans_for(branch)}  # oldest first, so newest wins
    planned: list[PlannedProject] = []
    to_apply: list[tuple[Project, PlanRecord]] = []
    for project in projects:
        plan = latest.get(project.name)
        lock = loop.lock_keeper.lock_for(loop.repo_id, project.dir, project.workspace)
        on_record = ReviewedPlan(
            sha256=plan.sha256 if plan else None, policy_failures=plan.policy_failures if plan else ()
        )
        if plan is not None and not plan.trusted:
            on_record = ReviewedPlan(problem=_UNTRUSTED_PLAN)
        if reviewed is not None:
            on_record = reviewed.get(project.name, ReviewedPlan(problem="no plan of it was reviewed"))
        planned.append(
            PlannedProject(
                project=project.name,
                plan_commit=plan.commit if plan else None,
                recorded_sha256=on_record.sha256,
                current_sha256=file_sha256(Path(plan.plan_path)) if plan else None,
                lock_holder=lock.holder if lock else None,
                record_problem=on_record.problem,
                policy_failures=on_record.policy_failures,
                plan_base=plan.base if plan else "",
            )
        )
        if plan:
            to_apply.append((project, plan))
    if approvals is None:  # locally, approvals are recorded in the store; on GitHub they are its reviews
        approvals = [
            Approval(a.user, a.commit, "" if a.trusted else _UNTRUSTED_APPROVAL)
            for a in loop.store.approvals_for(branch)
        ]
    if policy_approvals is None:  # the App and the CLI record them in the store; the Action reads its comments
        policy_approvals = [
            PolicyApproval(a.user, a.policy_set, a.commit, "" if a.trusted else _UNTRUSTED_APPROVAL)
            for a in loop.store.policy_approvals_for(branch, head)
        ]
    gate = GateInput(
        branch, head, checkout.requesters, approvals, planned, pull_request, checkout.contributors, policy_approvals
    )
    return gate, to_apply


def apply_change(
    loop: Loop,
    checkout: Checkout,
    *,
    only: str | Target | None = None,
    approvals: Sequence[Approval] | None = None,
    pull_request: PullRequestFacts | None = None,
    reviewed: Mapping[str, ReviewedPlan] | None = None,
    extra_args: Sequence[str] = (),
    policy_approvals: Sequence[PolicyApproval] | None = None,
) -> ApplyReport:
    """Apply each project's saved plan, exactly as reviewed, only when the gate allows it.

    `extra_args` (what followed `--` in `/infra apply`, already checked against the blocked flags) go to
    `terraform apply`, before the plan file.
    """
    gate, plans = gate_for(loop, checkout, only, approvals, pull_request, reviewed, policy_approvals)
    branch = checkout.change_id
    decision = decide(gate)
    report = ApplyReport(branch, gate.head_commit, decision)
    if isinstance(decision, Blocked):
        now = loop.store.clock()
        loop.store.audit(
            loop.actor,
            "apply",
            {"branch": branch, "commit": gate.head_commit},
            now,
            now,
            "refused: " + "; ".join(decision.reasons),
        )
        return report
    tree = checkout.workdir
    times = StepTimes()
    applied_dirs: list[str] = []  # directories, as fix attempts name their project
    failed_dirs: list[str] = []
    with loop.store.audited(loop.actor, "apply", {"branch": branch, "commit": gate.head_commit}) as outcome:
        run_id = loop.store.start_run(branch, "apply", loop.actor, gate.head_commit)
        failed = ""
        for project, plan in plans:
            workdir = tree / project.dir
            loop.say(f"→ {project.name}: terraform apply {Path(plan.plan_path).name}")
            sensitive = saved_plan_secrets(Path(plan.plan_json_path))
            steps = times.of(project.name)
            try:
                with terraform_env(loop, workdir) as env:
                    sensitive |= configured_secrets(workdir, env)
                    # init again: the apply may run in a fresh checkout (the Action's apply job), not where it planned.
                    init = ["init", "-input=false", "-no-color", *init_args(loop, workdir, project)]
                    run_step(loop, workdir, env, init, sensitive, steps=steps)
                    args = ["apply", "-input=false", "-no-color", "-lock-timeout=60s", *extra_args, plan.plan_path]
                    run_step(loop, workdir, env, args, sensitive, steps=steps)
            except TerraformError as exc:
                report.error = sensitive.redact(f"{project.name}: {exc}")
                failed = project.name
                failed_dirs.append(project.dir)
                report.failed = project.name
                break
            report.applied.append(project.name)
            applied_dirs.append(project.dir)
        outcome.result = f"failed: {report.error}" if report.error else "ok"
        # The run's result names the project that failed; its error is in the audit log and the report.
        attempted = [*report.applied, *([failed] if failed else [])]
        detail = {**times.detail(attempted), "applied": report.applied}
        loop.store.finish_run(run_id, f"failed: {failed}" if failed else "ok", detail)
        # The fixes people took for these projects: did the apply after them hold?
        mark_next_apply(loop.store, loop.repo_id, branch, applied=applied_dirs, failed=failed_dirs)
        if not report.error:
            # A saved plan is spent once applied; a second apply must come from a new plan.
            loop.store.discard_plans(branch)
            discard_plan_files(loop, branch)
    return report

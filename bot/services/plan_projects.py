"""Plan each project of a change, several at once: lock → init/plan/show → summary and a saved plan, or why not.

Locks and the store are only touched from the calling thread (bot/services/ordered_pool.py): the worker threads
run Terraform and nothing else, so neither SQLite's connections nor a lock keeper speaking to GitHub need to be
safe across threads. Two projects of one directory (workspaces) never run at once, and neither does a project
whose directory another one calls as a local module: Terraform keeps its `.terraform/` in the directory, and in
the sandbox the provider override written into a project's directory would be read by the other as part of the
module.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.adapters.terraform import TerraformError
from bot.domain.models import Project
from bot.domain.plan_documents import load_plan_documents
from bot.domain.plans import summarize
from bot.domain.records import PlanRecord
from bot.domain.sensitive import NO_SECRETS, SensitiveValues
from bot.domain.terraform_failures import classify_failure
from bot.services.checkout import Checkout
from bot.services.context import Loop
from bot.services.ordered_pool import Begun, run_in_order
from bot.services.plan_report import ProjectPlan, init_project, remove_empty, slug
from bot.services.policy_check import PolicyJudge
from bot.services.repo_projects import module_sources_of
from bot.services.sensitive_inputs import configured_secrets
from bot.services.step_times import ProjectSteps, StepTimes
from bot.services.task_board import FAILED, LOCKED, PLANNED
from bot.services.terraform_steps import run_step, terraform_env


@dataclass(frozen=True)
class _Locked:
    """A project this run holds the lock of, about to be planned."""

    project: Project
    took_lock: bool  # False: the change held it before this run, and keeps it whatever happens
    plan_path: Path


@dataclass(frozen=True)
class _Terraformed:
    """What Terraform gave: the plan as JSON, or the error; and the secrets its variables hold."""

    known: SensitiveValues
    shown: str = ""
    error: str = ""


def plan_projects(
    loop: Loop,
    checkout: Checkout,
    projects: Sequence[Project],
    modules: Mapping[str, Sequence[str]],
    *,
    limit: int,
    extra_args: Sequence[str] = (),
    judge: PolicyJudge | None = None,
    times: StepTimes | None = None,
) -> list[ProjectPlan]:
    """Each project's plan, in the projects' order; `modules` maps a project's name to the local modules it calls.

    With `times`, each project's steps (init, plan, show, policies) are timed there.
    """
    times = times if times is not None else StepTimes()
    board = loop.task_board
    branch, head = checkout.change_id, checkout.head
    keeper = loop.lock_keeper
    stop = threading.Event()

    def begin(project: Project) -> Begun[_Locked] | ProjectPlan:
        before = keeper.lock_for(loop.repo_id, project.dir, project.workspace)
        lock = keeper.acquire_lock(loop.repo_id, project.dir, project.workspace, branch)
        if lock.holder != branch:
            return ProjectPlan(project, locked_by=lock.holder)
        plan_dir = loop.state_dir / "plans" / slug(branch) / slug(project.name)
        plan_dir.mkdir(parents=True, exist_ok=True)
        took_lock = before is None or before.holder != branch
        return Begun(_Locked(project, took_lock, plan_dir / f"{head}.tfplan"))

    def work(locked: _Locked) -> _Terraformed:
        return _terraform(loop, checkout.workdir, locked, extra_args, stop, times.of(locked.project.name))

    def end(locked: _Locked, done: _Terraformed) -> ProjectPlan:
        if done.error:
            abandon(locked)
            # The failure's module sources are read only for a module Terraform could not download.
            failure = classify_failure(done.error, lambda: module_sources_of(checkout.reader, locked.project))
            return ProjectPlan(locked.project, error=done.error, failure=failure, sensitive=done.known)
        return _saved(loop, checkout, locked, done, judge, times.of(locked.project.name))

    def settled(project: Project, planned: ProjectPlan) -> None:
        if planned.locked_by:
            board.finish(project.name, LOCKED, ok=False, detail=f"by {planned.locked_by}")
        else:
            ok = planned.summary is not None
            board.finish(project.name, PLANNED if ok else FAILED, ok=ok)

    def abandon(locked: _Locked) -> None:
        # A plan that failed (or was interrupted) gives back the lock this run took and keeps no plan file, as
        # Atlantis unlocks a project whose plan failed; a lock the change already held stays held.
        locked.plan_path.unlink(missing_ok=True)
        locked.plan_path.with_suffix(".json").unlink(missing_ok=True)
        remove_empty(locked.plan_path.parent, loop.state_dir / "plans")
        if locked.took_lock:
            project = locked.project
            keeper.release_lock(loop.repo_id, project.dir, project.workspace, branch)

    def conflicts(one: Project, other: Project) -> bool:
        return one.dir == other.dir or one.dir in modules.get(other.name, ())

    return run_in_order(
        projects,
        limit=limit,
        begin=begin,
        work=work,
        end=end,
        abandon=abandon,
        stop=stop,
        conflicts=conflicts,
        settled=settled,
    )


def _terraform(
    loop: Loop, tree: Path, locked: _Locked, extra_args: Sequence[str], stop: threading.Event, steps: ProjectSteps
) -> _Terraformed:
    """init, plan and show in the project's directory (on a worker thread: no store, no locks)."""
    project, board = locked.project, loop.task_board
    workdir = tree / project.dir
    known = NO_SECRETS

    def output(line: str) -> None:
        board.line(project.name, line)

    try:
        with terraform_env(loop, workdir) as env:
            # Before there is a plan, its variables' known values; Terraform's output is redacted with them.
            known = configured_secrets(workdir, env)
            init_project(loop, workdir, env, project, known, on_line=output, stop=stop, steps=steps)
            board.step(project.name, "terraform plan")
            # No state lock for a plan: it writes no state, Olympus's own lock on the project keeps its other changes
            # out, and Terraform refuses to apply a saved plan whose state changed since ("Saved plan is stale").
            # A lock it took could outlive it: a Terraform whose worker was killed dies at its next line of output
            # (a broken pipe) without releasing it, and every later plan of the project would then wait and fail.
            # https://developer.hashicorp.com/terraform/language/state/locking
            plan = ["plan", "-input=false", "-no-color", "-lock=false", f"-out={locked.plan_path}", *extra_args]
            run_step(loop, workdir, env, plan, known, on_line=output, stop=stop, steps=steps)
            show = ["show", "-json", "-no-color", str(locked.plan_path)]
            shown = run_step(loop, workdir, env, show, known, echo=False, stop=stop, steps=steps)
    except TerraformError as exc:
        return _Terraformed(known, error=known.redact(str(exc)))
    return _Terraformed(known, shown=shown.stdout)


def _saved(
    loop: Loop,
    checkout: Checkout,
    locked: _Locked,
    done: _Terraformed,
    judge: PolicyJudge | None,
    steps: ProjectSteps,
) -> ProjectPlan:
    """The plan summarized and judged by the policy sets, its JSON kept beside the plan file, and its record (with its
    SHA-256 and the blocking policy failures) in the store."""
    project, plan_path = locked.project, locked.plan_path
    json_path = plan_path.with_suffix(".json")
    json_path.write_text(done.shown)  # Terraform's own record, secrets and all, as the plan file beside it
    document = load_plan_documents(done.shown)[0]
    sensitive = done.known | SensitiveValues.from_plan(document)
    result = ProjectPlan(project, sensitive=sensitive)
    result.summary = summarize(document, sensitive)
    result.sha256 = hashlib.sha256(plan_path.read_bytes()).hexdigest()
    if judge is not None:
        loop.task_board.step(project.name, "policies")
        with loop.stopwatch.timing("policies"), steps.timing("policies"):
            result.policies = judge.judge(project, document, sensitive)
    loop.store.save_plan(
        PlanRecord(
            change_id=checkout.change_id,
            project=project.name,
            workspace=project.workspace,
            commit=checkout.head,
            plan_path=str(plan_path),
            plan_json_path=str(json_path),
            sha256=result.sha256,
            counts=result.summary.counts.as_dict(),
            created_at=loop.store.clock(),
            base=checkout.base,
            policy_failures=result.policy_failures,
        )
    )
    return result

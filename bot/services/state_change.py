"""`/infra import` and `/infra state rm`: one project's state changed through the apply gate, argv only, audited.

Off unless the base branch's `.olympus.yaml` lists the command in `allow_commands` (as Atlantis leaves import and
state off unless `--allow-commands` names them). Gated like apply: approvals of the head commit by someone other
than the requesters and contributors, a clean pull request, and the project's lock, which the command takes as a
plan does. No saved plan is needed; the change's saved plans are discarded afterwards, since state changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.adapters.terraform import TerraformError, tail
from bot.domain.commands import PREFIX, Import, StateRm
from bot.domain.gate import Allowed, Approval, Blocked, PlannedProject, PullRequestFacts, decide
from bot.domain.models import Project
from bot.domain.repo_config import CONFIG_PATH
from bot.ports import RepoReader
from bot.services.apply_change import gate_for
from bot.services.checkout import Checkout
from bot.services.context import Loop
from bot.services.plan_change import init_args
from bot.services.repo_projects import affected_projects_of, repo_config, select_projects
from bot.services.sensitive_inputs import configured_secrets
from bot.services.terraform_steps import run_step, terraform_env

__all__ = ["StateChangeReport", "change_state", "setting_of", "terraform_args"]


@dataclass
class StateChangeReport:
    """What one state command did: the gate's decision, then Terraform's output (redacted) or its error."""

    branch: str
    head: str
    decision: Allowed | Blocked
    project: str = ""
    output: str = ""
    error: str = ""


def setting_of(command: Import | StateRm) -> str:
    """The command's name in `allow_commands` and in the permission policy: `import` or `state_rm`."""
    return "import" if isinstance(command, Import) else "state_rm"


def terraform_args(command: Import | StateRm) -> list[str]:
    """The argv after `terraform`: ours, then the user's `--` args, then `--` so an address is never a flag."""
    if isinstance(command, Import):
        ours = ["import", "-input=false", "-no-color", "-lock-timeout=60s"]
        return [*ours, *command.extra_args, "--", command.address, command.id]
    return ["state", "rm", "-lock-timeout=60s", *command.extra_args, "--", *command.addresses]


def change_state(
    loop: Loop,
    checkout: Checkout,
    command: Import | StateRm,
    *,
    base: RepoReader,
    approvals: Sequence[Approval] | None = None,
    pull_request: PullRequestFacts | None = None,
) -> StateChangeReport:
    """Run the command in the one project it names, when the base allows it and the gate says yes.

    `base` reads the base branch, whose configuration decides whether the command is on: a pull request cannot
    turn it on for itself. `approvals` and `pull_request` are GitHub's, as for apply; locally, the store's.
    """
    setting = setting_of(command)
    branch, head = checkout.change_id, checkout.head
    params = {"change": branch, "commit": head, "command": _shown(command)}
    config = repo_config(base)
    if config is None or not config.allows(setting):
        return _refused(loop, checkout, setting, params, [_off(command, checkout.base)])
    touched = affected_projects_of(checkout.reader, checkout.changed_files, checkout.restores)
    projects = select_projects(touched, command.target)
    if len(projects) != 1:
        names = ", ".join(p.name for p in projects) or "none"
        reason = (
            f"`{PREFIX} {_verb(command)}` runs in one project; name it with `-p` or `-d` (this change touches {names})"
        )
        return _refused(loop, checkout, setting, params, [reason])
    [project] = projects
    params["project"] = project.name
    keeper = loop.lock_keeper
    held = keeper.lock_for(loop.repo_id, project.dir, project.workspace)
    gate, _plans = gate_for(loop, checkout, command.target, approvals, pull_request)
    # Free locks count as ours: the command takes the lock below, once the gate allows it.
    planned = PlannedProject(project.name, None, None, None, held.holder if held else branch, plan_required=False)
    decision = decide(replace(gate, projects=[planned]))
    if isinstance(decision, Blocked):
        return _refused(loop, checkout, setting, params, list(decision.reasons))
    lock = keeper.acquire_lock(loop.repo_id, project.dir, project.workspace, branch)
    if lock.holder != branch:
        reason = f"{project.name}: locked by {lock.holder}; wait for it to be applied or unlocked"
        return _refused(loop, checkout, setting, params, [reason])
    report = StateChangeReport(branch, head, decision, project.name)
    with loop.store.audited(loop.actor, setting, params) as outcome:
        _run(loop, checkout, project, command, report)
        outcome.result = f"failed: {report.error}" if report.error else "ok"
    if report.error and held is None and loop.locks is None:
        loop.store.release_lock(loop.repo_id, project.dir, project.workspace, branch)  # taken by this run only
    elif not report.error:
        loop.store.discard_plans(branch)  # planned against the state as it was: plan again
    return report


def _run(
    loop: Loop, checkout: Checkout, project: Project, command: Import | StateRm, report: StateChangeReport
) -> None:
    workdir = checkout.workdir / project.dir
    args = terraform_args(command)
    loop.say(f"→ {project.name}: terraform {' '.join(args[:2] if isinstance(command, StateRm) else args[:1])}")
    with terraform_env(loop, workdir) as env:
        sensitive = configured_secrets(workdir, env)
        try:
            init = ["init", "-input=false", "-no-color", *init_args(loop, workdir, project)]
            run_step(loop, workdir, env, init, sensitive)
            if project.workspace != "default":
                select = ["workspace", "select", "-or-create", "-no-color", project.workspace]
                run_step(loop, workdir, env, select, sensitive)
            out = run_step(loop, workdir, env, args, sensitive)
        except TerraformError as exc:
            report.error = sensitive.redact(f"{project.name}: {exc}")
            return
        report.output = sensitive.redact(tail(out))


def _refused(
    loop: Loop, checkout: Checkout, setting: str, params: dict[str, str], reasons: list[str]
) -> StateChangeReport:
    now = loop.store.clock()
    loop.store.audit(loop.actor, setting, params, now, now, "refused: " + "; ".join(reasons))
    return StateChangeReport(checkout.change_id, checkout.head, Blocked(tuple(reasons)))


def _off(command: Import | StateRm, base: str) -> str:
    setting = setting_of(command)
    return (
        f"`{PREFIX} {_verb(command)}` is off for this repository: add `allow_commands: [{setting}]` to "
        f"{CONFIG_PATH} on the base branch{f' ({base})' if base else ''} to turn it on"
    )


def _verb(command: Import | StateRm) -> str:
    return "import" if isinstance(command, Import) else "state rm"


def _shown(command: Import | StateRm) -> str:
    if isinstance(command, Import):
        return f"import {command.address} {command.id}"
    return "state rm " + " ".join(command.addresses)

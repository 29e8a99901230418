"""The Action's drift job: on the default branch, check each project for drift with the plan role; keep its issue."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.adapters.git_tree import GitTreeReader
from bot.adapters.github.ref_locks import GitHubRefLocks
from bot.adapters.localgit import LocalGit
from bot.domain.drift import DriftStatus, sweep_as_dict
from bot.domain.drift.summary import drift_summary
from bot.domain.models import Project
from bot.entrypoints.action_inputs import ActionContext, ActionInputs, input_value
from bot.entrypoints.action_job import ActionResult, build_action_loop, empty_outputs, github_codehost, job_terraform
from bot.errors import UserError
from bot.services.drift_issues import upsert_drift_issues
from bot.services.drift_recall import recall_open_drift
from bot.services.drift_sweep import SweptTree, sweep_drift
from bot.services.parallelism import plan_limit
from bot.services.repo_projects import projects_of, repo_config

# The job's GITHUB_TOKEN: the issues, and the project locks (refs) read, never taken.
DRIFT_SCOPES = "issues: write and contents: read"
FAIL_ON_DRIFT = ("true", "false")


def drift_default_branch(
    context: ActionContext, inputs: ActionInputs, environ: Mapping[str, str], emit: Callable[[str], None]
) -> ActionResult:
    """Mode drift: sweep the default branch's projects (or the `projects` input's), then open, edit or close each
    one's drift issue. Exit 0 whether drift was found or not (the issue says so); 1 when a check could not look."""
    fail_on_drift = _fail_on_drift(environ)
    codehost = github_codehost(context, inputs, environ, needed_for="keeping the drift issues", scopes=DRIFT_SCOPES)
    branch = _default_branch_checked(context, codehost, environ)
    workspace = (context.workspace / inputs.working_directory).resolve()
    git = LocalGit.open(workspace)
    commit = git.commit_of("HEAD")
    if commit != context.sha:
        raise UserError(
            "workspace-not-at-default-branch",
            f"the workspace is at {commit[:12]}, not {branch}'s {context.sha[:12]} that the run is for",
            "check out the default branch as it is (actions/checkout with no `ref:`): drift is reality against what "
            "was merged",
        )
    # The commit's files, never the working tree's: what was merged is what the state should match.
    reader = GitTreeReader(git, commit)
    try:
        projects = chosen_projects(projects_of(reader), inputs.projects, branch)
        config = repo_config(reader)
        terraform, _ = job_terraform("drift", inputs, environ, emit)
        loop = build_action_loop(context, environ, terraform)
        loop.git = git
        # The locks the plan jobs take on GitHub, only read: a project an approved change holds is not checked.
        loop.locks = GitHubRefLocks(codehost, context.repository)
        try:
            recall_open_drift(codehost, loop.store, context.repository)
            limit = plan_limit(loop.parallel_plan, config.parallel_plan if config is not None else None)
            tree = SweptTree(commit, reader, workspace)
            reports = sweep_drift(loop, tree, projects, limit=limit) if projects else []
            every = not inputs.projects  # a sweep of some projects says nothing of the others' issues
            outcomes = upsert_drift_issues(codehost, loop.store, context.repository, reports, every_project=every)
            checks = {check.project: check for check in loop.store.drift_checks(context.repository)}
            now = loop.store.clock()
        finally:
            loop.store.close()
    finally:
        reader.close()
    report = sweep_as_dict(context.repository, branch, commit, reports, checks, now=now)
    drifted = sum(1 for r in reports if r.status is DriftStatus.DRIFTED)
    summary = drift_summary(
        branch,
        commit,
        reports,
        {o.project: (o.action, o.number) for o in outcomes},
        issues_url=f"{context.server_url}/{context.repository}/issues",
        run_url=context.run_url,
    )
    failed = any(r.status is DriftStatus.ERROR for r in reports) or (fail_on_drift and drifted > 0)
    outputs = {**empty_outputs(), "drift": json.dumps(report), "drifted": str(drifted)}
    return ActionResult(outputs, summary, exit_code=1 if failed else 0)


def chosen_projects(projects: Sequence[Project], names: Sequence[str], branch: str) -> list[Project]:
    """The projects the `projects` input names (by name or directory), or all of them; an unknown name is refused."""
    if not names:
        return list(projects)
    unknown = [name for name in names if not any(name in (p.name, p.dir) for p in projects)]
    if unknown:
        known = ", ".join(p.name for p in projects) or "none"
        raise UserError(
            "unknown-project",
            f"{branch} has no Terraform project named {', '.join(repr(n) for n in unknown)}",
            f"its projects are: {known}; leave `projects` empty to check them all",
        )
    return [p for p in projects if p.name in names or p.dir in names]


def _default_branch_checked(context: ActionContext, codehost: Any, environ: Mapping[str, str]) -> str:
    """The repository's default branch, which the run must be on (GITHUB_REF): drift is measured against it."""
    repository = context.event.get("repository") or {}
    default = str(repository.get("default_branch") or "") or codehost.default_branch(context.repository)
    ref = environ.get("GITHUB_REF", "")
    if ref != f"refs/heads/{default}":
        raise UserError(
            "not-the-default-branch",
            f"mode drift checks the default branch {default}, but this run is for {ref or 'no ref (GITHUB_REF)'}",
            f"run it on `schedule` (always the default branch) or `workflow_dispatch` from {default} "
            "(workflows/olympus-drift.yml)",
        )
    return default


def _fail_on_drift(environ: Mapping[str, str]) -> bool:
    raw = input_value(environ, "fail-on-drift").lower() or "false"
    if raw not in FAIL_ON_DRIFT:
        raise UserError("bad-input", f"input fail-on-drift is {raw!r}", "use true or false")
    return raw == "true"

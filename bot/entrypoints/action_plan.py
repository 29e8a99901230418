"""The Action's plan job: plan the pull request's projects and applications, lock the projects, store their plans."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.adapters.git_tree import GitTreeReader
from bot.adapters.github.ref_locks import GitHubRefLocks
from bot.adapters.localgit import GitError, LocalGit
from bot.adapters.plan_store import PlanKey, open_plan_store
from bot.domain.app_report import applications_lines
from bot.domain.app_sources import touches_apps
from bot.domain.drift.fixes import restored_projects
from bot.domain.findings import merge_reports
from bot.domain.markdown import code
from bot.domain.plan_evidence import RECORD_FILE, record_text
from bot.domain.policies.results import PolicyReport
from bot.entrypoints.action_diagnose import diagnose_failed_in_job
from bot.entrypoints.action_inputs import ActionContext, ActionInputs
from bot.entrypoints.action_job import (
    ActionResult,
    applies_after_merge,
    build_action_loop,
    empty_outputs,
    github_codehost,
    job_terraform,
    terraform_for,
)
from bot.entrypoints.action_workflow import annotation_for, workflow_command
from bot.errors import UserError
from bot.services.app_checks import app_work, plan_and_check_apps, start_app_checks
from bot.services.app_policies import app_policy_lines
from bot.services.checkout import Checkout
from bot.services.context import Loop
from bot.services.github_checkout import change_id_of
from bot.services.plan_change import PlanReport, plan_change, slug
from bot.services.policy_reports import post_policy_checks
from bot.services.pull_requests import APPS_NEXT, CHECK_PREFIX, finish_plan_check
from bot.services.repo_projects import affected_projects_of
from bot.services.reporting import PULL_REQUEST_NEXT, apps_only_comment, comment_for
from bot.wiring import app_checkers


def changed_files(git: LocalGit, base: str) -> list[str]:
    """Files the PR changes: from the merge base when history allows, else the base commit itself."""
    try:
        git.git("cat-file", "-e", f"{base}^{{commit}}")
    except GitError:
        raise UserError(
            "base-commit-missing",
            f"the pull request's base commit {base[:12]} is not in the checkout (a shallow clone?)",
            "check out with `fetch-depth: 0` (the reusable workflow does); reading the diff through the API "
            "instead is not supported",
        ) from None
    try:
        git.git("merge-base", base, "HEAD")
        spec = f"{base}...HEAD"
    except GitError:  # the history between them is cut off: the two trees still say what differs
        spec = f"{base}..HEAD"
    out = git.git("diff", "--name-only", "-z", spec)
    return sorted(p for p in out.split("\0") if p)


def plan_pull_request_event(
    context: ActionContext, inputs: ActionInputs, environ: Mapping[str, str], emit: Callable[[str], None]
) -> ActionResult:
    """Plan the projects and applications a pull_request event's PR changes, store the plans, say what will happen."""
    pr = context.event.get("pull_request") or {}
    number = int(context.event.get("number") or pr.get("number") or 0)
    head_sha = str((pr.get("head") or {}).get("sha", ""))
    base_sha = str((pr.get("base") or {}).get("sha", ""))
    base_ref = str((pr.get("base") or {}).get("ref", ""))
    if not number or not head_sha or not base_sha:
        raise UserError(
            "unreadable-event",
            "the event has no pull request with base and head commits",
            "run the plan on pull_request events (workflows/olympus.yml)",
        )
    head_repo = ((pr.get("head") or {}).get("repo") or {}).get("full_name")
    if head_repo != context.repository:
        # Planning runs the PR's code (providers, external data sources): never with credentials for a fork.
        return ActionResult(
            empty_outputs(),
            f"Olympus does not plan pull requests from forks ({head_repo or 'a deleted repository'}): "
            "push the branch to this repository to have it planned.\n",
        )
    workspace = (context.workspace / inputs.working_directory).resolve()
    git = LocalGit.open(workspace)
    if git.commit_of("HEAD") != head_sha:
        raise UserError(
            "workspace-not-at-head",
            f"the workspace is at {git.commit_of('HEAD')[:12]}, not the pull request's head {head_sha[:12]}",
            "check out with `ref: ${{ github.event.pull_request.head.sha }}`: approvals and plans are bound to it",
        )
    change_id = change_id_of(context.repository, number)
    author = str((pr.get("user") or {}).get("login", ""))
    checkout = Checkout(
        change_id=change_id,
        head=head_sha,
        reader=GitTreeReader(git, head_sha),
        changed_files=tuple(changed_files(git, base_sha)),
        workdir=workspace,
        requesters=tuple(sorted({author, context.actor} - {""})),
        base=base_ref,
        base_reader=GitTreeReader(git, base_sha),
        # A restore of drift (`/infra fix drift restore`) names its project in a commit trailer, as the App reads it.
        restores=restored_projects([git.git("log", "--format=%B", f"{base_sha}..{head_sha}")]),
    )
    projects = affected_projects_of(checkout.reader, checkout.changed_files, checkout.restores)
    # Applications are planned with the whole pull request, not when the projects input names some (as in the App).
    wants_apps = not inputs.projects and touches_apps(checkout.changed_files)
    if not projects and not wants_apps:
        return ActionResult(empty_outputs(), f"{change_id} changes no Terraform project: nothing to plan.\n")

    if projects:
        terraform, credentials = job_terraform("plan", inputs, environ, emit)
    else:  # nothing runs Terraform, so no cloud role is assumed for it
        terraform, credentials = terraform_for(inputs), {}
    codehost = github_codehost(context, inputs, environ)
    loop = build_action_loop(context, environ, terraform)
    loop.git = git
    if wants_apps:
        loop.apps = app_checkers(environ)
    if codehost is not None:
        # The locks live on GitHub, where the apply job and every other PR's plan job see them.
        loop.locks = GitHubRefLocks(codehost, context.repository, head=head_sha, run_url=context.run_url)
    else:
        emit(
            workflow_command(
                "warning",
                "no github-token: the projects are locked in this job only (no lock on GitHub, so the apply job "
                "will refuse these plans), and there is no plan comment or check run",
            )
        )
    try:
        # The applications render at the PR's base commit and at the checkout, both from this clone's history.
        apps = app_work(loop, GitTreeReader(git, base_sha), checkout.reader, checkout.changed_files)
        if not projects and apps is None:
            return ActionResult(
                empty_outputs(), f"{change_id} changes no Terraform project and no application: nothing to plan.\n"
            )
        # In progress while Terraform plans, as the App's are.
        app_checks = start_app_checks(codehost, context.repository, head_sha, apps.changes) if apps and codehost else {}
        report = _plan(loop, checkout, inputs.projects) if projects else None
        stored = _store_plans(loop, context, inputs, number, report, credentials) if report is not None else []
        planned_apps = (
            plan_and_check_apps(loop, codehost, context.repository, apps, change_id, head_sha, app_checks)
            if apps is not None
            else None
        )
    finally:
        loop.store.close()
    sections = applications_lines(planned_apps.plans, planned_apps.unreadable) if planned_apps else []
    apps_ok = planned_apps is None or planned_apps.ok
    app_findings = sum(len(plan.findings) for plan in planned_apps.plans) if planned_apps else 0
    app_policies = planned_apps.policies if planned_apps else PolicyReport()
    if report is None:
        if codehost is not None:
            post_policy_checks(codehost, context.repository, head_sha, app_policies)
        parts = apps_only_comment(change_id, head_sha, [*sections, *app_policy_lines(app_policies)], APPS_NEXT)
        _comment(codehost, context, inputs, number, change_id, parts)
        return ActionResult(
            outputs={**empty_outputs(), "findings": str(app_findings)},
            # No plan to apply, so no record: Argo CD syncs the applications once the pull request is merged.
            summary="\n\n".join(parts) + f"\n\n[Run]({context.run_url})\n",
            exit_code=0 if apps_ok else 1,
        )
    prefix = inputs.working_directory.strip("/") if inputs.working_directory not in (".", "") else ""
    report.app_policies = app_policies  # the comment's Policies section and the policy checks hold both
    parts = comment_for(report, PULL_REQUEST_NEXT, sections)
    if codehost is not None:
        record_plan_checks(codehost, context.repository, report)
    stored_table = _stored_table(stored, context)
    _comment(codehost, context, inputs, number, change_id, [*parts[:-1], parts[-1] + stored_table])
    if report.failed:  # after the comment, as in the App: the diagnosis is a notice of its own
        failed = [p.project.name for p in report.failed]
        diagnosis = diagnose_failed_in_job(
            context, environ, terraform, codehost, number, step="plan", failed=failed, head=head_sha
        )
        stored_table += f"\n\n{diagnosis}" if diagnosis else ""
    outputs = {**_outputs(report, stored), "record-path": str(write_record(context, number, checkout, report, stored))}
    outputs["findings"] = str(int(outputs["findings"]) + app_findings)
    return ActionResult(
        # The parts are redacted already; the outputs and the table hold only counts, paths and hashes, but
        # whatever the job writes goes through the redactor.
        outputs={name: report.sensitive.redact(value) for name, value in outputs.items()},
        summary=report.sensitive.redact("\n\n".join(parts) + stored_table),
        annotations=[annotation_for(f, prefix) for f in report.scan.findings if f.file],
        exit_code=0 if report.ok and apps_ok else 1,
    )


def _plan(loop: Loop, checkout: Checkout, projects: Sequence[str]) -> PlanReport:
    if len(projects) <= 1:
        return plan_change(loop, checkout, only=projects[0] if projects else None)
    reports = [plan_change(loop, checkout, only=name) for name in projects]
    return PlanReport(
        checkout.change_id,
        checkout.head,
        [p for r in reports for p in r.projects],
        scan=merge_reports([r.scan for r in reports]),
        scanners=reports[0].scanners,
    )


def _store_plans(
    loop: Loop,
    context: ActionContext,
    inputs: ActionInputs,
    number: int,
    report: PlanReport,
    credentials: Mapping[str, str],
) -> list[dict[str, str]]:
    """Every plan that was made, into the plan store under repo/PR/commit/project, with its SHA-256."""
    store = open_plan_store(inputs.plan_store, context.runner_temp / "olympus" / "plans", credentials)
    stored = []
    for planned in report.projects:
        record = loop.store.latest_plan(report.branch, planned.project.name)
        if not planned.sha256 or record is None or record.commit != report.head:
            continue
        key = PlanKey(context.repository, number, report.head, slug(planned.project.name))
        location = store.store(key, Path(record.plan_path), Path(record.plan_json_path), record.sha256)
        stored.append(
            {"project": planned.project.name, "commit": report.head, "sha256": record.sha256, "location": location}
        )
    now = loop.store.clock()
    params = {"change": report.branch, "commit": report.head, "plans": stored, "run": context.run_url}
    loop.store.audit(loop.actor, "action-plan", params, now, now, "ok" if report.ok else "failed")
    return stored


def _outputs(report: PlanReport, stored: list[dict[str, str]]) -> dict[str, str]:
    summaries = [p.summary for p in report.projects if p.summary is not None]
    add = sum(s.counts.add for s in summaries)
    change = sum(s.counts.change for s in summaries)
    destroy = sum(s.counts.destroy for s in summaries)
    has_destroys = destroy > 0 or any(s.destroys or s.replacements for s in summaries)
    return {
        "add": str(add),
        "change": str(change),
        "destroy": str(destroy),
        "has-changes": _flag(any(s.has_changes for s in summaries)),
        "has-destroys": _flag(has_destroys),
        "findings": str(len(report.scan.findings)),
        "plans": json.dumps(stored),
    }


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _stored_table(stored: Iterable[dict[str, str]], context: ActionContext) -> str:
    rows = [f"| {code(s['project'], in_table=True)} | `{s['commit'][:12]}` | `{s['sha256']}` |" for s in stored]
    if not rows:
        return f"\n\nNo plan was stored. [Run]({context.run_url})\n"
    return (
        "\n\n### Stored plans\n\n| project | commit | plan SHA-256 |\n|---|---|---|\n"
        + "\n".join(rows)
        + f"\n\nThe apply job applies exactly these files. [Run]({context.run_url})\n"
    )


def write_record(
    context: ActionContext, number: int, checkout: Checkout, report: PlanReport, stored: list[dict[str, str]]
) -> Path:
    """The plan record that action.yml uploads as this run's artifact: the apply job's source for the hashes."""
    failures = {p.project.name: p.policy_failures for p in report.projects}
    plans = {s["project"]: (s["sha256"], failures.get(s["project"], ())) for s in stored}
    path = context.runner_temp / "olympus" / "record" / RECORD_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(record_text(context.repository, number, checkout.head, context.run_url, plans, base=checkout.base))
    return path


def record_plan_checks(codehost: Any, repo: str, report: PlanReport) -> None:
    """One completed check run per project: the plan's counts and findings, and its SHA-256 for the apply job."""
    for planned in report.projects:
        name = CHECK_PREFIX + planned.project.name
        check_id = codehost.create_check_run(repo, report.head, name, status="in_progress", title="Planned")
        finish_plan_check(codehost, repo, check_id, planned, report.scan)
    post_policy_checks(codehost, repo, report.head, report.policies)


def _comment(
    codehost: Any, context: ActionContext, inputs: ActionInputs, number: int, key: str, parts: Sequence[str]
) -> None:
    """The plan comment on the PR: updated in place (sticky), a new one, or none."""
    if inputs.comment_mode == "off" or codehost is None:
        return
    if inputs.comment_mode == "sticky":
        codehost.upsert_comment(context.repository, number, key, parts)
    else:
        for part in parts:
            codehost.post_comment(context.repository, number, part)


def unlock_closed_pull_request(
    context: ActionContext, inputs: ActionInputs, environ: Mapping[str, str], emit: Callable[[str], None]
) -> ActionResult:
    """A merged or closed pull request releases the project locks it holds on GitHub (a merged one keeps them
    when it is applied after merge: the apply releases them)."""
    pr = context.event.get("pull_request") or {}
    number = int(context.event.get("number") or pr.get("number") or 0)
    if not number:
        raise UserError(
            "unreadable-event",
            "the event has no pull request number",
            "run the lock release on pull_request `closed` events (workflows/olympus.yml)",
        )
    codehost = github_codehost(
        context, inputs, environ, needed_for="releasing the locks of a closed pull request", scopes="contents: write"
    )
    change_id = change_id_of(context.repository, number)
    if pr.get("merged") and applies_after_merge(environ):
        return ActionResult(
            empty_outputs(), f"{change_id} is merged: its project locks are kept for the apply after merge.\n"
        )
    released = GitHubRefLocks(codehost, context.repository).release_locks_of(change_id)
    state = "merged" if pr.get("merged") else "closed"
    return ActionResult(empty_outputs(), f"{change_id} is {state}: released {released} project lock(s).\n")

"""The Action's apply job: re-read the PR, reviews, protection, locks and reviewed plans from GitHub; gate; apply."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from bot.adapters.git_tree import GitTreeReader
from bot.adapters.github.plan_records import GitHubPlanRecords
from bot.adapters.github.ref_locks import GitHubRefLocks
from bot.adapters.localgit import LocalGit
from bot.adapters.plan_store import PlanKey, PlanStoreError, open_plan_store
from bot.domain.commands import Apply, Reply, parse
from bot.domain.drift.fixes import restored_projects
from bot.domain.gate import Blocked
from bot.domain.markdown import bullet_list, code, escape_text, fence
from bot.domain.permissions import Refused, may_run
from bot.domain.plan_evidence import PlanRun, ReviewedPlan, plan_runs_of, reviewed_plans_of
from bot.domain.records import PlanRecord
from bot.entrypoints.action_inputs import ActionContext, ActionInputs
from bot.entrypoints.action_job import (
    ActionResult,
    applies_after_merge,
    build_action_loop,
    empty_outputs,
    github_codehost,
    job_terraform,
)
from bot.entrypoints.action_policies import policy_approvals_from_comments
from bot.errors import UserError
from bot.ports import CodeHostError, PullRequestInfo
from bot.services.apply_change import apply_change
from bot.services.checkout import Checkout
from bot.services.github_checkout import change_id_of
from bot.services.plan_change import slug
from bot.services.pull_request_review import read_pull_request_review
from bot.services.repo_projects import affected_projects_of, select_projects


def apply_from_event(
    context: ActionContext, inputs: ActionInputs, environ: Mapping[str, str], emit: Callable[[str], None]
) -> ActionResult:
    """Apply the PR's stored plans, exactly as reviewed, when the gate allows it; say why not otherwise."""
    not_run = _not_an_apply_comment(context.event)
    if not_run is not None:
        return not_run
    number = pull_request_number(context.event)
    codehost = github_codehost(
        context,
        inputs,
        environ,
        needed_for="re-reading the pull request, its reviews, locks and plan record",
        scopes="pull-requests: read, actions: read and contents: read",
    )
    repo = context.repository
    pr = codehost.pull_request(repo, number)
    workspace = (context.workspace / inputs.working_directory).resolve()
    git = LocalGit.open(workspace)
    if git.commit_of("HEAD") != pr.head_sha:
        raise UserError(
            "workspace-not-at-head",
            f"the workspace is at {git.commit_of('HEAD')[:12]}, not the pull request's head {pr.head_sha[:12]}",
            "check out `refs/pull/N/head` in the apply job: approvals and plans are bound to the head commit",
        )
    asker = context.actor
    refusal = may_run("apply", codehost.permission_of(repo, asker))
    change_id = change_id_of(repo, number)
    changed = tuple(codehost.changed_files(repo, number))
    comment = context.event.get("comment") or {}
    review = read_pull_request_review(
        codehost,
        repo,
        pr,
        # The pull_request runs' actors are the pushers: GitHub records who triggered each run.
        pushes=GitHubPlanRecords(codehost).pushes_to(repo, pr.head_branch),
        changed_files=changed,
        asker_refusal=refusal.reason if isinstance(refusal, Refused) else "",
        apply_after_merge=applies_after_merge(environ),
        command_edited=bool(comment) and comment.get("updated_at") not in (None, comment.get("created_at")),
    )
    checkout = Checkout(
        change_id=change_id,
        head=pr.head_sha,
        reader=GitTreeReader(git, pr.head_sha),
        changed_files=changed,
        workdir=workspace,
        requesters=(asker,),
        base=pr.base_branch,
        contributors=review.contributors,
        restores=restored_projects(commit.message for commit in codehost.pull_request_commits(repo, number)),
    )
    touched = affected_projects_of(checkout.reader, checkout.changed_files, checkout.restores)
    projects = select_projects(touched, _only(inputs))
    terraform, credentials = job_terraform("apply", inputs, environ, emit)
    loop = build_action_loop(context, environ, terraform)
    loop.git = git
    loop.locks = GitHubRefLocks(codehost, repo)  # read again here: the plan job took them on GitHub
    reviewed = reviewed_plans(codehost, context, environ, pr, [p.name for p in projects])
    try:
        fetched, reviewed = _fetch_plans(loop, context, inputs, number, pr.head_sha, reviewed, credentials)
        policy_approvals = policy_approvals_from_comments(codehost, repo, pr, reviewed, plan_workflow_path(environ))
        report = apply_change(
            loop,
            checkout,
            only=_only(inputs),
            approvals=review.approvals,
            pull_request=review.facts,
            reviewed=reviewed,
            policy_approvals=policy_approvals,
        )
        outcome = (
            "refused: " + "; ".join(report.decision.reasons)
            if isinstance(report.decision, Blocked)
            else (f"failed: {report.error}" if report.error else "ok")
        )
        now = loop.store.clock()
        params = {"change": change_id, "commit": pr.head_sha, "plans": fetched, "run": context.run_url}
        loop.store.audit(asker, "action-apply", params, now, now, outcome)
    finally:
        loop.store.close()
    result = _result(context, change_id, pr.head_sha, asker, report, fetched)
    if pr.merged and report.applied and not report.error:
        # Applied after merge: the locks were kept for this apply (action_plan.unlock_closed_pull_request).
        result.summary += _release_after_merge(codehost, repo, change_id)
    return result


def _release_after_merge(codehost: Any, repo: str, change_id: str) -> str:
    try:
        released = GitHubRefLocks(codehost, repo).release_locks_of(change_id)
    except CodeHostError as error:
        hint = "give the apply job `contents: write` to release them"
        return f"\nThe project locks are still held ({error.detail}): {hint}.\n"
    return f"\nReleased {released} project lock(s).\n"


def _not_an_apply_comment(event: Mapping[str, Any]) -> ActionResult | None:
    """Why a comment that started the job is not run, or None. The workflow starts this job for any comment that
    begins with `/infra apply`; only one that is the command alone applies, as in the App (docs/commands.md)."""
    comment = event.get("comment")
    if not comment:
        return None
    parsed = parse(str(comment.get("body") or ""))
    if isinstance(parsed, Apply):
        return None
    why = parsed.text if isinstance(parsed, Reply) else "The comment is not an `/infra apply` command."
    return ActionResult(empty_outputs(), f"### Not run\n\n{why}", exit_code=2)


def pull_request_number(event: Mapping[str, Any]) -> int:
    """The PR an apply event is about: a comment on it, a review of it, or a dispatch naming it."""
    issue = event.get("issue") or {}
    if issue:
        if not issue.get("pull_request"):
            raise UserError(
                "not-a-pull-request",
                "the comment is on an issue, not a pull request",
                "comment `/infra apply` on the pull request",
            )
        return int(issue["number"])
    number = (event.get("pull_request") or {}).get("number") or (event.get("inputs") or {}).get("pull_request")
    if not number:
        raise UserError(
            "unreadable-event",
            "the event names no pull request",
            "run the apply on issue_comment, pull_request_review, or workflow_dispatch with pull_request",
        )
    return int(number)


def _only(inputs: ActionInputs) -> str | None:
    return inputs.projects[0] if len(inputs.projects) == 1 else None


def plan_workflow_path(environ: Mapping[str, str]) -> str:
    """The workflow file whose runs plan the pull requests: OLYMPUS_PLAN_WORKFLOW, else this run's own workflow,
    which is the one the copy-ready caller (workflows/olympus.yml) plans and applies in."""
    configured = environ.get("OLYMPUS_PLAN_WORKFLOW", "").strip()
    if configured:
        return configured
    # GITHUB_WORKFLOW_REF is OWNER/REPO/PATH@REF, for the caller when the job is in a reusable workflow.
    owner_repo_path = environ.get("GITHUB_WORKFLOW_REF", "").partition("@")[0]
    path = "/".join(owner_repo_path.split("/")[2:])
    if not path:
        raise UserError(
            "plan-workflow-unknown",
            "GITHUB_WORKFLOW_REF is not set, so the apply job cannot tell which workflow's runs made the plans",
            "set OLYMPUS_PLAN_WORKFLOW to the plan workflow's file, e.g. .github/workflows/olympus.yml",
        )
    return path


def reviewed_plans(
    codehost: Any, context: ActionContext, environ: Mapping[str, str], pr: PullRequestInfo, projects: list[str]
) -> dict[str, ReviewedPlan]:
    """What the newest plan run of the head commit that kept a record recorded, read from its artifact on GitHub."""
    workflow = plan_workflow_path(environ)
    number, head = pr.number, pr.head_sha
    records = GitHubPlanRecords(codehost)
    runs = plan_runs_of(records.runs_at(context.repository, head), head, workflow)
    run: PlanRun | None = runs[0] if runs else None
    record: str | None = None
    for candidate in runs:
        record = records.record_of(context.repository, candidate.id)
        if record is not None:
            run = candidate
            break
    return reviewed_plans_of(
        record,
        run,
        repository=context.repository,
        pull_request=number,
        head=head,
        projects=projects,
        workflow_path=workflow,
        base=pr.base_branch,
    )


def _fetch_plans(
    loop: Any,
    context: ActionContext,
    inputs: ActionInputs,
    number: int,
    head: str,
    reviewed: dict[str, ReviewedPlan],
    credentials: Mapping[str, str],
) -> tuple[dict[str, str], dict[str, ReviewedPlan]]:
    """Each reviewed project's stored plan for the head commit, fetched and checked; a plan the store cannot give
    back intact becomes the reason its project is refused."""
    store = open_plan_store(inputs.plan_store, context.runner_temp / "olympus" / "plans", credentials)
    fetched: dict[str, str] = {}
    checked = dict(reviewed)
    for name, on_record in reviewed.items():
        if on_record.problem:
            continue
        into = loop.state_dir / "fetched" / slug(name)
        try:
            # The hash GitHub recorded, not the one beside the file: whoever writes the store cannot choose it.
            plan = store.fetch(PlanKey(context.repository, number, head, slug(name)), into, on_record.sha256)
        except PlanStoreError as error:
            checked[name] = replace(
                on_record, problem=f"{error.message}; {error.hint}" if error.hint else error.message
            )
            continue
        loop.store.save_plan(
            PlanRecord(
                change_id=change_id_of(context.repository, number),
                project=name,
                workspace="default",
                commit=head,
                plan_path=str(plan.plan_path),
                plan_json_path=str(plan.json_path),
                sha256=plan.sha256,
                counts={},
                created_at=loop.store.clock(),
            )
        )
        fetched[name] = plan.sha256
    return fetched, checked


def _result(
    context: ActionContext, change_id: str, head: str, asker: str, report: Any, fetched: dict[str, str]
) -> ActionResult:
    # The job summary is markdown: project names and Terraform's words are untrusted, so they are escaped or fenced.
    hashes = ", ".join(f"{code(name, in_table=True)} `{sha}`" for name, sha in fetched.items()) or "none"
    record = (
        f"\n\n| who | what | commit | plan SHA-256 | run |\n|---|---|---|---|---|\n"
        f"| {escape_text(asker)} | apply {escape_text(change_id)} | `{head[:12]}` | {hashes} "
        f"| [run]({context.run_url}) |\n"
    )
    if isinstance(report.decision, Blocked):
        reasons = bullet_list(report.decision.reasons)
        return ActionResult(empty_outputs(), f"### Apply refused\n\n{reasons}{record}", exit_code=2)
    if report.error:
        failure = "\n".join(fence(report.error[-3000:]))
        # Not diagnosed here: this job holds the apply role and reads only; the diagnose job plans with the plan role.
        ask = "\n\nComment `/infra diagnose` on the pull request for a proposed fix."
        return ActionResult(empty_outputs(), f"### Apply failed\n\n{failure}{ask}{record}", exit_code=1)
    approvers = ", ".join(escape_text(a) for a in report.decision.approvers)
    summary = f"### Applied {', '.join(code(p) for p in report.applied)}\n\nApproved by {approvers}.{record}"
    return ActionResult(empty_outputs(), summary)

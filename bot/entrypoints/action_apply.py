"""The Action's apply job: re-read the PR, its reviews and base protection from GitHub, then gate and apply."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.adapters.git_tree import GitTreeReader
from bot.adapters.localgit import LocalGit
from bot.adapters.plan_store import PlanKey, open_plan_store
from bot.domain.gate import Blocked, PullRequestFacts, approvals_from, changes_requested_by
from bot.domain.permissions import Refused, may_run
from bot.domain.records import PlanRecord
from bot.entrypoints.action import (
    ActionContext,
    ActionInputs,
    ActionResult,
    TerraformWithCredentials,
    build_action_loop,
    credentials_env,
    empty_outputs,
    mask_credentials,
    terraform_for,
)
from bot.errors import UserError
from bot.services.apply_change import apply_change
from bot.services.checkout import Checkout
from bot.services.github_checkout import change_id_of
from bot.services.plan_change import slug
from bot.services.pull_requests import review_decisions
from bot.services.repo_projects import affected_projects_of, select_projects


def apply_from_event(
    context: ActionContext, inputs: ActionInputs, environ: Mapping[str, str], emit: Callable[[str], None]
) -> ActionResult:
    """Apply the PR's stored plans, exactly as reviewed, when the gate allows it; say why not otherwise."""
    number = pull_request_number(context.event)
    codehost = _codehost(context, inputs, environ)
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
    reviews = review_decisions(codehost.reviews(repo, number))
    protected, required = codehost.branch_protection(repo, pr.base_branch)
    refusal = may_run("apply", codehost.permission_of(repo, asker))
    comment = context.event.get("comment") or {}
    facts = PullRequestFacts(
        author=pr.author,
        is_fork=pr.is_fork,
        state=pr.state,
        merged=pr.merged,
        apply_after_merge=environ.get("OLYMPUS_APPLY_AFTER_MERGE", "").lower() == "true",
        base_protected=protected,
        required_approvals=required,
        asker_refusal=refusal.reason if isinstance(refusal, Refused) else "",
        command_edited=bool(comment) and comment.get("updated_at") not in (None, comment.get("created_at")),
        changes_requested_by=changes_requested_by(reviews),
    )
    change_id = change_id_of(repo, number)
    checkout = Checkout(
        change_id=change_id,
        head=pr.head_sha,
        reader=GitTreeReader(git, pr.head_sha),
        changed_files=tuple(codehost.changed_files(repo, number)),
        workdir=workspace,
        requesters=(asker,),
    )
    projects = select_projects(affected_projects_of(checkout.reader, checkout.changed_files), _only(inputs))
    credentials = credentials_env("apply", inputs)
    mask_credentials(credentials, emit)
    terraform = terraform_for(inputs)
    if credentials:
        terraform = TerraformWithCredentials(terraform.prefix, terraform.label, credentials)
    loop = build_action_loop(context, environ, terraform)
    loop.git = git
    try:
        fetched = _fetch_plans(loop, context, inputs, number, pr.head_sha, [p.name for p in projects])
        for project in projects:
            if project.name in fetched:
                # This job's own store: the plan it fetched, and the lock it holds while it applies.
                loop.store.acquire_lock(repo, project.dir, project.workspace, change_id)
        report = apply_change(loop, checkout, only=_only(inputs), approvals=approvals_from(reviews), pull_request=facts)
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
    return _result(context, change_id, pr.head_sha, asker, report, fetched)


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


def _codehost(context: ActionContext, inputs: ActionInputs, environ: Mapping[str, str]) -> Any:
    from github import Auth, Github

    from bot.adapters.github.codehost import GitHubCodeHost

    token = inputs.github_token or environ.get("GITHUB_TOKEN", "")
    if not token:
        raise UserError(
            "no-github-token",
            "the apply job needs a GitHub token to re-read the pull request",
            "pass github-token (the job's GITHUB_TOKEN with pull-requests: read is enough)",
        )
    client = Github(
        auth=Auth.Token(token),
        base_url=context.api_url,
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )
    return GitHubCodeHost(client, bot_login="github-actions[bot]")


def _fetch_plans(
    loop: Any, context: ActionContext, inputs: ActionInputs, number: int, head: str, projects: list[str]
) -> dict[str, str]:
    """Each project's stored plan for the head commit, fetched and checked against its recorded hash."""
    store = open_plan_store(inputs.plan_store, context.runner_temp / "olympus" / "plans")
    fetched: dict[str, str] = {}
    for name in projects:
        into = loop.state_dir / "fetched" / slug(name)
        try:
            plan = store.fetch(PlanKey(context.repository, number, head, slug(name)), into)
        except UserError as missing:
            if missing.reference == "plan-file-missing":
                continue  # the gate says so, with every other reason
            raise
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
    return fetched


def _result(
    context: ActionContext, change_id: str, head: str, asker: str, report: Any, fetched: dict[str, str]
) -> ActionResult:
    hashes = ", ".join(f"`{name}` `{sha}`" for name, sha in fetched.items()) or "none"
    record = (
        f"\n\n| who | what | commit | plan SHA-256 | run |\n|---|---|---|---|---|\n"
        f"| {asker} | apply {change_id} | `{head[:12]}` | {hashes} | [run]({context.run_url}) |\n"
    )
    if isinstance(report.decision, Blocked):
        reasons = "\n".join(f"- {reason}" for reason in report.decision.reasons)
        return ActionResult(empty_outputs(), f"### Apply refused\n\n{reasons}{record}", exit_code=2)
    if report.error:
        return ActionResult(empty_outputs(), f"### Apply failed\n\n{report.error[-3000:]}{record}", exit_code=1)
    approvers = ", ".join(report.decision.approvers)
    summary = f"### Applied {', '.join(report.applied)}\n\nApproved by {approvers}.{record}"
    return ActionResult(empty_outputs(), summary)

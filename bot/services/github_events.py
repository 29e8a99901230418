"""Route one queued job to its use case: /infra commands or words, pushes, merges, re-runs, installs, drift checks."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.adapters.claude import DEFAULT_MODEL
from bot.app_ports import ApplicationSyncer
from bot.domain.commands import (
    Apply,
    ApprovePolicies,
    Ask,
    ChangeCommand,
    Diagnose,
    FixDrift,
    Help,
    Import,
    NotForMe,
    Plan,
    Reply,
    StateRm,
    Status,
    Sync,
    Unlock,
    help_text,
)
from bot.domain.drift_schedule import DRIFT_JOB_KIND
from bot.domain.interpretation import ModelLimits
from bot.domain.markdown import fence
from bot.domain.permissions import DEFAULT_POLICY, PermissionPolicy, Refused, command_kind, may_run
from bot.domain.plain_requests import DEFAULT_MENTION, comment_request, issue_request
from bot.domain.records import PushRecord
from bot.domain.webhooks import Job
from bot.errors import UserError
from bot.model_ports import LanguageModel
from bot.ports import CodeHost, CodeHostError
from bot.services.context import Loop
from bot.services.drift_fix import fix_drift_in_issue
from bot.services.github_ask import AskedOnGitHub, answer_in_words
from bot.services.github_auto_diagnose import diagnose_failed_pull_request
from bot.services.github_checkout import change_id_of
from bot.services.github_diagnose import diagnose_pull_request
from bot.services.github_drift import DRIFT_ACTOR, check_repository_drift
from bot.services.github_fix_marks import mark_fixes_at_head, mark_fixes_on_close
from bot.services.github_policy_approval import approve_policies_on_pull_request
from bot.services.github_propose import propose_from_issue
from bot.services.github_state_change import state_change_pull_request
from bot.services.onboarding import onboard_repository
from bot.services.plan_report import PlanReport
from bot.services.pull_requests import apply_pull_request, close_pull_request, plan_pull_request
from bot.services.replies import ReplyTo, reply_key, user_error_reply
from bot.services.sync_apps import SyncTiming
from bot.services.sync_fix import SyncFixer
from bot.services.sync_pull_request import sync_merged_pull_request

log = logging.getLogger(__name__)
# Installation events that bring repositories to the App, and where their payload lists them.
ONBOARDING_EVENTS = {"installation.created": "repositories", "installation_repositories.added": "repositories_added"}


@dataclass
class AppContext:
    """What the App's handlers need: a CodeHost per installation, a Loop per repository, the permission policy, and
    the model that reads requests in plain words."""

    codehost_for: Callable[[int], CodeHost]
    loop_for: Callable[[str, str], Loop]  # (repo "owner/name", actor) → Loop
    policy: PermissionPolicy = DEFAULT_POLICY
    # The worker's attempts per job (JobRetryPolicy): after the last one, the failure is told in a comment.
    max_attempts: int = 5
    # None: no model is set up, and a request in plain words is answered with how to set one up.
    model: LanguageModel | None = None
    model_limits: ModelLimits = field(default_factory=lambda: ModelLimits(DEFAULT_MODEL))
    # The App's slug: a comment that starts with "@olympus" is a request in plain words.
    mention: str = DEFAULT_MENTION
    # Argo CD, to sync the applications a merged pull request changed (None: not configured, and such a PR is told
    # once how to set it up), and how long to wait for their health.
    syncer: ApplicationSyncer | None = None
    sync_timing: SyncTiming = field(default_factory=SyncTiming)


def handle_job(ctx: AppContext, job: Job) -> None:
    """Carry out one delivery; a user's mistake is answered in a comment, a fault raises so the job is retried."""
    if job.installation_id is not None and job.kind in ONBOARDING_EVENTS:
        # New repositories get the onboarding pull request; one that has the workflow already is left alone.
        codehost = ctx.codehost_for(job.installation_id)
        for entry in job.payload.get(ONBOARDING_EVENTS[job.kind]) or []:
            onboard_repository(codehost, str(entry["full_name"]))
        return
    if job.installation_id is None or job.repo is None:
        log.info("job %s (%s): nothing to do without an installation and a repository", job.id, job.kind)
        return
    codehost = ctx.codehost_for(job.installation_id)
    payload = job.payload
    repo = job.repo
    if job.kind in ("issue_comment.created", "issues.opened"):
        is_comment = job.event == "issue_comment"
        reply = ReplyTo(codehost, repo, int(payload["issue"]["number"]), reply_key(payload, is_comment=is_comment))
        try:
            carry_out_request(ctx, codehost, repo, payload, reply, is_comment=is_comment)
        except CodeHostError as exc:
            if job.attempts < ctx.max_attempts:
                raise  # retried with backoff by the worker
            _report_failure(reply, exc)
    elif job.kind == "push.pushed":
        record_push(ctx.loop_for(repo, _sender(payload)), job, branch=str(payload["ref"]).removeprefix("refs/heads/"))
    elif job.kind in ("pull_request.opened", "pull_request.synchronize", "pull_request.reopened"):
        number = int(payload["pull_request"]["number"])
        loop = ctx.loop_for(repo, _sender(payload))
        # Recorded first: whoever moved the head may not approve it, even if the plan below fails.
        record_push(loop, job, branch=str(payload["pull_request"]["head"]["ref"]), number=number)
        if job.kind == "pull_request.synchronize":
            mark_fixes_at_head(loop, codehost, repo, number, str(payload["pull_request"]["head"]["sha"]))
        planned = plan_pull_request(loop, codehost, repo, number, check_key=job.delivery_id)
        _diagnose_failed_plan(ctx, loop, codehost, repo, number, planned)
    elif job.kind == "pull_request.closed":
        number = int(payload["pull_request"]["number"])
        loop = ctx.loop_for(repo, _sender(payload))
        close_pull_request(loop, repo, number)
        if payload["pull_request"].get("merged") is True:
            sync_merged_pull_request(
                codehost, ctx.syncer, loop.store, repo, number, actor=_sender(payload), timing=ctx.sync_timing,
                fixer=_sync_fixer(ctx, loop),
            )  # fmt: skip
        mark_fixes_on_close(loop, codehost, repo, payload["pull_request"])
    elif job.kind == DRIFT_JOB_KIND:
        check_repository_drift(ctx.loop_for(repo, DRIFT_ACTOR), codehost, repo)
    elif job.kind == "check_run.rerequested":
        for pr in payload["check_run"].get("pull_requests") or []:
            loop = ctx.loop_for(repo, _sender(payload))
            number = int(pr["number"])
            planned = plan_pull_request(loop, codehost, repo, number, explicit=True, check_key=job.delivery_id)
            _diagnose_failed_plan(ctx, loop, codehost, repo, number, planned)
    else:
        log.info("job %s (%s): acknowledged, nothing to do", job.id, job.kind)


def carry_out_request(
    ctx: AppContext, codehost: CodeHost, repo: str, payload: Mapping[str, Any], reply: ReplyTo, *, is_comment: bool
) -> None:
    """Carry out one command; every way it ends says so once, through `reply` (the plan comment, for a plan)."""
    issue = payload["issue"]
    number = int(issue["number"])
    # A comment runs only when the command is all it says; an issue's body is a request and its description. Either
    # may be a request in plain words (Ask): `/infra ask`, a comment to the App, an issue labelled infra-request.
    if is_comment:
        parsed = comment_request(payload["comment"]["body"] or "", ctx.mention)
    else:
        labels = [str(label["name"]) for label in issue.get("labels") or []]  # names checked at intake
        parsed = issue_request(issue.get("body") or "", labels)
    if isinstance(parsed, NotForMe):
        return
    sender = _sender(payload)
    if is_comment:
        codehost.react(repo, int(payload["comment"]["id"]), "eyes")
    else:
        codehost.react_to_issue(repo, number, "eyes")
    if isinstance(parsed, Reply):
        reply.say(parsed.text)
        return
    if isinstance(parsed, Help):
        reply.say(help_text("app", parsed.topic))
        return
    decision = _authorize(ctx, codehost, repo, command_kind(parsed), sender)
    if isinstance(decision, Refused):
        reply.say(f"@{sender} {decision.reason}")
        return
    loop = ctx.loop_for(repo, sender)
    on_pull_request = bool(issue.get("pull_request"))
    default_branch = str(payload["repository"].get("default_branch") or "main")
    try:
        if isinstance(parsed, Ask):
            answer_in_words(
                AskedOnGitHub(repo, number, sender, parsed.text, default_branch, on_pull_request),
                ctx.model,
                ctx.model_limits,
                loop,
                codehost,
                reply,
                mention=ctx.mention,
                refusal_of=_refusal_of_change(ctx, codehost, repo, sender),
            )
        elif isinstance(parsed, ChangeCommand):
            clone_url = str(payload["repository"].get("clone_url") or "")
            propose_from_issue(
                loop, codehost, repo, number, parsed, sender, default_branch, reply=reply, repo_url=clone_url
            )
        elif isinstance(parsed, FixDrift):
            fix_drift_in_issue(loop, codehost, repo, issue, parsed, sender, default_branch, reply)
        elif not on_pull_request:
            reply.say(
                "`/infra plan`, `apply`, `diagnose`, `approve_policies`, `import`, `state rm`, `unlock` and `sync` "
                "work in a pull request's comments; on an issue, ask for a change with `/infra create ...`."
            )
        elif isinstance(parsed, Sync):
            sync_merged_pull_request(
                codehost,
                ctx.syncer,
                loop.store,
                repo,
                number,
                actor=sender,
                only=[parsed.name] if parsed.name else (),
                env=parsed.env,
                explicit=True,
                timing=ctx.sync_timing,
                reply=reply,
                fixer=_sync_fixer(ctx, loop),
            )
        elif isinstance(parsed, Plan):
            planned = plan_pull_request(
                loop,
                codehost,
                repo,
                number,
                only=parsed.target,
                explicit=True,
                extra_args=parsed.extra_args,
                reply=reply,
                check_key=reply.key,
            )
            _diagnose_failed_plan(ctx, loop, codehost, repo, number, planned)
        elif isinstance(parsed, Diagnose):
            diagnose_pull_request(
                loop,
                codehost,
                repo,
                number,
                model=ctx.model,
                limits=ctx.model_limits,
                only=parsed.project,
                reply=reply,
            )
        elif isinstance(parsed, Apply):
            applied = apply_pull_request(
                loop,
                codehost,
                repo,
                number,
                asker=sender,
                only=parsed.target,
                extra_args=parsed.extra_args,
                reply=reply,
            )
            failed = [applied.failed] if applied.failed else []
            diagnose_failed_pull_request(
                loop, codehost, repo, number, step="apply", failed=failed, head=applied.head, model=ctx.model,
                limits=ctx.model_limits, output=applied.error,
            )  # fmt: skip
        elif isinstance(parsed, Import | StateRm):
            state_change_pull_request(loop, codehost, repo, number, asker=sender, command=parsed, reply=reply)
        elif isinstance(parsed, ApprovePolicies):
            approve_policies_on_pull_request(loop, codehost, repo, number, user=sender, command=parsed, reply=reply)
        elif isinstance(parsed, Unlock):
            released = close_pull_request(loop, repo, number)
            reply.say(f"Released {released} lock(s) held by {change_id_of(repo, number)} and discarded its plans.")
        elif isinstance(parsed, Status):
            reply.say(_status(loop, repo))
    except UserError as exc:
        reply.say(user_error_reply(exc))


def _diagnose_failed_plan(
    ctx: AppContext, loop: Loop, codehost: CodeHost, repo: str, number: int, planned: PlanReport | None
) -> None:
    """The fix loop by itself on the plan's failed projects, where the repository turned it on (once per commit)."""
    if planned is None:
        return
    failed = [p.project.name for p in planned.failed]
    diagnose_failed_pull_request(
        loop, codehost, repo, number, step="plan", failed=failed, head=planned.head, model=ctx.model,
        limits=ctx.model_limits,
    )  # fmt: skip


def _sync_fixer(ctx: AppContext, loop: Loop) -> SyncFixer | None:
    """A failed sync goes through the fix loop when a model is set up; without one it is only recorded."""
    return SyncFixer(loop, ctx.model, ctx.model_limits) if ctx.model is not None else None


def record_push(loop: Loop, job: Job, *, branch: str, number: int | None = None) -> None:
    """Remember who moved a branch (a push) or a pull request's head (its events' sender)."""
    payload = job.payload
    head = str(payload["pull_request"]["head"]["sha"]) if number is not None else str(payload["after"])
    push = PushRecord(
        repo=str(job.repo),
        branch=branch,
        head=head,
        pusher=_sender(payload),
        change_id=change_id_of(str(job.repo), number) if number is not None else None,
        created=payload.get("created") is True,
        at=loop.store.clock(),
    )
    loop.store.record_push(push, job.delivery_id)


def _report_failure(reply: ReplyTo, error: CodeHostError) -> None:
    """The last attempt failed too: say what failed and how to retry (best effort: GitHub may still be down)."""
    try:
        lines = ["Olympus could not finish this command:", "", *fence(str(error)), ""]
        lines.append("Nothing was left half-made. Comment the command again to retry.")
        reply.say("\n".join(lines))
    except CodeHostError:
        log.exception("could not report a failed command on %s#%s", reply.repo, reply.number)


def _authorize(ctx: AppContext, codehost: CodeHost, repo: str, kind: str, user: str) -> object:
    teams = [team for team in ctx.policy.teams_for(kind) if _member(codehost, team, user)]
    return may_run(kind, codehost.permission_of(repo, user), teams, ctx.policy)


def _refusal_of_change(
    ctx: AppContext, codehost: CodeHost, repo: str, user: str
) -> Callable[[ChangeCommand], str | None]:
    """The refusal a typed create, update or destroy by user would get, or None, for each change a model proposes."""

    def refusal_of(change: ChangeCommand) -> str | None:
        kind = command_kind(change)
        if kind == command_kind(Ask("")):
            return None  # what an ask needs was checked before the model read a word
        decision = _authorize(ctx, codehost, repo, kind, user)
        return f"@{user} {decision.reason}" if isinstance(decision, Refused) else None

    return refusal_of


def _member(codehost: CodeHost, team: str, user: str) -> bool:
    org, _, slug = team.partition("/")
    return bool(org and slug) and codehost.is_team_member(org, slug, user)


def _status(loop: Loop, repo: str) -> str:
    locks = [lock for lock in loop.store.locks() if lock.repo == repo]
    if not locks:
        return "No project of this repository is locked."
    rows = "\n".join(f"| `{lock.dir}` | `{lock.workspace}` | {lock.holder} |" for lock in locks)
    return f"| Project dir | Workspace | Locked by |\n| :-- | :-- | :-- |\n{rows}"


def _sender(payload: Mapping[str, Any]) -> str:
    return str((payload.get("sender") or {}).get("login") or "unknown")

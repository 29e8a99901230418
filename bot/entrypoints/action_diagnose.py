"""The Action's diagnose job: the fix loop on the workflow run's pull request, the fix offered through the API.

Mode diagnose runs on a pull_request event (its pull request) or on an issue_comment `/infra diagnose [-p P]` on a
pull request. The loop, the checkout and the offer are the App's (bot/services/github_diagnose.py): review
suggestions when the fix lies in the diff, else a pull request from `olympus/fix-pr-<n>` into its branch. The plan
and apply jobs call `diagnose_failed_in_job` after a failure, where `.olympus.yaml` says `fixes: {auto: true}`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from bot.adapters.claude import limits_from_environment, model_from_environment, not_configured_hint
from bot.adapters.terraform import TerraformCli
from bot.domain.commands import Diagnose
from bot.domain.markdown import fence
from bot.domain.permissions import Refused, may_run
from bot.domain.plain_requests import comment_request
from bot.entrypoints.action_inputs import ActionContext, ActionInputs
from bot.entrypoints.action_job import ActionResult, build_action_loop, empty_outputs, github_codehost, job_terraform
from bot.errors import UserError
from bot.services.auto_diagnose import auto_heading
from bot.services.github_auto_diagnose import diagnose_failed_pull_request
from bot.services.github_checkout import change_id_of
from bot.services.github_diagnose import diagnose_pull_request
from bot.services.replies import ReplyTo, notice_key, reply_key

DIAGNOSE_EVENTS: Final = ("pull_request", "issue_comment")
SCOPES: Final = "contents: write (the fix branch), pull-requests: write (the review or the fix pull request)"


def diagnose_pull_request_event(
    context: ActionContext, inputs: ActionInputs, environ: Mapping[str, str], emit: Callable[[str], None]
) -> ActionResult:
    """Mode diagnose: diagnose the event's pull request, offer the verified fixes, and say it in the job summary."""
    number, only, reply_to = _asked(context)
    model = model_from_environment(environ)
    if model is None:
        raise UserError(
            "llm-not-configured",
            "mode diagnose asks Claude for the diagnosis, and no Claude backend is set up",
            f"{not_configured_hint()}: pass it to the step's `env:` from a secret (workflows/olympus-diagnose.yml)",
        )
    codehost = github_codehost(context, inputs, environ, needed_for="mode diagnose", scopes=SCOPES)
    repo = context.repository
    reply = ReplyTo(codehost, repo, number, reply_to or notice_key(change_id_of(repo, number), "diagnose"))
    if reply_to:  # a comment asked: the commenter needs what `/infra plan` needs, as in the App
        asker = str(((context.event.get("comment") or {}).get("user") or {}).get("login") or "")
        refusal = may_run("diagnose", codehost.permission_of(repo, asker))
        if isinstance(refusal, Refused):
            reply.say(f"@{asker} {refusal.reason}")
            return ActionResult(empty_outputs(), refusal.reason + "\n")
    terraform, _credentials = job_terraform("plan", inputs, environ, emit)  # reproducing a plan: the plan role
    loop = build_action_loop(context, environ, terraform)
    try:
        done = diagnose_pull_request(
            loop, codehost, repo, number, model=model, limits=limits_from_environment(environ), only=only, reply=reply
        )
    except UserError as exc:
        reply.say("\n".join(fence(exc.message)) + (f"\n\n{exc.hint}" if exc.hint else ""))
        raise
    finally:
        loop.store.close()
    summary = "\n\n".join(part.text for part in done) or "Nothing to diagnose (the pull request said why).\n"
    outputs = {**empty_outputs(), "diagnosis": ",".join(f"{d.project.name}={d.outcome}" for d in done)}
    return ActionResult(outputs, summary + "\n")


def diagnose_failed_in_job(
    context: ActionContext,
    environ: Mapping[str, str],
    terraform: TerraformCli,
    codehost: Any,
    number: int,
    *,
    step: str,
    failed: Sequence[str],
    head: str,
) -> str:
    """After the plan or apply job's failure: the fix loop by itself where the base branch's `.olympus.yaml` turns it
    on and a model is set up; its summary (empty when it did not run)."""
    model = model_from_environment(environ)
    if codehost is None or model is None or not failed:
        return ""
    loop = build_action_loop(context, environ, terraform)
    try:
        done = diagnose_failed_pull_request(
            loop, codehost, context.repository, number, step=step, failed=failed, head=head, model=model,
            limits=limits_from_environment(environ),
        )  # fmt: skip
    finally:
        loop.store.close()
    if done is None:
        return ""
    heading = auto_heading(step, failed, head, "comment `/infra diagnose`")
    return "\n\n".join([heading, *(part.text for part in done)])


def _asked(context: ActionContext) -> tuple[int, str | None, str]:
    """The pull request, the project asked for, and the key of the comment that asked ("" for a pull_request)."""
    event = context.event
    if context.event_name == "pull_request":
        number = int(event.get("number") or (event.get("pull_request") or {}).get("number") or 0)
        if number:
            return number, None, ""
    elif context.event_name == "issue_comment":
        issue = event.get("issue") or {}
        parsed = comment_request(str((event.get("comment") or {}).get("body") or ""))
        if not issue.get("pull_request"):
            raise UserError("wrong-event", "`/infra diagnose` works on pull requests", "comment it on a pull request")
        if isinstance(parsed, Diagnose):
            return int(issue["number"]), parsed.project, reply_key(event, is_comment=True)
        raise UserError(
            "not-a-diagnose-comment",
            "mode diagnose runs on a `/infra diagnose [-p PROJECT]` comment, and this comment is not one",
            "run the diagnose job only on such comments (workflows/olympus-diagnose.yml's `if:`)",
        )
    raise UserError(
        "wrong-event",
        f"mode diagnose needs a pull_request or issue_comment event, not {context.event_name}",
        "run it on pull_request or on a `/infra diagnose` comment (workflows/olympus-diagnose.yml)",
    )

"""The Action's request job: an issue or comment asking for a change, typed or in plain words, becomes its pull request.

It is the App's handler (bot/services/github_events.py, carry_out_request) with the job's token as GitHub and a
store under RUNNER_TEMP: the same grammar first, the same permission rules, the same interpreter for plain words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.adapters.claude import limits_from_environment, model_from_environment
from bot.entrypoints.action_inputs import ActionContext, ActionInputs
from bot.entrypoints.action_job import (
    ActionResult,
    build_action_loop,
    credentials_env,
    empty_outputs,
    github_codehost,
    mask_credentials,
    terraform_for,
)
from bot.services.github_events import AppContext, carry_out_request
from bot.services.replies import ReplyTo, reply_key

__all__ = ["answer_request_event"]

# The job's token needs these to branch, commit, open the pull request and answer.
ASK_SCOPES = "contents: write, pull-requests: write and issues: write"


def answer_request_event(
    context: ActionContext, inputs: ActionInputs, environ: Mapping[str, str], emit: Callable[[str], None]
) -> ActionResult:
    """Answer the `issues` or `issue_comment` event's request once, in a comment on it (and a pull request)."""
    event: Mapping[str, Any] = context.event
    codehost = github_codehost(context, inputs, environ, needed_for="answering a request", scopes=ASK_SCOPES)
    is_comment = context.event_name == "issue_comment"
    number = int(event["issue"]["number"])
    # Claude on Bedrock or Vertex reads with the plan role's short-lived credentials, exchanged for this job.
    credentials = credentials_env("plan", inputs, environ)
    mask_credentials(credentials, emit)
    model = model_from_environment({**environ, **credentials})
    loop = build_action_loop(context, environ, terraform_for(inputs))
    try:
        app = AppContext(
            codehost_for=lambda _installation: codehost,
            loop_for=lambda _repo, _actor: loop,
            model=model,
            model_limits=limits_from_environment(environ),
        )
        reply = ReplyTo(codehost, context.repository, number, reply_key(event, is_comment=is_comment))
        carry_out_request(app, codehost, context.repository, event, reply, is_comment=is_comment)
    finally:
        loop.store.close()
    where = f"{'comment on ' if is_comment else ''}#{number}"
    return ActionResult(outputs=empty_outputs(), summary=f"Olympus answered the request in {where}.\n")

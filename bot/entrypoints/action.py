"""`olympus action`: the GitHub Action's door: what the event calls for, the step that does it, and its report."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

from bot.entrypoints.action_inputs import (
    APPLY_EVENTS,
    ASK_EVENTS,
    PLAN_EVENTS,
    ActionContext,
    ActionInputs,
    read_context,
    read_inputs,
)
from bot.entrypoints.action_job import ActionResult
from bot.entrypoints.action_workflow import append_to_file, output_lines
from bot.errors import UserError
from bot.ports import CodeHostError

# What the job's GITHUB_TOKEN needs, as the reusable workflows grant it.
PERMISSIONS_HINT = (
    "give the job's token the permissions its workflow lists (workflows/olympus.yml): the plan job contents: write "
    "(the lock refs), pull-requests: write and checks: write; the apply job contents: read, actions: read (the plan "
    "record) and pull-requests: write; the drift job contents: read and issues: write"
)


def resolve_mode(inputs: ActionInputs, event: Mapping[str, Any], event_name: str) -> str:
    """plan, apply or unlock: the input, or in auto mode what the event calls for."""
    if event_name == "pull_request_target":
        # It runs with the base repository's secrets; planning the PR's code there hands them to the PR.
        raise UserError(
            "unsafe-event",
            "pull_request_target runs with this repository's secrets, so Olympus never plans a PR's code there",
            "trigger the plan workflow on pull_request",
        )
    if inputs.mode == "plan" and event_name not in PLAN_EVENTS:
        raise UserError("wrong-event", f"mode plan needs a pull_request event, not {event_name}", "use mode: auto")
    if inputs.mode == "ask" and event_name not in ("issues", "issue_comment"):
        raise UserError(
            "wrong-event", f"mode ask needs an issues or issue_comment event, not {event_name}", "use mode: auto"
        )
    if inputs.mode == "sync":
        return "sync"  # after a merge: Argo CD syncs what it changed (bot/entrypoints/action_sync.py)
    if inputs.mode == "drift":
        return "drift"  # on the default branch, on a schedule (bot/entrypoints/action_drift.py)
    if inputs.mode == "diagnose":
        return "diagnose"  # the fix loop on the run's pull request (bot/entrypoints/action_diagnose.py)
    if event_name in PLAN_EVENTS and event.get("action") == "closed" and inputs.mode != "apply":
        return "unlock"  # a merged or closed pull request is never planned: it gives its locks back
    if inputs.mode != "auto":
        return inputs.mode
    if event_name in PLAN_EVENTS:
        return "plan"
    if event_name in ASK_EVENTS or (event_name == "issue_comment" and _asks_for_a_change(event)):
        return "ask"
    if event_name in APPLY_EVENTS:
        return "apply"
    raise UserError(
        "unsupported-event",
        f"Olympus does not know what to do on {event_name}",
        f"run it on {', '.join(PLAN_EVENTS + ASK_EVENTS + APPLY_EVENTS)}, or set mode",
    )


def _asks_for_a_change(event: Mapping[str, Any]) -> bool:
    """A comment that asks for a change (`/infra create/update/destroy`, `/infra ask`, `@olympus ...`), not an apply."""
    from bot.domain.commands import Ask, ChangeCommand
    from bot.domain.plain_requests import comment_request

    body = str((event.get("comment") or {}).get("body") or "")
    return isinstance(comment_request(body), Ask | ChangeCommand)


def _step(mode: str) -> Callable[[ActionContext, ActionInputs, Mapping[str, str], Callable[[str], None]], ActionResult]:
    # Imported here: each step builds on this module's helpers.
    if mode == "plan":
        from bot.entrypoints.action_plan import plan_pull_request_event

        return plan_pull_request_event
    if mode == "unlock":
        from bot.entrypoints.action_plan import unlock_closed_pull_request

        return unlock_closed_pull_request
    if mode == "ask":
        from bot.entrypoints.action_ask import answer_request_event

        return answer_request_event
    if mode == "sync":
        from bot.entrypoints.action_sync import sync_merged_event

        return sync_merged_event
    if mode == "drift":
        from bot.entrypoints.action_drift import drift_default_branch

        return drift_default_branch
    if mode == "diagnose":
        from bot.entrypoints.action_diagnose import diagnose_pull_request_event

        return diagnose_pull_request_event
    from bot.entrypoints.action_apply import apply_from_event

    return apply_from_event


def run_action(environ: Mapping[str, str] | None = None, emit: Callable[[str], None] | None = None) -> int:
    """The whole step: read the event, plan or apply, then write outputs, job summary and annotations."""
    environ = os.environ if environ is None else environ
    emit = emit or (lambda line: print(line, flush=True))
    context = read_context(environ)
    inputs = read_inputs(environ)
    step = _step(resolve_mode(inputs, context.event, context.event_name))
    try:
        result = step(context, inputs, environ, emit)
    except CodeHostError as error:
        if error.status not in (401, 403, 404):
            raise  # GitHub's own trouble, already retried: a fault
        # In a workflow these are the job's token lacking a permission (or a repository it cannot see).
        raise UserError(
            "github-refused", f"GitHub refused to {error.operation}: {error.detail}", PERMISSIONS_HINT
        ) from None
    for line in result.annotations:
        emit(line)
    append_to_file(context.output_file, output_lines(result.outputs))
    append_to_file(context.summary_file, result.summary.rstrip("\n") + "\n")
    return result.exit_code


def main() -> int:
    return run_action(os.environ, lambda line: print(line, file=sys.stdout, flush=True))

"""The Action's sync job: after a merge, sync the Applications the pull request changed through Argo CD, and report."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

from bot.adapters.argocd import ArgoCdClient, read_token_file
from bot.domain.app_sync import sync_report
from bot.entrypoints.action_inputs import ActionContext, ActionInputs, input_value
from bot.entrypoints.action_job import ActionResult, empty_outputs, github_codehost
from bot.entrypoints.action_workflow import workflow_command
from bot.errors import UserError
from bot.services.sync_apps import DEFAULT_TIMEOUT_SECONDS, SyncTiming
from bot.services.sync_pull_request import NOT_CONFIGURED, MergedSync, sync_merged_pull_request

SYNC_EVENTS = ("pull_request", "issue_comment")


def argocd_from_inputs(environ: Mapping[str, str], emit: Callable[[str], None]) -> ArgoCdClient | None:
    """Argo CD from the inputs (argocd-server, and argocd-token or argocd-token-file), None when they are not set; the
    token is masked in the job's log before anything can print it."""
    server = input_value(environ, "argocd-server")
    token = input_value(environ, "argocd-token")
    token_file = input_value(environ, "argocd-token-file")
    if not token and token_file:
        token = read_token_file(Path(token_file))
    if not server or not token:
        return None
    emit(workflow_command("add-mask", token))
    return ArgoCdClient(server, token)


def sync_timeout(environ: Mapping[str, str]) -> float:
    raw = input_value(environ, "argocd-sync-timeout")
    try:
        seconds = float(raw) if raw else DEFAULT_TIMEOUT_SECONDS
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        raise UserError("bad-input", f"input argocd-sync-timeout is {raw!r}", "a number of seconds above 0 (300)")
    return seconds


def sync_merged_event(
    context: ActionContext, inputs: ActionInputs, environ: Mapping[str, str], emit: Callable[[str], None]
) -> ActionResult:
    """Mode sync: on a pull request's `closed` event (or a comment on a merged one), sync what its merge changed."""
    from bot.adapters.sqlstore import SqlStore

    if context.event_name not in SYNC_EVENTS:
        raise UserError(
            "wrong-event",
            f"mode sync needs a pull_request (closed) or issue_comment event, not {context.event_name}",
            "run the sync job on `pull_request: types: [closed]` (docs/helm-and-argocd.md)",
        )
    pr = context.event.get("pull_request") or context.event.get("issue") or {}
    number = int(context.event.get("number") or pr.get("number") or 0)
    if not number:
        raise UserError("unreadable-event", "the event has no pull request number", "run it on pull_request events")
    codehost = github_codehost(
        context, inputs, environ, needed_for="reporting a sync", scopes="pull-requests: write and checks: write"
    )
    syncer = argocd_from_inputs(environ, emit)
    url = environ.get("OLYMPUS_DATABASE_URL") or f"sqlite:///{context.runner_temp / 'olympus' / 'olympus.db'}"
    (context.runner_temp / "olympus").mkdir(parents=True, exist_ok=True)
    with SqlStore.open(url) as store:
        result = sync_merged_pull_request(
            codehost,
            syncer,
            store,
            context.repository,
            number,
            actor=context.actor,
            explicit=context.event_name == "issue_comment",
            timing=SyncTiming(timeout=sync_timeout(environ)),
        )
    outputs = empty_outputs()
    if not isinstance(result, MergedSync):
        outputs["sync-results"] = "[]"
        summary = NOT_CONFIGURED if result.reference == "argocd-not-configured" else f"Sync refused: {result.reason}"
        return ActionResult(outputs, summary + "\n")
    outputs["sync-results"] = json.dumps(
        [{"application": o.application, "result": o.result, "revision": o.revision} for o in result.outcomes]
    )
    server = syncer.server if syncer is not None else ""
    summary = sync_report(result.outcomes, server=server, revision=result.revision)
    return ActionResult(outputs, summary + "\n", exit_code=0 if result.ok else 1)

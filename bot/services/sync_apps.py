"""Sync Applications through Argo CD after a merge: a dry run, the sync at the merge commit, then wait for health."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot.adapters.secret_masking import mask_secret_text
from bot.app_ports import ApplicationSyncer, ArgoCdError
from bot.domain.app_sync import (
    DEGRADED,
    SyncOutcome,
    operation_done,
    prune_policy,
    status_of,
)
from bot.ports import Store

__all__ = ["SyncTiming", "sync_application", "sync_applications"]

# Argo CD's own UI refreshes an application every few seconds; asking more often only loads its API server.
DEFAULT_POLL_SECONDS = 5.0
DEFAULT_TIMEOUT_SECONDS = 300.0


@dataclass(frozen=True)
class SyncTiming:
    """How long to wait for a dry run and for health, how often to ask, and the clock and sleep that do it."""

    timeout: float = DEFAULT_TIMEOUT_SECONDS
    poll_interval: float = DEFAULT_POLL_SECONDS
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)


def sync_applications(
    syncer: ApplicationSyncer,
    store: Store,
    actor: str,
    names: Sequence[str],
    revision: str,
    timing: SyncTiming | None = None,
) -> list[SyncOutcome]:
    """Sync each Application in turn at `revision` (the merge commit); one that fails does not stop the others."""
    return [sync_application(syncer, store, actor, name, revision, timing) for name in names]


def sync_application(
    syncer: ApplicationSyncer,
    store: Store,
    actor: str,
    name: str,
    revision: str,
    timing: SyncTiming | None = None,
) -> SyncOutcome:
    """One Application: prune as its own policy says, a dry run that must succeed, the sync, then health.

    Every sync is one audit record (`argocd-sync`) whose result is the outcome; an Argo CD that cannot be reached or
    refuses is an outcome too ("error"), and its audit record says why.
    """
    timing = timing or SyncTiming()
    params = {"application": name, "revision": revision, "server": syncer.server}
    prune = False
    try:
        with store.audited(actor, "argocd-sync", params) as audit:
            prune = prune_policy(syncer.application(name))
            outcome = _masked(_dry_run_then_sync(syncer, name, revision, prune, timing))
            audit.result = outcome.result if outcome.ok else f"{outcome.result}: {outcome.detail}".rstrip(": ")
    except ArgoCdError as error:
        detail = f"{error.message} ({error.hint})" if error.hint else error.message
        return SyncOutcome(name, "error", revision, prune, detail=detail)
    return outcome


def _masked(outcome: SyncOutcome) -> SyncOutcome:
    """Argo CD's messages come from the cluster and may quote a token: masked before any report, record or model."""
    status = outcome.status
    if status is not None:
        unhealthy = tuple(replace(r, message=mask_secret_text(r.message)) for r in status.unhealthy)
        status = replace(status, operation_message=mask_secret_text(status.operation_message), unhealthy=unhealthy)
    return replace(outcome, status=status, detail=mask_secret_text(outcome.detail))


def _dry_run_then_sync(
    syncer: ApplicationSyncer, name: str, revision: str, prune: bool, timing: SyncTiming
) -> SyncOutcome:
    deadline = timing.clock() + timing.timeout
    syncer.sync(name, dry_run=True, prune=prune, revision=revision)
    dry = _until(timing, deadline, lambda: syncer.application(name), lambda app: operation_done(app, dry_run=True))
    if dry is None:
        return SyncOutcome(name, "progressing", revision, prune, detail="the dry run did not finish before the timeout")
    application, phase = dry
    if phase != "Succeeded":
        return SyncOutcome(name, "dry-run-failed", revision, prune, status_of(application))
    syncer.sync(name, dry_run=False, prune=prune, revision=revision)
    last: dict[str, Mapping[str, Any]] = {}

    def settled(app: Mapping[str, Any]) -> str | None:
        last["app"] = app
        phase = operation_done(app, dry_run=False)
        if phase in ("Failed", "Error"):
            return phase
        return "settled" if phase and status_of(app).settled else None

    done = _until(timing, deadline, lambda: syncer.application(name), settled)
    application = done[0] if done else last.get("app") or syncer.application(name)
    status = status_of(application)
    if status.health != "Healthy":
        # The Application's own status lists only the objects it manages; the tree has their children's messages
        # too (a Pod's CrashLoopBackOff under a Degraded Deployment).
        status = status_of(application, syncer.resource_tree(name))
    if done is not None and done[1] in ("Failed", "Error"):
        return SyncOutcome(name, "sync-failed", revision, prune, status)
    if done is not None:
        return SyncOutcome(name, "synced", revision, prune, status)
    result = "degraded" if status.health == DEGRADED else "progressing"
    waited = f"still {status.sync} and {status.health} after {timing.timeout:g} s"
    return SyncOutcome(name, result, revision, prune, status, detail=waited)


def _until(
    timing: SyncTiming,
    deadline: float,
    read: Callable[[], Mapping[str, Any]],
    done: Callable[[Mapping[str, Any]], str | None],
) -> tuple[Mapping[str, Any], str] | None:
    """Read until `done` says something (the answer and what it said), or None once the deadline has passed."""
    while True:
        answer = read()
        said = done(answer)
        if said is not None:
            return answer, said
        if timing.clock() >= deadline:
            return None
        timing.sleep(min(timing.poll_interval, max(deadline - timing.clock(), 0.0)))

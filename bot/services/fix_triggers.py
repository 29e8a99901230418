"""The fix loop's other triggers, kept in the evaluation store: a failed Argo CD sync and a drift issue opened.

A drift's offer is the drift issue's own `/infra fix drift restore|adopt` (a pull request, planned and applied as any
other): the attempt records the trigger and, once someone asks for the fix, that it was accepted; it then belongs
to the fix's pull request, whose apply marks whether it held (bot/services/fix_marks.py). A failed sync goes
through the fix loop when a language model is set up (bot/services/sync_fix.py: a values fix verified by the
application's plan, offered as a pull request); without one, or where the loop cannot verify a fix (no application
plan configured, a chart outside the repository), its evidence (Argo CD's operation message and the unhealthy
objects' messages, masked) is recorded here with what a person must check.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from bot.adapters.secret_masking import mask_secret_text
from bot.domain.app_layout import app_at
from bot.domain.app_sync import SyncOutcome
from bot.domain.drift import DriftReport
from bot.domain.fixes.attempts import FixAttempt, FixKind, Verification
from bot.ports import Store
from bot.services.fix_marks import let_go_fixes

DRIFT: Final = "drift"  # the failure class (and step) of a drift issue's attempt
DRIFT_ISSUE: Final = "drift_issue"  # its offer: the issue's `/infra fix drift restore|adopt`
SYNC_CHECK: Final = (
    "Argo CD's message above and the unhealthy objects': a value the chart's templates reject, an image or secret "
    "that does not exist, or a resource the cluster refuses; fix the values or the chart in a pull request"
)


def record_drift_issue(store: Store, repo: str, issue_change: str, report: DriftReport, issue: int) -> int:
    """A drift issue was opened for report's project: the trigger, offered as the issue's restore or adopt."""
    count = len(report.resources)
    attempt = FixAttempt(
        repo, issue_change, report.project.dir, DRIFT, DRIFT,
        f"{count} resource(s) of {report.project.name} changed outside Terraform", FixKind.NONE,
        Verification.NOT_RUN, store.clock(), offered=True,
        verification_detail=f"offered in the issue: /infra fix drift {report.way_out.value} (or the other way)",
        extra={"offer": {"how": DRIFT_ISSUE, "issue": issue, "way_out": report.way_out.value}},
    )  # fmt: skip
    return store.record_fix_attempt(attempt)


def mark_drift_fix_asked(store: Store, repo: str, issue_change: str, pull_request: int, fix_change: str) -> list[int]:
    """Someone asked for the issue's fix (`/infra fix drift ...` opened pull request `pull_request`, the change
    `fix_change`): accepted, and the attempt follows the fix to its pull request, whose apply says whether it held."""
    marked: list[int] = []
    for attempt in store.offered_fix_attempts(repo, issue_change):
        if attempt.accepted is None and attempt.id is not None and attempt.step == DRIFT:
            store.mark_fix_outcome(attempt.id, accepted=True)
            store.note_fix_offer(attempt.id, {**attempt.extra.get("offer", {}), "pull_request": pull_request})
            store.move_fix_attempt(attempt.id, fix_change)
            marked.append(attempt.id)
    return marked


def mark_drift_gone(store: Store, repo: str, issue_change: str) -> list[int]:
    """The issue was closed because the drift is gone without its fix being asked for: not accepted."""
    return let_go_fixes(store, repo, issue_change)


def record_failed_syncs(
    store: Store, repo: str, change_id: str, outcomes: Sequence[SyncOutcome], app_files: dict[str, str]
) -> list[int]:
    """Each Application whose sync after the merge did not end synced and healthy: its evidence, and what a person
    must check; the ids recorded."""
    recorded: list[int] = []
    for outcome in outcomes:
        if not sync_failed(outcome):
            continue
        evidence = sync_evidence(outcome)[:4000]
        attempt = FixAttempt(
            repo, change_id, outcome.application, "sync", outcome.result, evidence, FixKind.NONE,
            Verification.NOT_RUN, store.clock(), verification_detail=SYNC_CHECK,
            extra={"revision": outcome.revision, "application_file": application_file(app_files, outcome.application)},
        )  # fmt: skip
        recorded.append(store.record_fix_attempt(attempt))
    return recorded


def sync_failed(outcome: SyncOutcome) -> bool:
    """Whether the sync ended in a failure the fix loop takes (still progressing is no failure yet)."""
    return not outcome.ok and outcome.result != "progressing"


def sync_evidence(outcome: SyncOutcome) -> str:
    """What Argo CD said of the failed sync: the error, the operation's message, each unhealthy object's, masked."""
    status = outcome.status
    said = [outcome.detail, status.operation_message if status else ""]
    said += [f"{r.kind}/{r.name}: {r.health}: {r.message}" for r in (status.unhealthy if status else ())]
    return mask_secret_text("; ".join(text for text in said if text)) or outcome.result


def application_file(app_files: dict[str, str], application: str) -> str:
    """The Application's manifest (argocd/apps/ENV/APP.yaml) among the merge's, or ""."""
    return next(
        (path for path in app_files if (ref := app_at(path)) is not None and ref.application == application), ""
    )

"""A merged pull request's failed Argo CD sync through the fix loop: the model asked, a verified values fix offered.

Since the pull request is merged, a fix cannot go into it: the verified fix is one commit on `olympus/fix-sync-<n>`
with a pull request into the default branch, linked from a comment on the merged pull request with the root cause;
its plan, approval, merge and sync follow as for any pull request. The model saying no safe fix exists, or no fix
passing verification, is said there too, with what a person must check. As for a failed plan or apply, the loop
runs by itself only where the merged `.olympus.yaml` says `fixes: {auto: true}`. Where the loop cannot verify a fix (no
application plan is configured, the Application's chart is not in the repository) the failure is only recorded
(bot/services/fix_triggers.py), as it is when no model is set up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

import yaml

from bot.adapters.github.repo_reader import GitHubRepoReader
from bot.domain.app_layout import app_at
from bot.domain.app_sources import app_source
from bot.domain.app_sync import SyncOutcome
from bot.domain.fixes.acceptance import PULL_REQUEST
from bot.domain.interpretation import ModelLimits
from bot.domain.markdown import code, escape_text, one_line
from bot.domain.models import FileChange
from bot.model_ports import LanguageModel
from bot.ports import CodeHost, CodeHostError
from bot.services.auto_diagnose import fixes_auto, once_per_commit
from bot.services.context import Loop
from bot.services.fix_loop import DEFAULT_TRIES, MIN_FIX_TOKENS, FixOutcome, run_fix_loop
from bot.services.fix_marks import note_offer
from bot.services.fix_triggers import SYNC_CHECK, application_file, record_failed_syncs, sync_failed
from bot.services.github_checkout import change_id_of
from bot.services.replies import ReplyTo, notice_key
from bot.services.sync_fix_request import SyncFixSite, sync_fix_request, verified_by

__all__ = ["SYNC_FIX_BRANCH_PREFIX", "SyncFixer", "fix_failed_syncs", "sync_fix_branch"]

SYNC_FIX_BRANCH_PREFIX: Final = "olympus/fix-sync-"
HEADING: Final = "### Fix after the failed sync"


@dataclass(frozen=True)
class SyncFixer:
    """What a failed sync's fix needs beyond the sync: the repository's loop (its application plan) and the model."""

    loop: Loop
    model: LanguageModel
    limits: ModelLimits
    tries: int = DEFAULT_TRIES


@dataclass(frozen=True)
class _Merged:
    """The merged pull request whose sync failed, and where its fix is offered."""

    codehost: CodeHost
    loop: Loop
    repo: str
    number: int
    revision: str  # the merge commit the fix was verified over


def sync_fix_branch(number: int, application: str, *, several: bool) -> str:
    """`olympus/fix-sync-7`, or `olympus/fix-sync-7-payments-api-staging` when several Applications failed."""
    if not several:
        return f"{SYNC_FIX_BRANCH_PREFIX}{number}"
    slug = "".join(c if c.isalnum() or c in "._-" else "-" for c in application).strip("-.") or "app"
    return f"{SYNC_FIX_BRANCH_PREFIX}{number}-{slug}"


def fix_failed_syncs(
    fixer: SyncFixer,
    codehost: CodeHost,
    repo: str,
    number: int,
    revision: str,
    outcomes: Sequence[SyncOutcome],
    app_files: dict[str, str],
) -> list[int]:
    """Each failed sync of merged pull request `number` at `revision` through the fix loop (or recorded, where no
    fix can be verified); one comment on the pull request says where each ended. The attempts' ids."""
    failed = [outcome for outcome in outcomes if sync_failed(outcome)]
    if not failed:
        return []
    loop = fixer.loop
    change_id = change_id_of(repo, number)
    tree = GitHubRepoReader(codehost, repo, revision)
    if not fixes_auto(tree.read_text):
        # As a failed plan: nothing spends the model's tokens or comments a diagnosis unasked unless the merged
        # `.olympus.yaml` turned the loop on (`fixes: {auto: true}`).
        return record_failed_syncs(loop.store, repo, change_id, failed, app_files)
    sites = {outcome.application: _site(loop, tree, app_files, outcome.application) for outcome in failed}
    ids = record_failed_syncs(
        loop.store, repo, change_id, [o for o in failed if sites[o.application] is None], app_files
    )
    fixable = [(outcome, site) for outcome in failed if (site := sites[outcome.application]) is not None]
    if not fixable or loop.apps is None:
        return ids
    limits = replace(fixer.limits, max_tokens=max(fixer.limits.max_tokens, MIN_FIX_TOKENS))
    patches = codehost.pull_request_patches(repo, number)
    parts = [HEADING]
    # Once per merge commit: a redelivered merge event, or `/infra sync` of the same revision, finds the fix pull
    # request and comment already made.
    merged = _Merged(codehost, loop, repo, number, revision)
    with once_per_commit(loop.store, change_id, revision, loop.actor) as first:
        if not first:
            return ids
        for outcome, site in fixable:
            request = sync_fix_request(loop, loop.apps, site, outcome, change_id, patches, tries=fixer.tries)
            result = run_fix_loop(loop.store, fixer.model, limits, request, now=loop.store.clock)
            branch = sync_fix_branch(number, outcome.application, several=len(fixable) > 1)
            parts.append(_said(merged, outcome, result, branch))
            ids += result.attempt_ids
    ReplyTo(codehost, repo, number, notice_key(change_id, "sync-fix")).say("\n\n".join(parts))
    return ids


def _site(loop: Loop, tree: GitHubRepoReader, app_files: dict[str, str], application: str) -> SyncFixSite | None:
    """The failed Application as the loop can fix it, or None: no application plan, no manifest among the merge's,
    or a chart Olympus does not render (from a chart repository)."""
    path = application_file(app_files, application)
    ref = app_at(path) if path else None
    if loop.apps is None or ref is None:
        return None
    try:
        manifest = yaml.safe_load(app_files[path])
    except yaml.YAMLError:
        return None
    if not isinstance(manifest, dict):
        return None
    source = app_source(ref, manifest)
    if source.problem or not source.chart:
        return None
    return SyncFixSite(ref, path, manifest, source, tree)


def _said(merged: _Merged, outcome: SyncOutcome, result: FixOutcome, branch: str) -> str:
    """One Application's part of the comment: how its sync ended, the root cause, and the fix or what to check."""
    ended = f"the sync at `{merged.revision[:12]}` ended {code(outcome.result)}"
    lines = [f"**{escape_text(outcome.application)}**: {ended}.", ""]
    if result.root_cause:
        lines += [f"Root cause: {escape_text(one_line(result.root_cause), limit=2000)}", ""]
    if result.outcome == "offered":
        lines.append(_offer(merged, outcome, result, branch))
    elif result.outcome == "no_safe_fix":
        lines.append(f"No safe fix: a person must act: {escape_text(one_line(result.what_to_check), limit=2000)}")
    else:
        reason = escape_text(one_line(result.reason), limit=1000)
        lines.append(f"No fix offered: {reason}. What to check: {SYNC_CHECK}.")
    lines += ["", f"{len(result.attempt_ids)} attempt(s) recorded in the evaluation store."]
    return "\n".join(lines)


def _offer(merged: _Merged, outcome: SyncOutcome, result: FixOutcome, branch: str) -> str:
    """Open the fix's pull request into the default branch, and keep where it is in the evaluation store."""
    codehost, loop, repo, number, revision = merged.codehost, merged.loop, merged.repo, merged.number, merged.revision
    base = codehost.default_branch(repo)
    head = codehost.reference_commit(repo, base)
    # The fix was verified over the merge commit: a file it writes whole must not have changed since.
    moved = [e.path for e in result.edits if head != revision and codehost.read_file(repo, head, e.path) != e.before]
    if moved:
        return (
            f"A fix was verified at `{revision[:12]}`, but {', '.join(code(p) for p in moved)} changed on "
            f"{code(base)} since, so it is not offered: fix the values there, then its sync follows."
        )
    verdict = escape_text(result.verdict.detail) if result.verdict else ""
    verified = verified_by(loop, loop.apps) if loop.apps is not None else ""
    cause = one_line(result.root_cause)
    title = f"Fix the sync of {outcome.application}: {cause[:60]}"
    body = (
        f"Olympus's verified fix for the failed Argo CD sync of {code(outcome.application)} after #{number} "
        f"({code(outcome.result)}).\n\nRoot cause: {escape_text(cause, limit=1000)}\n\n{verified} ({verdict}).\n\n"
        "Nothing is synced until this pull request is reviewed, planned, approved and merged."
    )
    files = [FileChange(e.path, e.after or "") for e in result.edits]
    try:
        fix = codehost.open_change(repo, base, branch, files, f"{title}\n\n{cause}\n", title=title, body=body)
    except CodeHostError as error:
        return f"A fix was verified, but its pull request could not be opened: {escape_text(str(error), limit=500)}."
    offer = {"how": PULL_REQUEST, "head": revision, "branch": branch, "number": fix.number}
    note_offer(loop.store, result.attempt_ids, offer)
    return (
        f"Fix ({verified}; {verdict}): in #{fix.number} (branch {code(branch)}), into {code(base)}. Its plan, "
        "approval, merge and sync follow as for any pull request."
    )

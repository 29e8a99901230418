"""After a pull request is merged, sync the Applications it changed through Argo CD and report on the pull request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.app_ports import ApplicationSyncer
from bot.domain.app_layout import APPS_DIR, CHARTS_DIR, VALUES_DIR, app_at
from bot.domain.app_sync import (
    SyncOutcome,
    applications_to_sync,
    check_conclusion,
    outcome_line,
    sync_report,
)
from bot.domain.markdown import code
from bot.ports import CodeHost, Store
from bot.services.fix_triggers import record_failed_syncs
from bot.services.github_checkout import change_id_of
from bot.services.replies import Answer, ReplyTo, notice_key
from bot.services.sync_apps import SyncTiming, sync_applications
from bot.services.sync_fix import SyncFixer, fix_failed_syncs

__all__ = ["CHECK_PREFIX", "NOT_CONFIGURED", "MergedSync", "SyncRefused", "sync_merged_pull_request"]

CHECK_PREFIX = "olympus/sync: "
NOT_CONFIGURED = (
    "### Sync after merge\n\n"
    "This merge changed Argo CD applications, but Olympus has no Argo CD to sync them through, so Argo CD will "
    "sync them on its own schedule (or not at all, without an automated sync policy).\n\n"
    "To have Olympus sync them after each merge (a dry run, then the sync at the merge commit, then their health "
    "here), set `OLYMPUS_ARGOCD_SERVER` to the Argo CD server's URL and `OLYMPUS_ARGOCD_TOKEN_FILE` to a file holding "
    "the API token of an Argo CD account allowed to get and sync applications (docs/helm-and-argocd.md)."
)


@dataclass(frozen=True)
class SyncRefused:
    """No sync was asked of Argo CD, and why (said on the pull request too): `reference` is a kebab-case code."""

    reference: str
    reason: str


@dataclass(frozen=True)
class MergedSync:
    """The Applications a merged pull request changed, synced at `revision` (none: it changed no Application)."""

    revision: str
    outcomes: tuple[SyncOutcome, ...]

    @property
    def ok(self) -> bool:
        return all(outcome.ok for outcome in self.outcomes)


def sync_merged_pull_request(
    codehost: CodeHost,
    syncer: ApplicationSyncer | None,
    store: Store,
    repo: str,
    number: int,
    *,
    actor: str,
    only: Sequence[str] = (),
    env: str | None = None,
    explicit: bool = False,
    timing: SyncTiming | None = None,
    reply: Answer | None = None,
    fixer: SyncFixer | None = None,
) -> MergedSync | SyncRefused:
    """Sync through Argo CD the Applications pull request `number` of `repo` changed, at its merge commit.

    `only`: Application names (`payments-api-staging`) or app names (`payments-api`, every env of it) to sync among
    those the PR changed (`/infra sync NAME`); empty: all of them. `env`: only the Applications of that env
    (`/infra sync NAME env=ENV`, the files under argocd/apps/ENV/). `explicit`: someone asked (a command), so a PR that
    changed no Application is told so; after a merge nothing is said then. `syncer` None: Argo CD is not configured,
    and the PR is told once how to set it up. Before the merge a sync is refused, since git is the source of truth.
    Everything that happens is said through `reply` (default: the PR's own sync notice, edited in place), with a
    check run `olympus/sync: NAME` on the merge commit for each Application. A failed sync is one of the fix loop's
    triggers: with `fixer` (a language model is set up) the model is asked and a verified values fix is offered as a
    pull request (bot/services/sync_fix.py); without one its evidence is recorded in the evaluation store.
    """
    answer = reply or ReplyTo(codehost, repo, number, notice_key(change_id_of(repo, number), "sync"))
    pr = codehost.pull_request(repo, number)
    if not pr.merged:
        return _refuse(
            answer,
            "sync-before-merge",
            f"#{number} is not merged: Olympus syncs an application only from what a reviewed merge put on "
            f"{code(pr.base_branch)}, since git is the source of truth. Merge it, and the sync follows.",
        )
    revision = pr.merge_commit_sha or codehost.reference_commit(repo, pr.base_branch)
    changed = codehost.changed_files(repo, number)
    # Most merges change Terraform only: the tree at the merge commit is read only when one can matter.
    app_files = _applications_at(codehost, repo, revision) if any(map(_may_change_an_app, changed)) else {}
    names = applications_to_sync(changed, app_files)
    if only or env:
        wanted = _matching(names, app_files, only, env)
        if not wanted:
            listed = ", ".join(code(name) for name in names) or "none"
            asked = ", ".join(code(n) for n in only) or "no application"
            where = f" in env {code(env)}" if env else ""
            return _refuse(
                answer,
                "sync-not-changed",
                f"{asked}{where} is not an application #{number} changed (it changed: {listed}).",
            )
        names = wanted
    if not names:
        if explicit:
            answer.say(sync_report((), server="", revision=revision))
        return MergedSync(revision, ())
    if syncer is None:
        answer.say(NOT_CONFIGURED)
        return SyncRefused("argocd-not-configured", "OLYMPUS_ARGOCD_SERVER and OLYMPUS_ARGOCD_TOKEN_FILE are not set")
    checks = {
        name: codehost.create_check_run(
            repo, revision, CHECK_PREFIX + name, title=f"Syncing {name}", external_id=f"sync/{number}/{name}"
        )
        for name in names
    }
    answer.say(f"### Sync after merge\n\nSyncing {', '.join(code(n) for n in names)} at {code(revision[:12])}…")
    outcomes = tuple(sync_applications(syncer, store, actor, names, revision, timing))
    report = sync_report(outcomes, server=syncer.server, revision=revision)
    for outcome in outcomes:
        codehost.update_check_run(
            repo,
            checks[outcome.application],
            status="completed",
            conclusion=check_conclusion(outcome),
            title=outcome_line(outcome),
            summary=sync_report((outcome,), server=syncer.server, revision=revision),
        )
    answer.say(report)
    # After the report: the fix loop renders and asks the model, which takes a while.
    if fixer is not None:
        fix_failed_syncs(fixer, codehost, repo, number, revision, outcomes, app_files)
    else:
        record_failed_syncs(store, repo, change_id_of(repo, number), outcomes, app_files)
    return MergedSync(revision, outcomes)


def _may_change_an_app(path: str) -> bool:
    return path.startswith((APPS_DIR + "/", CHARTS_DIR + "/", VALUES_DIR + "/"))


def _applications_at(codehost: CodeHost, repo: str, revision: str) -> dict[str, str]:
    """Every Application file's text at `revision` (argocd/apps/ENV/APP.yaml)."""
    found = {}
    for path in codehost.list_files(repo, revision):
        if app_at(path) is not None:
            text = codehost.read_file(repo, revision, path)
            if text is not None:
                found[path] = text
    return found


def _refuse(answer: Answer, reference: str, reason: str) -> SyncRefused:
    answer.say(f"**Sync refused**: {reason}")
    return SyncRefused(reference, reason)


def _matching(names: Sequence[str], app_files: dict[str, str], only: Sequence[str], env: str | None) -> list[str]:
    """The changed Applications that `only` names, by Application name or by app name (each env of the app), in
    `env` when it is given (every changed one there when `only` is empty)."""
    refs = {ref.application: ref for ref in map(app_at, app_files) if ref is not None}
    wanted = set(only)

    def named(name: str) -> bool:
        ref = refs.get(name)
        if env is not None and (ref is None or ref.env != env):
            return False
        return not wanted or name in wanted or (ref is not None and ref.app in wanted)

    return [name for name in names if named(name)]

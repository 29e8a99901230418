"""`olympus diagnose`: a change's failing plan found again, the model's diagnosis, and a verified fix on a branch."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Final

from bot.adapters.claude import limits_from_environment, model_from_environment, not_configured_hint
from bot.domain.fixes.acceptance import BRANCH
from bot.domain.fixes.failure_classes import classify
from bot.domain.interpretation import ModelLimits
from bot.domain.markdown import one_line
from bot.domain.models import ChangeSet, FileChange, Project
from bot.domain.projects import build_module_graph
from bot.entrypoints.local_loop import change_branch, command_loop, repo_arg
from bot.errors import UserError
from bot.model_ports import LanguageModel
from bot.services.auto_diagnose import auto_heading, once_per_commit, should_diagnose
from bot.services.checkout import Checkout
from bot.services.context import Loop
from bot.services.fix_evidence import RecordedFailure, recorded_failures, reproduce_failure
from bot.services.fix_loop import DEFAULT_TRIES, MIN_FIX_TOKENS, FixOutcome, run_fix_loop, unified_patch
from bot.services.fix_marks import note_offer
from bot.services.fix_requests import baseline_findings, fix_request, record_person_must_act
from bot.services.local_checkout import local_checkout
from bot.services.repo_projects import affected_projects_of, module_dirs_of, select_projects

FIX_BRANCH_PREFIX: Final = "olympus/fix-"
_NOT_IN_NAME: Final = re.compile(r"[^A-Za-z0-9._-]+")


def diagnose(
    repo: Path, *, branch: str | None, project: str | None, sandbox: bool, actor: str | None, tries: int
) -> int:
    """Diagnose each failing project of the change; 0 once the loop ran, whatever it concluded."""
    model = model_from_environment()
    if model is None:
        raise UserError(
            "llm-not-configured",
            "the fix loop's diagnosis is written by Claude, and no Claude backend is set up",
            f"{not_configured_hint()}; the failure itself is in `olympus plan{repo_arg(repo)}`'s output",
        )
    loop, progress, base = command_loop(repo, sandbox=sandbox, actor=actor)
    name = change_branch(loop, branch, base)
    try:
        lines = diagnose_change(loop, name, base, model, only=project, tries=tries)
    finally:
        progress.done()
    print("\n".join(lines))
    return 0


def diagnose_change(
    loop: Loop,
    name: str,
    base: str,
    model: LanguageModel,
    *,
    only: str | None = None,
    among: Sequence[str] = (),
    tries: int = DEFAULT_TRIES,
    recorded: Mapping[str, RecordedFailure] | None = None,
) -> list[str]:
    """Diagnose the change's failing projects (`only` one, or `among` these names); the lines that report it.

    `recorded`: a failure the door saw and that is not run again (a failed apply's output), by project name."""
    limits = limits_from_environment()
    limits = replace(limits, max_tokens=max(limits.max_tokens, MIN_FIX_TOKENS))
    fix_branch = fix_branch_of(name)
    if loop.local_git.checked_out_at(fix_branch) is not None:
        raise UserError(
            "fix-branch-checked-out",
            f"{fix_branch} (an earlier fix) is checked out, so a new fix could not replace it",
            f"switch to another branch (`git switch {name}`) and run `olympus diagnose` again",
        )
    lines: list[str] = []
    with local_checkout(loop, name, base) as checkout:
        projects = select_projects(affected_projects_of(checkout.reader, checkout.changed_files), only)
        if among:
            projects = [p for p in projects if p.name in among]
        if not projects:
            raise UserError(
                "nothing-to-diagnose",
                f"{name} changes no Terraform project",
                "diagnose a branch whose plan fails: `olympus plan` shows which",
            )
        graph = build_module_graph(checkout.reader.list_files(), checkout.reader.read_text)
        for chosen in projects:
            modules = module_dirs_of(checkout.reader, chosen, graph)
            seen = (recorded or {}).get(chosen.name)
            lines += _diagnose_one(loop, checkout, chosen, modules, model, limits, tries, seen)
    return lines


def diagnose_failed_change(
    loop: Loop, name: str, base: str, *, step: str, failed: Sequence[str], head: str, output: str = ""
) -> None:
    """`fixes: {auto: true}` in the base branch's `.olympus.yaml`: the projects whose plan or apply failed at head are
    diagnosed right after the failure is printed, once per commit; otherwise nothing happens. A failed apply's
    `output` is the evidence: the apply is never run again to see it."""
    model = model_from_environment()
    if not should_diagnose(failed, model, lambda path: loop.local_git.read_at(base, path)) or model is None:
        return
    try:
        with once_per_commit(loop.store, name, head, loop.actor) as first:
            if not first:
                return
            seen = recorded_failures(step, failed, output)
            lines = diagnose_change(loop, name, base, model, among=failed, recorded=seen)
    except UserError as exc:  # the failure itself is what the command ends with, not the diagnosis's problem
        print(f"the automatic diagnosis did not run: {exc.message} ({exc.hint})", file=sys.stderr)
        return
    print("\n" + auto_heading(step, failed, head, f"`olympus diagnose --branch {name}`").replace("`", ""))
    print("\n".join(lines))


def _diagnose_one(
    loop: Loop,
    checkout: Checkout,
    project: Project,
    modules: list[str],
    model: LanguageModel,
    limits: ModelLimits,
    tries: int,
    seen_failure: RecordedFailure | None = None,
) -> list[str]:
    dirs = [project.dir, *modules]
    # The scanners' findings before any fix, from the untouched tree (before Terraform writes into it).
    baseline = baseline_findings(loop, checkout.workdir, dirs)
    loop.say(f"→ {project.name}: reproducing the failure")
    failed = reproduce_failure(loop, checkout.workdir, project, recorded=seen_failure)
    if failed is None:
        return [f"{project.name}: init, validate and plan succeed at {checkout.head[:12]}: nothing to diagnose"]
    failure = classify(failed.step, failed.error)
    if not failure.fixable_by_code:
        # Nothing in the code can fix it (a lock held, credentials): the model is not asked, a person is told.
        recorded = record_person_must_act(loop, checkout.change_id, project, failed.step, failure, log=failed.log)
        outcome = FixOutcome(
            "no_safe_fix", root_cause=failure.summary, what_to_check=failure.what_to_check, attempt_ids=(recorded,)
        )
        return _report(loop, checkout, project, failed.step, failed.error, outcome, failure.code)
    git = loop.local_git
    request = fix_request(
        loop, checkout, project, modules, failed, failure,
        diff=git.git("diff", f"{checkout.base}...{checkout.head}", "--", *dirs),
        baseline=baseline,
        scratch=lambda: git.temporary_worktree(checkout.head),
        tries=tries,
        on_verify=lambda: loop.say(f"→ {project.name}: verifying a proposed fix"),
    )  # fmt: skip
    loop.say(f"→ {project.name}: asking the model for a diagnosis")
    outcome = run_fix_loop(loop.store, model, limits, request, now=loop.store.clock)
    return _report(loop, checkout, project, failed.step, failed.error, outcome, failure.code)


def _report(
    loop: Loop, checkout: Checkout, project: Project, step: str, error: str, outcome: FixOutcome, failure_class: str
) -> list[str]:
    first = next((line for line in error.splitlines() if "Error:" in line), error.splitlines()[0] if error else "")
    lines = [f"{project.name}: terraform {step} fails ({failure_class}): {one_line(first.strip(' │'))}"]
    if outcome.root_cause:
        lines.append(f"  root cause: {one_line(outcome.root_cause)}")
    tries = f"{len(outcome.attempt_ids)} attempt(s) recorded; `olympus eval fixes` sums them up"
    if outcome.outcome == "offered":
        fix_branch = _commit_fix(loop, checkout, project, outcome)
        verdict = outcome.verdict.detail if outcome.verdict else ""
        lines += [
            f"  verified fix (validate, plan, scanners and policies pass; {verdict}) on branch {fix_branch}:",
            *(f"    written by the change tools as `{one_line(command)}`" for command in outcome.commands),
            *(f"    {line}" for line in unified_patch(outcome.edits).splitlines()),
            f"  take it: `git merge {fix_branch}` on {checkout.change_id}, then `olympus plan` and the usual approval",
            f"  {tries}",
        ]
    elif outcome.outcome == "no_safe_fix":
        lines += [f"  no safe fix: a person must act. Check: {one_line(outcome.what_to_check)}", f"  {tries}"]
    else:
        lines += [f"  no fix offered: {one_line(outcome.reason)}", f"  {tries}"]
    return lines


def fix_branch_of(change: str) -> str:
    """Where a change's verified fix goes: `olympus/fix-infra-greet` for `infra/greet`."""
    return FIX_BRANCH_PREFIX + (_NOT_IN_NAME.sub("-", change).strip("-.") or "change")


def _commit_fix(loop: Loop, checkout: Checkout, project: Project, outcome: FixOutcome) -> str:
    """The verified fix as one commit on `olympus/fix-<change>` from the change's head (made again each time)."""
    git = loop.local_git
    fix_branch = fix_branch_of(checkout.change_id)
    if git.branch_exists(fix_branch):
        git.git("update-ref", "-d", f"refs/heads/{fix_branch}")
    files = tuple(FileChange(e.path, e.after or "") for e in outcome.edits)
    title = f"Fix {project.name}: {one_line(outcome.root_cause)[:60]}"
    change = ChangeSet(title, outcome.root_cause, files)
    commit = git.commit_change(fix_branch, checkout.head, change, f"{title}\n\n{outcome.root_cause}\n", loop.record_key)
    # Kept so that `git merge olympus/fix-...` is seen as the fix taken (the branch's head holds this commit).
    note_offer(
        loop.store, outcome.attempt_ids, {"how": BRANCH, "head": checkout.head, "branch": fix_branch, "commit": commit}
    )
    return fix_branch

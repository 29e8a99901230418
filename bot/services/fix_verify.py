"""Verify a proposed fix before anyone sees it: scanners, init, validate, plan and policies, in a scratch tree.

A fix that fails a step, adds a finding or breaks a blocking policy is not offered.

The scratch tree is the change's head in a folder of its own (the caller's temporary worktree), never the person's
checkout; no state lock is taken and no state is written (a plan only reads), and the plan file is deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from bot.changes.fixes.patch_rules import FileEdit
from bot.domain.drift import first_error_line
from bot.domain.models import Finding, Project
from bot.domain.plan_documents import load_plan_documents
from bot.domain.plans import summarize
from bot.domain.sensitive import SensitiveValues
from bot.ports import RepoReader
from bot.services.context import Loop
from bot.services.fix_steps import init_validate_plan
from bot.services.policy_check import policy_judge

PLAN_FILE: Final = "olympus-fix-verify.tfplan"

FindingKey = tuple[str, str, str]  # rule, resource, file: lines move when a fix edits a file
# A check of the fix's plan document beyond its passing (a failed apply's: bot/domain/fixes/apply_checks.py):
# (ok, what it found).
PlanCheck = Callable[[Mapping[str, Any]], tuple[bool, str]]


@dataclass(frozen=True)
class Verdict:
    """What verifying one fix found: passed, or the step that failed and its words (secrets redacted)."""

    ok: bool
    step: str  # scanners | init | validate | plan | policies | apply-check | "" when it passed
    detail: str  # the first error line, the new findings, the failed policies; or the plan's counts
    new_findings: tuple[FindingKey, ...] = ()


def finding_keys(findings: Collection[Finding]) -> frozenset[FindingKey]:
    """The findings as a fix's verification compares them."""
    return frozenset((f.rule_id, f.resource, f.file) for f in findings)


def verify_fix(
    loop: Loop,
    tree: Path,
    project: Project,
    scan_dirs: Sequence[str],
    edits: Sequence[FileEdit],
    baseline: frozenset[FindingKey],
    *,
    head: RepoReader,
    base: RepoReader | None,
    plan_check: PlanCheck | None = None,
) -> Verdict:
    """Write edits into tree and check them; `baseline` is what the scanners found before the fix.

    `head` reads the change's files (the policies' configuration comes from `base`, as for any plan); `plan_check`
    judges the fix's plan once everything else passed (step `apply-check` when it fails).
    """
    for edit in edits:
        target = tree / edit.path
        if edit.after is None:
            target.unlink(missing_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(edit.after, encoding="utf-8")
    # Scanned first, before Terraform writes anything into the tree (scan_alongside.py says why).
    found: set[FindingKey] = set()
    for scanner in loop.scanners:
        found |= finding_keys(scanner.scan_report(tree, scan_dirs).findings)
    added = tuple(sorted(found - baseline))
    if added:
        shown = ", ".join(f"{rule} on {resource or file}" for rule, resource, file in added[:10])
        return Verdict(False, "scanners", f"the fix adds {len(added)} finding(s): {shown}", added)
    return _terraform(loop, tree, project, head=head, base=base, plan_check=plan_check)


def _terraform(
    loop: Loop, tree: Path, project: Project, *, head: RepoReader, base: RepoReader | None, plan_check: PlanCheck | None
) -> Verdict:
    workdir = tree / project.dir
    run = init_validate_plan(loop, workdir, project, plan_file=workdir / PLAN_FILE)
    if run.failed_step:
        return Verdict(False, run.failed_step, first_error_line(run.error) or f"terraform {run.failed_step} failed")
    document = load_plan_documents(run.plan_json)[0]
    known = run.sensitive | SensitiveValues.from_plan(document)
    summary = summarize(document, known)
    if summary.errored:
        return Verdict(False, "plan", "the plan is marked errored")
    judge = policy_judge(loop, head, base)
    if judge is not None:
        failing = [o for o in judge.judge(project, document, known) if o.blocking and (o.failures or o.error)]
        if failing:
            words = "; ".join(f"{o.policy_set}: {o.error or o.failures[0].message}" for o in failing)
            return Verdict(False, "policies", known.redact(f"the fix breaks a blocking policy ({words})"))
    counts = summary.counts
    said = f"plan: {counts.add} to add, {counts.change} to change, {counts.destroy} to destroy"
    if plan_check is not None:
        ok, found = plan_check(document)
        if not ok:
            return Verdict(False, "apply-check", known.redact(f"the plan passes, but {found}"))
        said += known.redact(f"; {found}")
    return Verdict(True, "", said)

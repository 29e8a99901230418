"""One failing project's fix request, built the same way by every door.

The baseline scan, the attempt a person must act on, and the request the loop runs: what the model reads, what a
fix edits, and where a fix is verified (for a failed apply, also what its plan must change); `diagnose_failure`
puts them together: a class no code can fix is a person's, any other goes through the loop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from bot.changes.fixes.patch_rules import FileEdit
from bot.domain.fixes.apply_checks import apply_fix_problem, planned_resources
from bot.domain.fixes.attempts import FixAttempt, FixKind, Verification
from bot.domain.fixes.failure_classes import FailureClass, classify
from bot.domain.interpretation import ModelLimits
from bot.domain.models import Project
from bot.model_ports import LanguageModel
from bot.services.checkout import Checkout
from bot.services.context import Loop
from bot.services.fix_evidence import Reproduced, evidence_for, redact
from bot.services.fix_loop import FixOutcome, FixRequest, run_fix_loop
from bot.services.fix_tool_calls import tool_runner
from bot.services.fix_verify import FindingKey, PlanCheck, Verdict, finding_keys, verify_fix

# A fresh tree of the change's head, removed when the block ends (a worktree locally, a copy in the App).
Scratch = Callable[[], AbstractContextManager[Path]]


def baseline_findings(loop: Loop, tree: Path, dirs: Sequence[str]) -> frozenset[FindingKey]:
    """What the scanners find before any fix, in a tree Terraform has not written into: a fix may add nothing."""
    return frozenset().union(*(finding_keys(s.scan_report(tree, dirs).findings) for s in loop.scanners))


def record_person_must_act(
    loop: Loop, change_id: str, project: Project, step: str, failure: FailureClass, *, log: str = ""
) -> int:
    """Keep the attempt of a failure no code can fix (the model is not asked); its id. `log` is the debug log's
    excerpt (already redacted), kept with it for whoever checks."""
    attempt = FixAttempt(
        loop.repo_id, change_id, project.dir, step, failure.code, failure.summary, FixKind.NONE,
        Verification.NOT_RUN, loop.store.clock(), verification_detail=failure.what_to_check,
        extra={"log_excerpt": log} if log else {},
    )  # fmt: skip
    return loop.store.record_fix_attempt(attempt)


def apply_check(failed: Reproduced, failure: FailureClass) -> PlanCheck | None:
    """For a failed apply, what a fix's plan must change of the resource the apply failed on; None otherwise."""
    if failed.step != "apply":
        return None
    address = failure.site.address

    def check(document: Mapping[str, Any]) -> tuple[bool, str]:
        return apply_fix_problem(failure.code, address, failed.planned, planned_resources(document))

    return check


def fix_request(
    loop: Loop,
    checkout: Checkout,
    project: Project,
    modules: Sequence[str],
    failed: Reproduced,
    failure: FailureClass,
    *,
    diff: str,
    baseline: frozenset[FindingKey],
    scratch: Scratch,
    tries: int,
    on_verify: Callable[[], None] = lambda: None,
) -> FixRequest:
    """The loop's request: the model reads the redacted files, a fix edits the real ones (a patch, or change-tool
    calls run over the change's head as the MCP server runs them), and each is verified in a fresh scratch tree."""
    dirs = [project.dir, *modules]
    evidence = evidence_for(loop.repo_id, checkout.change_id, project, modules, failed, checkout.reader, diff)
    plan_check = apply_check(failed, failure)

    def shown(path: str) -> str | None:
        text = checkout.reader.read_text(path)
        return None if text is None else redact(failed.sensitive, text)

    def verify(edits: Sequence[FileEdit]) -> Verdict:
        on_verify()
        with scratch() as tree:
            return verify_fix(
                loop, tree, project, dirs, edits, baseline,
                head=checkout.reader, base=checkout.base_reader, plan_check=plan_check,
            )  # fmt: skip

    return FixRequest(
        evidence, failure.code, shown, checkout.reader.read_text, verify, tries=tries,
        what_to_check=failure.what_to_check, run_tools=tool_runner(checkout.reader),
        redact=lambda text: redact(failed.sensitive, text),
    )  # fmt: skip


def diagnose_failure(
    loop: Loop,
    model: LanguageModel,
    limits: ModelLimits,
    checkout: Checkout,
    project: Project,
    modules: Sequence[str],
    failed: Reproduced,
    *,
    diff: str,
    baseline: frozenset[FindingKey],
    scratch: Scratch,
    tries: int,
    on_verify: Callable[[], None] = lambda: None,
) -> tuple[FailureClass, FixOutcome]:
    """The failure's class, and where the loop ended: a person's job for a class no code can fix (the model is not
    asked, the attempt is kept with what to check), else the model's tries, each verified."""
    failure = classify(failed.step, failed.error)
    if not failure.fixable_by_code:
        recorded = record_person_must_act(loop, checkout.change_id, project, failed.step, failure, log=failed.log)
        outcome = FixOutcome(
            "no_safe_fix", root_cause=failure.summary, what_to_check=failure.what_to_check, attempt_ids=(recorded,)
        )
        return failure, outcome
    request = fix_request(
        loop, checkout, project, modules, failed, failure,
        diff=diff, baseline=baseline, scratch=scratch, tries=tries, on_verify=on_verify,
    )  # fmt: skip
    return failure, run_fix_loop(loop.store, model, limits, request, now=loop.store.clock)

"""A failed sync's fix request: what the model reads of the application (redacted), and how a values fix is verified.

The evidence is Argo CD's words, the Application manifest, its values files and its chart's files at the merge
commit, and the merge's diff of them; every text has the render's Secret values, the values files' secret-keyed
values and anything shaped like a token hidden. A fix is verified as the application's plan verifies a pull request
(bot/services/plan_apps.py): the merged tree with the fix written over it is rendered with helm, linted, validated
against Kubernetes' schemas, scanned and judged by the kubernetes policy sets; it must pass, add no finding and no
failing policy to the merge's own, and change what Argo CD would deploy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import yaml

from bot.adapters.secret_masking import mask_secret_text, mask_secrets
from bot.changes.fixes.app_patch_rules import app_patch_problems
from bot.changes.fixes.patch_rules import FileEdit
from bot.domain.app_changes import AppChange, AppStatus
from bot.domain.app_layout import AppRef
from bot.domain.app_plans import AppPlan
from bot.domain.app_sources import AppSource
from bot.domain.app_sync import SyncOutcome
from bot.domain.fixes.evidence import FailureEvidence
from bot.domain.manifests import ManifestDiff, RenderProblem
from bot.domain.policies.results import SetOutcome
from bot.domain.sensitive import NO_SECRETS, SensitiveValues
from bot.ports import RepoReader
from bot.services.app_policies import judge_apps
from bot.services.context import AppCheckers, Loop
from bot.services.fix_loop import FixRequest
from bot.services.fix_triggers import SYNC_CHECK, sync_evidence
from bot.services.fix_verify import FindingKey, Verdict, finding_keys
from bot.services.plan_apps import plan_applications

_STEPS: Final = "helm render, lint, kubernetes-validate"
_MASK: Final = "***"


@dataclass(frozen=True)
class SyncFixSite:
    """The failed application at the merge commit: where it lives, its Application, what it renders from."""

    ref: AppRef
    application_path: str
    manifest: Mapping[str, Any]
    source: AppSource
    tree: RepoReader  # the merged tree


def sync_fix_request(
    loop: Loop,
    checkers: AppCheckers,
    site: SyncFixSite,
    outcome: SyncOutcome,
    change_id: str,
    patches: Mapping[str, str],
    *,
    tries: int,
) -> FixRequest:
    """The loop's request for one failed sync: the model reads the redacted files, a fix edits the real ones."""
    tree, source = site.tree, site.source
    baseline = _plan(checkers, site, tree, ())
    hidden = _sensitive(baseline, [tree.read_text(p) for p in (*source.values, f"{source.chart_dir}/values.yaml")])

    def shown(path: str) -> str | None:
        text = tree.read_text(path) if path in readable else None
        return None if text is None else _redact(hidden, text)

    readable = [site.application_path, *source.values, *tree.list_files(source.chart_dir + "/")]
    files = {path: text for path in readable if (text := shown(path)) is not None}
    diff = "\n".join(
        f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n{patch}"
        for path, patch in sorted(patches.items())
        if patch and path in files
    )
    evidence = FailureEvidence(
        loop.repo_id, change_id, site.ref.application, "sync", _redact(hidden, sync_evidence(outcome)),
        diff=_redact(hidden, diff), files=files,
    )  # fmt: skip
    base_keys = finding_keys(baseline.findings)
    base_policies = _failing(judge_apps(loop, tree, tree, [baseline]).outcomes)

    def verify(edits: Sequence[FileEdit]) -> Verdict:
        plan = _plan(checkers, site, _Fixed(tree, {e.path: e.after for e in edits}), tuple(e.path for e in edits))
        verdict = _judged(loop, site, plan, base_keys, base_policies)
        return Verdict(verdict.ok, verdict.step, _redact(hidden, verdict.detail), verdict.new_findings)

    return FixRequest(
        evidence, outcome.result, shown, tree.read_text, verify, tries=tries, what_to_check=SYNC_CHECK,
        patch_rules=lambda edits: app_patch_problems(edits, site.ref.application, source.values),
        readable=lambda path: path in files,
    )  # fmt: skip


def verified_by(loop: Loop, checkers: AppCheckers) -> str:
    """What a verified fix went through, naming what is not set up rather than claiming it ran."""
    unset = [name for name, missing in (("scanner", not checkers.scanners), ("policy engine", not loop.policies))
             if missing]  # fmt: skip
    ran = [_STEPS, *(["scanners"] * bool(checkers.scanners)), *(["policies"] * bool(loop.policies))]
    said = f"verified: {', '.join(ran)}"
    return said + (f" (no {' and no '.join(unset)} is set up)" if unset else "")


def _plan(checkers: AppCheckers, site: SyncFixSite, head: RepoReader, because: tuple[str, ...]) -> AppPlan:
    """The application's plan from the merged tree to `head` (the same tree for the merge's own baseline)."""
    change = AppChange(site.ref, AppStatus.CHANGED, because, site.manifest, site.manifest)
    [plan] = plan_applications(checkers, [change], site.tree, head)
    return plan


def _judged(
    loop: Loop, site: SyncFixSite, plan: AppPlan, base_keys: frozenset[FindingKey], base_policies: frozenset[str]
) -> Verdict:
    """The fix's plan as a verdict: its render, lint, schemas, scanners and policies, each against the merge's."""
    if plan.error or isinstance(plan.diff, RenderProblem) or plan.diff is None:
        said = plan.error or (plan.diff.message if isinstance(plan.diff, RenderProblem) else "nothing rendered")
        return Verdict(False, "render", f"the chart does not render with the fix: {said}")
    if plan.lint is not None and not plan.lint.passed:
        said = "; ".join(f"{m.path}: {m.message}" for m in plan.lint.messages[:3]) or "helm lint --strict failed"
        return Verdict(False, "lint", said)
    for step, check in (("kubernetes-validate", plan.kubernetes), ("crd-validate", plan.crds)):
        if check is not None and check.problems:
            said = "; ".join(f"{p.object} {p.path}: {p.message}" for p in check.problems[:3])
            return Verdict(False, step, f"{len(check.problems)} schema error(s): {said}")
    if plan.scan_errors:
        return Verdict(False, "scanners", "; ".join(plan.scan_errors))
    added = tuple(sorted(finding_keys(plan.findings) - base_keys))
    if added or plan.failures:
        shown = ", ".join(f"{rule} on {resource or file}" for rule, resource, file in added[:10])
        return Verdict(False, "scanners", f"the fix adds {len(added)} finding(s): {shown or '; '.join(plan.failures)}")
    failing = _failing(judge_apps(loop, site.tree, site.tree, [plan]).outcomes) - base_policies
    if failing:
        return Verdict(False, "policies", "the fix breaks a blocking policy: " + "; ".join(sorted(failing)))
    if not plan.diff.changes:
        return Verdict(False, "render", "the fix changes nothing Argo CD would deploy: the render is the merge's")
    counts = ", ".join(f"{k.kind} {k.added + k.changed + k.removed}" for k in plan.diff.by_kind())
    return Verdict(True, "", f"render: {len(plan.diff.changes)} object(s) changed ({counts}); {len(plan.findings)} "
                   f"finding(s), none new")  # fmt: skip


def _failing(outcomes: Sequence[SetOutcome]) -> frozenset[str]:
    """The blocking policy failures, as words that compare across two renders."""
    found = set()
    for outcome in outcomes:
        if outcome.blocking and outcome.failed:
            found |= {f"{outcome.policy_set}: {outcome.error}"} if outcome.error else set()
            found |= {f"{outcome.policy_set}: {v.message}" for v in outcome.failures}
    return frozenset(found)


@dataclass(frozen=True)
class _Fixed:
    """The merged tree with a fix's files written over it (None: deleted): the head the fix's plan renders."""

    tree: RepoReader
    edits: Mapping[str, str | None]

    def list_files(self, prefix: str = "") -> list[str]:
        paths = set(self.tree.list_files(prefix)) | {p for p in self.edits if p.startswith(prefix)}
        return sorted(p for p in paths if self.edits.get(p, "") is not None)

    def read_text(self, path: str) -> str | None:
        return self.edits[path] if path in self.edits else self.tree.read_text(path)


def _sensitive(baseline: AppPlan, values: Sequence[str | None]) -> SensitiveValues:
    """The render's Secret values, and every value under a secret-looking key of the values files."""
    found = baseline.diff.sensitive if isinstance(baseline.diff, ManifestDiff) else NO_SECRETS
    secrets: list[object] = []
    for text in values:
        try:
            loaded = yaml.safe_load(text or "")
        except yaml.YAMLError:
            continue
        _masked_away(loaded, mask_secrets(loaded), secrets)
    return found | SensitiveValues.of(secrets)


def _masked_away(value: object, masked: object, found: list[object]) -> None:
    """The values mask_secrets hid (a secret-looking key's), collected from `value` beside its masked copy."""
    if isinstance(value, Mapping) and isinstance(masked, Mapping):
        for key, item in value.items():
            hidden = masked.get(str(key))
            if hidden == _MASK and item != _MASK:
                found.append(item)
            else:
                _masked_away(item, hidden, found)
    elif isinstance(value, list) and isinstance(masked, list):
        for item, hidden in zip(value, masked, strict=False):
            _masked_away(item, hidden, found)


def _redact(sensitive: SensitiveValues, text: str) -> str:
    return mask_secret_text(sensitive.redact(text))

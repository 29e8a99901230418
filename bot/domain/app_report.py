"""The application sections of the plan comment, and each application's check run, as markdown with no secret."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from bot.domain.app_changes import AppStatus
from bot.domain.app_plans import FAILING_SEVERITIES, AppPlan, SchemaCheck
from bot.domain.manifests import ManifestDiff, RenderProblem, Status, manifest_diff_lines
from bot.domain.markdown import code, escape_text, fence, link
from bot.domain.models import Severity

__all__ = ["APP_CHECK_PREFIX", "AppCheck", "app_check", "app_section_lines", "applications_lines"]

# Beside Terraform's `olympus/plan: <project>`: one check run per Argo CD Application, by its name.
APP_CHECK_PREFIX: Final = "olympus/app: "
MAX_PROBLEMS_LISTED: Final = 50  # schema errors, lint messages, findings: per application
MAX_ERROR_CHARS: Final = 4_000
MAX_CHECK_TEXT: Final = 60_000  # GitHub refuses a check run's text over 65,535 characters

_STATUS_WORD: Final = {AppStatus.ADDED: "new", AppStatus.CHANGED: "changed", AppStatus.REMOVED: "removed"}


@dataclass(frozen=True)
class AppCheck:
    """One application's check run: its conclusion, a plain-text title, and markdown summary and text."""

    name: str
    conclusion: str  # "success" | "failure"
    title: str
    summary: str
    text: str


def applications_lines(plans: Sequence[AppPlan], unreadable: Sequence[tuple[str, str]] = ()) -> list[str]:
    """Every application's section: a table of them first (removed ones at its top), then one section each."""
    if not plans and not unreadable:
        return []
    lines = ["## Applications", ""]
    if unreadable:
        lines += ["#### ❌ Applications that cannot be read", ""]
        lines += [f"- {code(path)}: {escape_text(why)}" for path, why in unreadable] + [""]
    if plans:
        lines += [
            "| Application | Env | Add | Change | Remove | Result |",
            "| :-- | :-- | --: | --: | --: | :-- |",
        ]
        lines += [_row(plan) for plan in plans] + [""]
    for plan in plans:
        lines += app_section_lines(plan) + [""]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def app_section_lines(plan: AppPlan) -> list[str]:
    """One application's section: what it renders, its manifest diff, its lint, schema and scanner results."""
    hide = _hider(plan)
    ref, status = plan.change.ref, plan.change.status
    lines = [f"### 🚢 {code(ref.application)} ({escape_text(_STATUS_WORD[status])}, env {code(ref.env)})", ""]
    lines += [_about(plan), ""]
    if plan.base_error:
        lines += ["⚠️ The base could not be rendered, so every object at the head is shown as added:", ""]
        lines += fence(hide(plan.base_error), limit=MAX_ERROR_CHARS) + [""]
    if plan.error:
        lines += ["#### ❌ The chart did not render", ""]
        lines += fence(hide(plan.error), limit=MAX_ERROR_CHARS) + [""]
    if plan.diff is not None:
        lines += [*manifest_diff_lines(plan.diff), ""]
    if not plan.removed and not plan.error and not isinstance(plan.diff, RenderProblem):
        lines += _checks_lines(plan, hide)
    while lines and not lines[-1]:
        lines.pop()
    return [hide(line) for line in lines]


def app_check(plan: AppPlan) -> AppCheck:
    """The application's check run: failing on a render, lint or schema error, or a high or critical finding."""
    failures = plan.failures
    if plan.error:
        title = "The chart did not render"
    elif isinstance(plan.diff, ManifestDiff):
        title = _counts(plan.diff)
    else:
        title = "The render could not be read"
    summary = f"{escape_text(title)}."
    if failures:
        summary += " Fails: " + "; ".join(escape_text(reason) for reason in failures) + "."
    elif plan.removed:
        summary += " The application is removed: nothing at the head to lint, validate or scan."
    text = "\n".join(app_section_lines(plan))
    if len(text) > MAX_CHECK_TEXT:
        text = text[:MAX_CHECK_TEXT].rsplit("\n", 1)[0] + "\n\n_Cut to GitHub's limit: the plan comment has it all._"
    return AppCheck(plan.name, "failure" if failures else "success", title, summary, text)


def _hider(plan: AppPlan) -> Callable[[str], str]:
    return plan.diff.sensitive.redact if isinstance(plan.diff, ManifestDiff) else (lambda text: text)


def _row(plan: AppPlan) -> str:
    ref = plan.change.ref
    name, env = code(ref.application, in_table=True), code(ref.env, in_table=True)
    if isinstance(plan.diff, ManifestDiff):
        diff = plan.diff
        counts = " | ".join(f"{len(diff.of_status(s)):,}" for s in (Status.ADDED, Status.CHANGED, Status.REMOVED))
    else:
        counts = "– | – | –"
    return f"| {name} | {env} | {counts} | {_result(plan)} |"


def _result(plan: AppPlan) -> str:
    if plan.error:
        return "❌ render failed"
    if plan.failures:
        return "❌ " + escape_text(plan.failures[0])
    if plan.removed:
        return "🗑️ removed"
    if isinstance(plan.diff, ManifestDiff) and plan.diff.of_status(Status.REMOVED):
        return "⚠️ removes objects"
    if isinstance(plan.diff, ManifestDiff) and not plan.diff.changes:
        return "➖ no changes"
    return "✅ checks passed"


def _about(plan: AppPlan) -> str:
    source = plan.change.head_source or plan.change.base_source
    because = ", ".join(code(path) for path in plan.change.because[:5])
    more = len(plan.change.because) - 5
    if more > 0:
        because += f" and {more:,} more"
    if source is None or not source.chart:
        return f"Changed by {because}."
    values = ", ".join(code(path) for path in source.values) or "the chart's own values only"
    return (
        f"Chart {code(source.chart_dir)} as release {code(source.release)} in namespace {code(source.namespace)}, "
        f"values {values}; changed by {because}."
    )


def _checks_lines(plan: AppPlan, hide: Callable[[str], str]) -> list[str]:
    lines = ["#### Checks", ""]
    lint = plan.lint
    if lint is not None:
        verdict = "✅ passed" if lint.passed else "❌ failed"
        tally = f"{len(lint.errors):,} errors, {len(lint.warnings):,} warnings"
        lines.append(f"- `helm lint --strict`: {verdict} ({tally})")
        for message in [*lint.errors, *lint.warnings][:MAX_PROBLEMS_LISTED]:
            where = f"{code(message.path)}: " if message.path else ""
            lines.append(f"  - {escape_text(message.severity)} {where}{escape_text(message.message, limit=500)}")
    if plan.kubernetes is not None:
        lines += _schema_lines(f"Kubernetes {plan.kube_version} schemas", plan.kubernetes, plan.crds)
    if plan.crds is not None:
        lines += _schema_lines("Argo CD and other CRD schemas", plan.crds, None)
    lines += [""] + _findings_lines(plan)
    return lines


def _schema_lines(label: str, check: SchemaCheck, covered_by: SchemaCheck | None) -> list[str]:
    if check.off:
        return [f"- {label}: ⚠️ **not checked**: {escape_text(check.off, limit=500)}"]
    verdict = f"❌ {len(check.problems):,} error(s)" if check.problems else "✅ valid"
    lines = [f"- {label}: {verdict} ({check.checked:,} objects checked)"]
    for problem in check.problems[:MAX_PROBLEMS_LISTED]:
        lines.append(f"  - {code(problem.object)} at {code(problem.path)}: {escape_text(problem.message, limit=300)}")
    if len(check.problems) > MAX_PROBLEMS_LISTED:
        lines.append(f"  - … and {len(check.problems) - MAX_PROBLEMS_LISTED:,} more")
    # Kinds this validator has no schema for: handed to the CRD validator when there is one, else named here.
    unchecked = check.unchecked if covered_by is None or covered_by.off else ()
    if unchecked:
        kinds = ", ".join(code(kind) for kind in unchecked[:20])
        lines.append(f"  - ⚠️ no schema for {kinds}: not checked")
    return lines


def _findings_lines(plan: AppPlan) -> list[str]:
    lines: list[str] = []
    if plan.scan_errors:
        lines += ["**⚠️ A scanner failed, so this render is not fully scanned:**", ""]
        lines += fence("\n".join(plan.scan_errors), limit=MAX_ERROR_CHARS) + [""]
    if not plan.findings:
        if plan.scanners:
            names = " and ".join(escape_text(name) for name in plan.scanners)
            lines.append(f"🔎 {names} found nothing to report in the rendered manifests.")
        elif not plan.scan_errors:
            lines.append("⚠️ **Not scanned**: no scanner is turned on (`OLYMPUS_SCANNERS`).")
        return lines
    severe = sum(1 for f in plan.findings if f.severity in FAILING_SEVERITIES)
    lines += [
        f"<details><summary>🔎 Scanner findings on the rendered manifests: {len(plan.findings):,} "
        f"({severe:,} high or critical)</summary>",
        "",
        "| Severity | Rule | Object | Template | Link |",
        "| :-- | :-- | :-- | :-- | :-- |",
    ]
    for finding in plan.findings[:MAX_PROBLEMS_LISTED]:
        rule = f"{code(finding.rule_id, in_table=True)} {escape_text(finding.title, limit=200)}"
        where = code(finding.file, in_table=True)
        lines.append(
            f"| {_severity(finding.severity)} | {rule} | {code(finding.resource, in_table=True)} | {where} | "
            f"{link(finding.link, 'docs')} |"
        )
    if len(plan.findings) > MAX_PROBLEMS_LISTED:
        lines += ["", f"… and {len(plan.findings) - MAX_PROBLEMS_LISTED:,} more findings."]
    return lines + ["", "</details>"]


def _severity(severity: Severity) -> str:
    return severity.value if severity not in FAILING_SEVERITIES else f"**{severity.value}**"


def _counts(diff: ManifestDiff) -> str:
    added, changed, removed = (len(diff.of_status(s)) for s in (Status.ADDED, Status.CHANGED, Status.REMOVED))
    return f"{added:,} to add, {changed:,} to change, {removed:,} to remove"

"""The scanners' findings and the checks skipped inline, as the plan comment's tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from bot.domain.findings import SkippedCheck
from bot.domain.markdown import code, escape_text, link
from bot.domain.models import Finding, Severity

MAX_FINDINGS_LISTED: Final = 200

_SEVERITY_ICON: Final = {
    Severity.CRITICAL: "🟥",
    Severity.HIGH: "🟧",
    Severity.MEDIUM: "🟨",
    Severity.LOW: "🟦",
    Severity.INFO: "⬜",
}


def findings_section(findings: Sequence[Finding], scanners: Sequence[str], *, unscanned: bool) -> list[str]:
    """The findings table, most severe first; or that scanners found nothing, or that nothing scanned."""
    findings = sorted(findings, key=lambda f: (-f.severity.rank, f.file, f.line, f.rule_id))
    if unscanned and not findings:
        return [
            "#### ⚠️ Not scanned",
            "",
            "**No scanner checked this change**: scanning is turned off on this Olympus (`OLYMPUS_SCANNERS=none`), "
            "so nothing here was checked by Checkov or Trivy.",
            "",
        ]
    if not findings:
        if scanners:
            names = " and ".join(escape_text(s) for s in scanners)
            return ["#### 🔎 Scanner findings", "", f"{names} found nothing to report.", ""]
        return []
    tally = ", ".join(
        f"{sum(1 for f in findings if f.severity is s):,} {s.value.lower()}"
        for s in sorted(Severity, key=lambda s: -s.rank)
        if any(f.severity is s for f in findings)
    )
    lines = [
        f"#### 🔎 Scanner findings: {tally}",
        "",
        "| Severity | Rule | Resource | Location | Link |",
        "| :-- | :-- | :-- | :-- | :-- |",
    ]
    for finding in findings[:MAX_FINDINGS_LISTED]:
        lines.append(_finding_row(finding))
    if len(findings) > MAX_FINDINGS_LISTED:
        lines += ["", f"… and {len(findings) - MAX_FINDINGS_LISTED:,} more findings in the scanner reports."]
    return lines + [""]


def skipped_section(skipped: Sequence[SkippedCheck]) -> list[str]:
    """The checks silenced inline, with their reasons, folded."""
    if not skipped:
        return []
    skipped = sorted(skipped, key=lambda s: (s.file, s.line, s.rule_id))
    lines = [
        f"<details><summary>🙈 {len(skipped):,} checks skipped inline</summary>",
        "",
        "| Rule | Tool | Resource | Location | Reason |",
        "| :-- | :-- | :-- | :-- | :-- |",
    ]
    for skip in skipped[:MAX_FINDINGS_LISTED]:
        rule = code(skip.rule_id, in_table=True)
        if skip.aliases:
            rule += " (also " + ", ".join(code(a, in_table=True) for a in skip.aliases[:3]) + ")"
        where = code(f"{skip.file}:{skip.line}", in_table=True)
        resource = code(skip.resource, in_table=True) if skip.resource else ""
        reason = escape_text(skip.reason, limit=300) if skip.reason else "⚠️ no reason given"
        lines.append(f"| {rule} | {escape_text(skip.tool)} | {resource} | {where} | {reason} |")
    if len(skipped) > MAX_FINDINGS_LISTED:
        lines += ["", f"… and {len(skipped) - MAX_FINDINGS_LISTED:,} more."]
    return lines + ["", "</details>", ""]


def _finding_row(finding: Finding) -> str:
    rule = f"{code(finding.rule_id, in_table=True)} {escape_text(finding.title, limit=200)}"
    if finding.aliases:
        rule += " (also " + ", ".join(code(a, in_table=True) for a in finding.aliases[:3]) + ")"
    location = code(f"{finding.file}:{finding.line}" if finding.line else finding.file, in_table=True)
    resource = code(finding.resource, in_table=True) if finding.resource else ""
    severity = f"{_SEVERITY_ICON.get(finding.severity, '')} {finding.severity.value}"
    return f"| {severity} | {rule} | {resource} | {location} | {link(finding.link, 'docs')} |"

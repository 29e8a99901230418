"""The Action's drift job summary: a row per project with its status and its issue, then what no plan sees."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.domain.drift.checks import first_error_line
from bot.domain.drift.export import UNSEEN
from bot.domain.drift.report import DriftReport, DriftStatus
from bot.domain.markdown import code, escape_text


def drift_summary(
    branch: str,
    commit: str,
    reports: Sequence[DriftReport],
    issues: Mapping[str, tuple[str, int | None]],
    *,
    issues_url: str,
    run_url: str,
) -> str:
    """Markdown for $GITHUB_STEP_SUMMARY; `issues` maps a project to what happened to its issue and its number."""
    drifted = sum(1 for r in reports if r.status is DriftStatus.DRIFTED)
    lines = [
        f"### Drift of {code(branch)} at `{commit[:12]}`",
        "",
        f"{len(reports)} project(s) checked, {drifted} drifted.",
    ]
    if reports:
        lines += ["", "| project | directory | status | issue |", "|---|---|---|---|"]
    for report in reports:
        action, number = issues.get(report.project.name, ("none", None))
        issue = "—" if number is None else f"[#{number}]({issues_url}/{number})"
        if number is not None and action != "none":
            issue += f" {action}"  # opened, updated, unchanged or closed by this run
        project = report.project
        where = project.dir if project.workspace == "default" else f"{project.dir} · {project.workspace}"
        name, where = code(project.name, in_table=True), code(where, in_table=True)
        lines.append(f"| {name} | {where} | {_status(report)} | {issue} |")
    lines += ["", f"_Note: {escape_text(UNSEEN)}._ [Run]({run_url})"]
    return "\n".join(lines) + "\n"


def _status(report: DriftReport) -> str:
    if report.status is DriftStatus.DRIFTED:
        return f"🔀 drifted: {report.counts()} outside Terraform (way out proposed: {report.way_out.value})"
    if report.status is DriftStatus.LOCKED:
        return f"🔒 locked by {escape_text(report.locked_by, limit=120)}: not checked"
    if report.status is DriftStatus.ERROR:
        return f"❌ error: {escape_text(first_error_line(report.error) or 'unknown', limit=200)}"
    if report.status is DriftStatus.UNAPPLIED:
        return "⚠️ unapplied: no drift, but the code asks for changes (merged and never applied?)"
    return "✅ clean"

"""The plan comment for a person at a terminal: tables and colour, destroys in red, from the same report."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from bot.domain.models import Severity
from bot.domain.plans import ResourceChange
from bot.entrypoints.terminal import safe
from bot.services.plan_change import PlanReport, ProjectPlan

_ACTION_STYLE = {
    "create": ("+", "green"),
    "update": ("~", "yellow"),
    "delete": ("-", "bold red"),
    "replace": ("-/+", "bold red"),
    "no-op": ("=", "cyan"),
    "import": ("←", "cyan"),
    "move": ("→", "cyan"),
    "forget": ("×", "magenta"),
}
_SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "blue",
    Severity.INFO: "dim",
}
MAX_RESOURCES_SHOWN = 40
MAX_FINDINGS_SHOWN = 30


def plan_renderable(report: PlanReport, next_steps: Sequence[str]) -> RenderableType:
    """Everything the markdown comment says, laid out for a terminal."""
    parts: list[RenderableType] = [Rule(safe(f"Olympus plan · {report.branch} · {report.head[:12]}"), align="left")]
    parts.append(_projects_table(report.projects))
    destructive = [
        (planned, change)
        for planned in report.projects
        if planned.summary is not None
        for change in (*planned.summary.destroys, *planned.summary.replacements)
    ]
    if destructive:
        lines = Text()
        for planned, change in destructive:
            lines.append_text(_change_line(change, planned.project.name))
            lines.append("\n")
        parts.append(Panel(lines, title="destroys and replacements", border_style="red", title_align="left"))
    for planned in report.projects:
        parts += _project_details(planned)
    parts.append(_findings(report))
    if next_steps:
        steps = Text("next: ", style="bold")
        steps.append_text(safe("  ·  ".join(next_steps)))
        parts.append(steps)
    return Group(*parts)


def _projects_table(projects: Sequence[ProjectPlan]) -> Table:
    table = Table(show_edge=False, header_style="bold")
    for column in ("project", "workspace"):
        table.add_column(column)
    for column, style in (("add", "green"), ("change", "yellow"), ("destroy", "red"), ("replace", "red")):
        table.add_column(column, justify="right", style=style)
    table.add_column("result")
    for planned in projects:
        counts = planned.summary.counts if planned.summary is not None else None
        numbers = [str(getattr(counts, name)) if counts else "–" for name in ("add", "change", "destroy", "replace")]
        table.add_row(safe(planned.project.name), safe(planned.project.workspace), *numbers, _result(planned))
    return table


def _result(planned: ProjectPlan) -> Text:
    if planned.locked_by:
        return Text("🔒 locked by ", style="yellow").append_text(safe(planned.locked_by))
    if planned.summary is None or planned.error:
        return Text("✗ failed", style="bold red")
    if planned.summary.errored:
        return Text("✗ plan errored", style="bold red")
    counts = planned.summary.counts
    if counts.destroy or counts.replace:
        return Text("⚠ destroys", style="bold red")
    if counts.add or counts.change or counts.imports or counts.moves or counts.forget:
        return Text("✓ changes", style="green")
    return Text("✓ no changes", style="dim")


def _change_line(change: ResourceChange, project: str = "") -> Text:
    kind = "replace" if change.action == "replace" else change.action
    symbol, style = _ACTION_STYLE.get(kind, ("?", ""))
    line = Text(f"{symbol:>3} ", style=style)
    line.append_text(safe(change.address))
    line.stylize(style, 0, len(line))
    if project:
        line.append(f"  ({project})", style="dim")
    return line


def _project_details(planned: ProjectPlan) -> list[RenderableType]:
    if planned.error:
        return [Panel(safe(planned.error), title=f"{planned.project.name}: error", border_style="red")]
    summary = planned.summary
    if summary is None or not summary.changes:
        return []
    lines = Text()
    for change in summary.changes[:MAX_RESOURCES_SHOWN]:
        lines.append_text(_change_line(change))
        lines.append("\n")
    if len(summary.changes) > MAX_RESOURCES_SHOWN:
        lines.append(f"… and {len(summary.changes) - MAX_RESOURCES_SHOWN} more (see the comment file)\n", style="dim")
    return [Panel(lines, title=safe(f"{planned.project.name}: changes"), title_align="left", border_style="dim")]


def _findings(report: PlanReport) -> RenderableType:
    findings = report.scan.findings
    scanners = ", ".join(report.scanners) or "no scanner"
    if not findings:
        skipped = f"; {len(report.scan.skipped)} check(s) skipped inline" if report.scan.skipped else ""
        return Text(f"✓ no findings ({scanners}){skipped}", style="green")
    table = Table(title=f"findings ({scanners})", title_justify="left", show_edge=False, header_style="bold")
    for column in ("severity", "rule", "resource", "where"):
        table.add_column(column)
    for finding in findings[:MAX_FINDINGS_SHOWN]:
        table.add_row(
            Text(finding.severity.value, style=_SEVERITY_STYLE.get(finding.severity, "")),
            safe(f"{finding.rule_id} {finding.title}"),
            safe(finding.resource),
            safe(f"{finding.file}:{finding.line}"),
        )
    return table

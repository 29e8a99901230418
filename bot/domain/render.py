"""A plan run's pull-request comment, split to GitHub's size limit; the `olympus summarize` markdown."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote, unquote

from bot.domain.findings import SkippedCheck
from bot.domain.markdown import code, escape_html, escape_text, fence, split_lines
from bot.domain.models import Finding, Project
from bot.domain.plans import PlanCounts, PlanSummary, ResourceChange
from bot.domain.render_changes import attribute_lines, change_lines, why
from bot.domain.render_findings import findings_section, skipped_section
from bot.domain.sensitive import NO_SECRETS, SensitiveValues

# GitHub refuses a comment body over 65,536 characters. Parts stop well short of it: the limit is counted by
# GitHub's own rules (not always Python's len()), and an edit may add a line.
GITHUB_COMMENT_LIMIT: Final = 65_536
MAX_PART_CHARS: Final = 64_000

# What one comment lists at most; the counts in the table are always complete.
MAX_DESTRUCTIVE_LISTED: Final = 50  # above the fold, all projects together
MAX_DRIFT_LISTED: Final = 30
MAX_RESOURCES_LISTED: Final = 500  # per project, in its <details>
MAX_DETAILS_CHARS: Final = 100_000  # per project: about two comment parts
MAX_ERROR_CHARS: Final = 4_000

_MARKER: Final = re.compile(r"<!-- olympus:comment key=(\S+) part=(\d+)/(\d+) -->")
_KEY_SAFE: Final = "-._~:/@+=,#"


# owner/repo#N with GitHub's own character sets: safe to leave unescaped, and GitHub turns it into a link.
_PULL_REQUEST_ID: Final = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}#[0-9]{1,10}")


@dataclass(frozen=True)
class ProjectReport:
    """One project of a run: its plan summary, or the error that stopped it (or both, for an errored plan)."""

    name: str
    dir: str
    workspace: str = "default"
    summary: PlanSummary | None = None
    error: str = ""  # untrusted: Terraform's stderr, ...
    locked_by: str = ""  # the change holding this project's lock ("owner/repo#12" or a local branch)
    # The blocking policy sets that hold this project's apply: until they pass or are approved, it is not ready.
    held_by_policies: tuple[str, ...] = ()

    @classmethod
    def of(cls, project: Project, summary: PlanSummary | None = None, error: str = "") -> ProjectReport:
        return cls(project.name, project.dir, project.workspace, summary, error)


@dataclass(frozen=True)
class CommentReport:
    """Everything one run's comment shows."""

    key: str  # the run or change id; the marker carries it so the bot edits its comment instead of adding one
    head_sha: str
    projects: Sequence[ProjectReport] = ()
    findings: Sequence[Finding] = ()
    next_commands: Sequence[str] = ()  # e.g. "/infra apply -p app"
    scanners: Sequence[str] = ()  # names of the scanners that ran, so "no findings" means something
    # Scanning was turned off (OLYMPUS_SCANNERS=none): the comment says so where the findings would be.
    unscanned: bool = False
    skipped: Sequence[SkippedCheck] = ()  # checks silenced inline, shown with their reasons so reviewers see them
    title: str = "Olympus plan"
    # The run's secrets (its plans' and its projects' sensitive variables): no line of the comment shows one.
    sensitive: SensitiveValues = NO_SECRETS
    # Markdown lines of sections other plan steps wrote (the applications', bot/domain/app_report.py), shown after
    # the Terraform projects' and before the next steps; with them and no project, no "no Terraform project" line.
    sections: Sequence[str] = ()
    # The policies' section (bot/domain/policies/render.py), shown right after the projects' table.
    policies: Sequence[str] = ()


def render_comment(report: CommentReport, *, limit: int = MAX_PART_CHARS) -> list[str]:
    """The comment as parts of at most limit characters, each starting with its hidden marker."""
    lines = _comment_lines(report)
    if report.sensitive:
        # Line by line, before the split: a part's size is counted on what it will say. The summaries are already
        # redacted; this catches a secret in an error, a finding or a name.
        lines = list(map(report.sensitive.redact, lines))
    headers = [_part_header(report, n, n) for n in (1, 9_999)]
    parts = split_lines(lines, limit - max(len(h) for h in headers) - 1)
    total = len(parts)
    return [_part_header(report, i, total) + "\n" + "\n".join(part) for i, part in enumerate(parts, 1)]


def render_reply(key: str, text: str, *, limit: int = MAX_PART_CHARS) -> list[str]:
    """A reply as comment parts under `key`'s hidden marker, so a retry finds it and edits it instead of adding one."""
    headers = [marker(key, n, n) for n in (1, 9_999)]
    parts = split_lines(text.split("\n"), limit - max(len(h) for h in headers) - 1)
    total = len(parts)
    return [marker(key, i, total) + "\n" + "\n".join(part) for i, part in enumerate(parts, 1)]


def marker(key: str, part: int, total: int) -> str:
    """The hidden first line of each part: `<!-- olympus:comment key=KEY part=1/2 -->`."""
    return f"<!-- olympus:comment key={quote(key, safe=_KEY_SAFE)} part={part}/{total} -->"


def marker_of(text: str) -> tuple[str, int] | None:
    """(key, part) of a comment this module rendered, from the marker at its very start; None otherwise."""
    found = _MARKER.match(text.lstrip("\ufeff"))
    if found is None:
        return None
    return unquote(found.group(1)), int(found.group(2))


def render_summary_markdown(summary: PlanSummary, sensitive: SensitiveValues = NO_SECRETS) -> str:
    """One plan as markdown, nothing left out (for `olympus summarize PLAN` and the job summary), with no secret."""
    lines = [f"### {plan_line(summary.counts)}", ""]
    extra = _extra_counts(summary.counts)
    if extra:
        lines += [extra, ""]
    if summary.errored:
        lines += [f"❌ {_ERRORED}", ""]
    destructive = [*summary.destroys, *summary.replacements]
    if destructive:
        lines += ["#### ⚠️ Destroys and replacements", ""]
        lines += [_destructive_item(r) for r in destructive] + [""]
    if summary.failed_checks:
        lines += ["#### ❗ Failed checks", "", *_failed_check_lines(summary)]
    if summary.drift:
        lines += ["#### 🔀 Changed outside Terraform (drift)", ""]
        lines += [item for r in summary.drift for item in _drift_lines(r)] + [""]
    lines += change_lines(summary, max_resources=None, max_chars=None)
    return sensitive.redact("\n".join(lines).rstrip() + "\n")


def counts_json(summary: PlanSummary) -> dict[str, int]:
    """Exactly add, change, destroy, replace, import, move, forget (for `olympus summarize --json`)."""
    return summary.counts.as_dict()


def _counts_text(counts: PlanCounts) -> str:
    imports = f"{counts.imports:,} to import, " if counts.imports else ""
    return f"{imports}{counts.add:,} to add, {counts.change:,} to change, {counts.destroy:,} to destroy"


def plan_line(counts: PlanCounts) -> str:
    """Terraform's own summary sentence for these counts."""
    if not counts.any:
        return "No changes."
    imports = f"{counts.imports} to import, " if counts.imports else ""
    forget = f", {counts.forget} to forget" if counts.forget else ""
    return f"Plan: {imports}{counts.add} to add, {counts.change} to change, {counts.destroy} to destroy{forget}."


# --- the comment ----------------------------------------------------------------------------------

_ERRORED: Final = (
    "Terraform reported an error while planning (`errored: true`): this plan is incomplete and cannot be "
    "applied. Fix the error in the plan log and push again."
)


def _part_header(report: CommentReport, part: int, total: int) -> str:
    head = marker(report.key, part, total)
    if part == 1:
        return head
    title = f"{escape_text(report.title)} for {code(report.head_sha[:12])}"
    return f"{head}\n_{title}, continued (part {part} of {total})_\n"


def _comment_lines(report: CommentReport) -> list[str]:
    lines = [f"### {escape_text(report.title)} for {code(report.head_sha[:12])}", ""]
    projects = list(report.projects)
    if projects:
        lines += _table(projects) + [""]
    elif not report.sections:
        lines += ["No Terraform project is affected by this change.", ""]
    if report.policies:
        lines += [*report.policies, ""]
    lines += _destructive_section(projects)
    lines += _error_section(projects)
    lines += _drift_section(projects)
    for project in projects:
        lines += _details(project)
    lines += findings_section(report.findings, report.scanners, unscanned=report.unscanned)
    lines += skipped_section(report.skipped)
    if report.sections:
        lines += [*report.sections, ""]
    if report.next_commands:
        lines += ["#### Next steps", ""]
        lines += [f"- {code(command)}" for command in report.next_commands] + [""]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _table(projects: Sequence[ProjectReport]) -> list[str]:
    lines = [
        "| Project | Directory | Workspace | Add | Change | Destroy | Replace | Import | Move | Forget | Result |",
        "| :-- | :-- | :-- | --: | --: | --: | --: | --: | --: | --: | :-- |",
    ]
    total = dict.fromkeys(PlanCounts().as_dict(), 0)
    for project in projects:
        summary = project.summary
        name = code(project.name, in_table=True)
        where = f"{code(project.dir or '.', in_table=True)} | {code(project.workspace, in_table=True)}"
        if summary is None:
            lines.append(f"| {name} | {where} |{' – |' * 7} {_result(project)} |")
            continue
        counts = summary.counts.as_dict()
        for key, value in counts.items():
            total[key] += value
        numbers = " | ".join(_number(v) for v in counts.values())
        lines.append(f"| {name} | {where} | {numbers} | {_result(project)} |")
    if len(projects) > 1:
        numbers = " | ".join(f"**{_number(v)}**" for v in total.values())
        lines.append(f"| **Total** | | | {numbers} | |")
    return lines


def _number(value: int) -> str:
    return f"{value:,}"


def _result(project: ProjectReport) -> str:
    summary = project.summary
    if project.locked_by:
        return f"🔒 locked by {holder(project.locked_by)}"
    if summary is None:
        return "❌ failed"
    if summary.errored or project.error:
        return "❌ plan errored"
    if summary.failed_checks:
        return "❗ checks failed"
    if project.held_by_policies:
        return "⛔ held by policy"
    if summary.counts.destroy or summary.counts.replace:
        return "⚠️ destroys"
    if summary.has_changes:
        return "✅ ready to apply"
    return "➖ no changes"


def _project_label(project: ProjectReport) -> str:
    where = code(project.dir or ".")
    if project.workspace != "default":
        where += f", workspace {code(project.workspace)}"
    return f"**{escape_text(project.name)}** ({where})"


def _destructive_section(projects: Sequence[ProjectReport]) -> list[str]:
    with_destroys = [p for p in projects if p.summary and (p.summary.destroys or p.summary.replacements)]
    if not with_destroys:
        return []
    lines = ["#### ⚠️ Destroys and replacements", ""]
    budget = MAX_DESTRUCTIVE_LISTED
    left_out = 0
    for project in with_destroys:
        summary = project.summary
        assert summary is not None  # filtered above; narrows the type for mypy
        destructive = [*summary.destroys, *summary.replacements]
        tally = [
            f"{n:,} to {verb}"
            for n, verb in ((len(summary.destroys), "destroy"), (len(summary.replacements), "replace"))
            if n
        ]
        lines.append(f"{_project_label(project)}: {', '.join(tally)}")
        lines.append("")
        shown = destructive[:budget]
        budget -= len(shown)
        left_out += len(destructive) - len(shown)
        lines += [_destructive_item(r) for r in shown] + [""]
    if left_out:
        lines += [f"… and {left_out:,} more destroyed or replaced resources, listed per project below.", ""]
    return lines


def _destructive_item(resource: ResourceChange) -> str:
    if resource.action == "delete":
        text = f"- 🗑️ **destroy** {code(resource.address)}"
    else:
        if "forget" in resource.actions:
            order = " (the old object is left in place, not destroyed)"
        elif resource.actions[:1] == ("create",):
            order = " (the new one is created first)"
        else:
            order = ""
        text = f"- ♻️ **replace** {code(resource.address)}{order}"
    return text + why(resource)


def holder(change_id: str) -> str:
    """A lock holder as markdown: a pull request `owner/repo#N` stays plain so GitHub links it; the rest is escaped."""
    return change_id if _PULL_REQUEST_ID.fullmatch(change_id) else code(change_id)


def _error_section(projects: Sequence[ProjectReport]) -> list[str]:
    locked = [p for p in projects if p.locked_by]
    failing = [p for p in projects if not p.locked_by and (p.error or p.summary is None or p.summary.errored)]
    lines: list[str] = []
    if locked:
        lines += ["#### 🔒 Locked", ""]
        lines += [
            f"- {_project_label(p)} is locked by {holder(p.locked_by)} until it is merged, closed or unlocked."
            for p in locked
        ] + [""]
    if failing:
        lines += ["#### ❌ Errors", ""]
        for project in failing:
            if project.summary is not None and project.summary.errored:
                lines += [f"{_project_label(project)}: {_ERRORED}", ""]
            elif not project.error:
                lines += [f"{_project_label(project)}: no plan was produced.", ""]
            if project.error:
                if not (project.summary is not None and project.summary.errored):
                    lines += [f"{_project_label(project)}:", ""]
                lines += fence(project.error, limit=MAX_ERROR_CHARS) + [""]
    checked = [p for p in projects if p.summary is not None and p.summary.failed_checks]
    if checked:
        lines += ["#### ❗ Failed checks", ""]
        for project in checked:
            assert project.summary is not None  # filtered above; narrows the type for mypy
            lines += _failed_check_lines(project.summary, _project_label(project) + ": ")
    return lines


def _failed_check_lines(summary: PlanSummary, label: str = "") -> list[str]:
    failed = summary.failed_checks
    lines = [f"{label}{len(failed):,} check(s) failed.", ""]
    for check in failed[:MAX_DESTRUCTIVE_LISTED]:
        problems = "; ".join(escape_text(p, limit=200) for p in check.problems[:3])
        line = f"- {code(check.address or check.kind)} {escape_text(check.status)}"
        lines.append(f"{line}: {problems}" if problems else line)
    return lines + [""]


def _drift_section(projects: Sequence[ProjectReport]) -> list[str]:
    drifting = [p for p in projects if p.summary and p.summary.drift]
    if not drifting:
        return []
    lines = ["#### 🔀 Changed outside Terraform (drift)", ""]
    budget = MAX_DRIFT_LISTED
    for project in drifting:
        summary = project.summary
        assert summary is not None  # filtered above; narrows the type for mypy
        lines += [
            f"{_project_label(project)}: {len(summary.drift):,} resource(s) changed since the last apply.",
            "",
        ]
        for resource in summary.drift[:budget]:
            lines += _drift_lines(resource)
        left = len(summary.drift) - min(budget, len(summary.drift))
        budget = max(budget - len(summary.drift), 0)
        if left:
            lines.append(f"- … and {left:,} more")
        lines.append("")
    return lines


def _drift_lines(resource: ResourceChange) -> list[str]:
    verb = {"delete": "deleted", "update": "updated", "create": "created"}.get(resource.action, resource.action)
    lines = [f"- {code(resource.address)} was {escape_text(verb)} outside Terraform"]
    return lines + attribute_lines(resource)


def _details(project: ProjectReport) -> list[str]:
    summary = project.summary
    if summary is None or not (summary.changes or summary.outputs):
        return []
    where = project.dir or "."
    if project.workspace != "default":
        where += f" · {project.workspace}"
    title = f"{project.name}: {_counts_text(summary.counts)} ({where})"
    lines = [f"<details><summary>📋 {escape_html(title)}</summary>", ""]
    extra = _extra_counts(summary.counts)
    if extra:
        lines += [extra, ""]
    lines += change_lines(summary, max_resources=MAX_RESOURCES_LISTED, max_chars=MAX_DETAILS_CHARS)
    return lines + ["</details>", ""]


def _extra_counts(counts: PlanCounts) -> str:
    extra = [
        f"{n:,} {label}"
        for n, label in (
            (counts.replace, "to replace"),
            (counts.moves, "to move"),
            (counts.imports, "to import"),
            (counts.forget, "to forget"),
        )
        if n
    ]
    return f"Of which: {', '.join(extra)}." if extra else ""

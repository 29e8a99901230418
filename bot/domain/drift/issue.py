"""The drift issue's body: one per drifted project, found again by its hidden marker and edited in place."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Final
from urllib.parse import quote, unquote

from bot.domain.drift.report import OUTSIDE, DriftReport
from bot.domain.drift.way_out import WayOut
from bot.domain.markdown import code, escape_text
from bot.domain.plans import SENSITIVE, UNKNOWN, AttributeChange, ResourceChange

# GitHub refuses an issue body over 65,536 characters; the rows stop well before, the rest is counted.
MAX_BODY_CHARS: Final = 60_000
MAX_ROWS: Final = 300
_MARKER: Final = re.compile(r"<!-- olympus:drift repo=(\S+) project=(\S+) -->")
# Kept as they are in the marker; anything else is percent-encoded, so no name can close the HTML comment.
_SAFE: Final = "-._~/@+=,:"
# The drifted body's first sentence says since when: the first match, before any row a cloud value could fill.
_SEEN_SINCE: Final = re.compile(r"Seen since (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC, last checked ")
_WAYS: Final = {
    WayOut.RESTORE: "keeps the code; the apply puts reality back as the code says",
    WayOut.ADOPT: "changes the code to match reality (`import` blocks for what was created outside Terraform), "
    "in a change to review like any other",
}


def drift_marker(repo: str, project: str) -> str:
    """The hidden first line of a drift issue: `<!-- olympus:drift repo=REPO project=PROJECT -->`."""
    return f"<!-- olympus:drift repo={quote(repo, safe=_SAFE)} project={quote(project, safe=_SAFE)} -->"


def drift_marker_of(body: str) -> tuple[str, str] | None:
    """(repo, project) of an issue body this module rendered, from the marker at its very start; None otherwise."""
    found = _MARKER.match(body.lstrip("\ufeff"))
    return None if found is None else (unquote(found.group(1)), unquote(found.group(2)))


def seen_since_of(body: str) -> datetime | None:
    """When a drifted issue's body says its drift was first seen (to the minute, as shown), or None.

    A drift check with no history of its own (the Action's store lasts one job) carries `since` on from here.
    """
    found = _SEEN_SINCE.search(body)
    if found is None:
        return None
    try:
        return datetime.strptime(found.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    except ValueError:  # a human's edit: 2026-13-45 is no date
        return None


def issue_title(project: str) -> str:
    """The drift issue's title (plain text: GitHub shows titles without markdown)."""
    return f"Drift in {project}: changed outside Terraform"


def render_drift_issue(repo: str, report: DriftReport, *, since: datetime, checked_at: datetime) -> str:
    """The body of a drifted project's issue: what changed, attribute by attribute, since when, and the ways out."""
    project = report.project
    lines = [
        drift_marker(repo, project.name),
        f"### 🔀 Drift in {code(project.name)} ({code(_where(report))})",
        "",
        f"{len(report.resources):,} resource(s) changed outside Terraform: {report.counts()}. "
        f"Seen since {_time(since)}, last checked {_time(checked_at)}.",
        "",
        "| resource | attribute | in the state (last apply) | in the cloud now |",
        "|---|---|---|---|",
    ]
    rows, left = _rows(report.resources)
    lines += rows
    if left:
        lines.append(f"| … and {left:,} more rows | | | |")
    lines.append("")
    lines += ["#### Two ways out", ""]
    for way in (report.way_out, *(w for w in WayOut if w is not report.way_out)):
        proposed = " (proposed)" if way is report.way_out else ""
        lines.append(f"- {code(f'/infra fix drift {way.value}')}{proposed}: {_WAYS[way]}.")
    lines += [
        "",
        "_Olympus updates this issue at every drift check and closes it when the drift is gone. Sensitive values "
        "are never shown. A resource created outside Terraform is found only where the code declares it under the "
        "same name; others are in no state, so no plan sees them._",
    ]
    return "\n".join(lines)


def render_resolved_issue(repo: str, report: DriftReport, *, since: datetime | None, checked_at: datetime) -> str:
    """The body of a drift issue once the drift is gone: it says so, and the issue can be closed."""
    seen = f"The drift seen since {_time(since)} is gone" if since is not None else "The drift is gone"
    return "\n".join(
        [
            drift_marker(repo, report.project.name),
            f"### ✅ No more drift in {code(report.project.name)} ({code(_where(report))})",
            "",
            f"{seen}: at {_time(checked_at)} the cloud matched Terraform's state. Olympus closes this issue.",
        ]
    )


def _rows(resources: tuple[ResourceChange, ...]) -> tuple[list[str], int]:
    rows: list[str] = []
    used = 0
    total = sum(max(len(r.attributes), 1) + (1 if r.more_attributes else 0) for r in resources)
    for resource in resources:
        address = code(resource.address, in_table=True)
        if resource.action == "delete":
            cells = [f"| {address} | | exists | _deleted outside Terraform_ |"]
        elif resource.action == OUTSIDE:
            ids = " ".join(_value(a.after) for a in resource.attributes)
            cells = [f"| {address} | | _not in the state_ | _created outside Terraform_, id {ids} |"]
        else:
            cells = [f"| {address} | {_attribute(a)} |" for a in resource.attributes]
            if resource.more_attributes:
                cells.append(f"| {address} | … {resource.more_attributes:,} more attributes | | |")
            if not cells:
                cells = [f"| {address} | | | _{escape_text(resource.action)} outside Terraform_ |"]
        for cell in cells:
            if len(rows) >= MAX_ROWS or used + len(cell) > MAX_BODY_CHARS:
                return rows, total - len(rows)
            rows.append(cell)
            used += len(cell) + 1
    return rows, total - len(rows)


def _attribute(attribute: AttributeChange) -> str:
    return f"{code(attribute.name, in_table=True)} | {_value(attribute.before)} | {_value(attribute.after)}"


def _value(text: str) -> str:
    if text in (SENSITIVE, UNKNOWN):  # Olympus's own words, not a value: shown as prose
        return f"_{text}_"
    return code(text, in_table=True, limit=160)


def _where(report: DriftReport) -> str:
    project = report.project
    return project.dir if project.workspace == "default" else f"{project.dir} · {project.workspace}"


def _time(at: datetime | None) -> str:
    return "never" if at is None else f"{at:%Y-%m-%d %H:%M} UTC"

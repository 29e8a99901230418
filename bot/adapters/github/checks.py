"""Check-run output for GitHub: findings as annotations (levels from severity), in batches of GitHub's 50."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from bot.domain.invisible import show_invisible
from bot.domain.models import Finding, Severity

__all__ = ["ANNOTATIONS_PER_REQUEST", "MAX_OUTPUT_CHARS", "annotation", "batches", "output"]

# "The Checks API limits the number of annotations to a maximum of 50 per API request. To create more than 50
# annotations, you have to make multiple requests to the Update a check run endpoint."
# https://docs.github.com/en/rest/checks/runs#update-a-check-run
ANNOTATIONS_PER_REQUEST: Final = 50
# output.summary and output.text are limited to 65535 characters each.
MAX_OUTPUT_CHARS: Final = 65_535
_MAX_TITLE: Final = 255
_MAX_MESSAGE: Final = 64 * 1024 - 1

_LEVEL: Final = {
    Severity.CRITICAL: "failure",
    Severity.HIGH: "failure",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}


def annotation(finding: Finding) -> dict[str, Any]:
    """One finding as a check-run annotation at its file and line (line 1 when the scanner gave none); the scanner's
    words with their invisible characters shown as escapes, since GitHub shows them as plain text."""
    line = max(finding.line, 1)
    message = f"{finding.severity.value}: {finding.title}"
    if finding.resource:
        message += f" ({finding.resource})"
    if finding.link:
        message += f"\n{finding.link}"
    return {
        "path": finding.file,
        "start_line": line,
        "end_line": line,
        "annotation_level": _LEVEL.get(finding.severity, "notice"),
        "title": _clip(show_invisible(f"{finding.rule_id} {finding.title}"), _MAX_TITLE),
        "message": _clip(show_invisible(message), _MAX_MESSAGE),
    }


def batches(findings: Sequence[Finding]) -> list[list[dict[str, Any]]]:
    """The annotations in requests of at most 50, most severe first; one empty batch when there are none."""
    ordered = sorted(findings, key=lambda f: (-f.severity.rank, f.file, f.line, f.rule_id))
    notes = [annotation(f) for f in ordered if f.file]
    chunks = [notes[i : i + ANNOTATIONS_PER_REQUEST] for i in range(0, len(notes), ANNOTATIONS_PER_REQUEST)]
    return chunks or [[]]


def output(title: str, summary: str, text: str, annotations: list[dict[str, Any]]) -> dict[str, Any]:
    """The `output` object of a check-run request (title and summary are required by GitHub); summary and text are
    markdown the caller escaped, and nothing invisible gets through in any of the three."""
    body: dict[str, Any] = {
        "title": _clip(show_invisible(title or "Olympus"), _MAX_TITLE),
        "summary": _clip(show_invisible(summary or title or "Olympus"), MAX_OUTPUT_CHARS),
    }
    if text:
        body["text"] = _clip(show_invisible(text), MAX_OUTPUT_CHARS)
    if annotations:
        body["annotations"] = annotations
    return body


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

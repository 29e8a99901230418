"""A drift check as the store keeps it: the latest per project, with addresses and counts, never values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from bot.domain.drift.report import DriftReport, DriftStatus

# A check's detail stays small whatever drifted: the issue lists them all, the store only the first ones.
MAX_ADDRESSES: Final = 200


@dataclass(frozen=True)
class DriftCheck:
    """The latest drift check of one project of a repository."""

    repo: str
    project: str
    checked_at: datetime
    status: DriftStatus
    detail: Mapping[str, Any] = field(default_factory=dict)  # drift_detail's: addresses and counts, no values
    since: datetime | None = None  # when this drift was first seen; kept across checks while it lasts
    issue_number: int | None = None  # the drift issue on GitHub, once the App opened one


def drift_detail(report: DriftReport) -> dict[str, Any]:
    """What a check records: which addresses drifted and how, the way out, and the holder or a short error."""
    detail: dict[str, Any] = {"changed": len(report.changed), "deleted": len(report.deleted)}
    if report.outside:
        detail["outside"] = len(report.outside)
    if report.resources:
        detail["addresses"] = [
            {"address": r.address, "action": r.action, "attributes": [a.name for a in r.attributes]}
            for r in report.resources[:MAX_ADDRESSES]
        ]
        detail["way_out"] = report.way_out.value
    if report.code_differs:
        detail["code_differs"] = True
    if report.locked_by:
        detail["locked_by"] = report.locked_by
    if report.error:
        detail["error"] = first_error_line(report.error)
    return detail


def first_error_line(error: str) -> str:
    """The line of Terraform's error that says what went wrong (`Error: ...`), else its last line, cut short."""
    lines = [line.strip() for line in error.splitlines() if line.strip()]
    named = [line for line in lines if line.startswith(("Error:", "│ Error:"))]
    return (named or lines or [""])[0 if named else -1][:300]


def next_since(previous: DriftCheck | None, status: DriftStatus, now: datetime) -> datetime | None:
    """When the drift being recorded was first seen: kept while it lasts, now when it starts, None once it is gone.

    A check that could not look (locked, error) says nothing about the drift, so it keeps what was known.
    """
    if status in (DriftStatus.LOCKED, DriftStatus.ERROR):
        return previous.since if previous is not None else None
    if status is not DriftStatus.DRIFTED:
        return None
    if previous is not None and previous.since is not None:
        return previous.since
    return now

"""Drift: a project's refresh-only and normal plans → a DriftReport, its store record, and its issue's body."""

from __future__ import annotations

from bot.domain.drift.checks import DriftCheck, drift_detail, first_error_line, next_since
from bot.domain.drift.export import UNSEEN, report_as_dict, sweep_as_dict
from bot.domain.drift.issue import (
    drift_marker,
    drift_marker_of,
    issue_title,
    render_drift_issue,
    render_resolved_issue,
    seen_since_of,
)
from bot.domain.drift.report import DriftReport, DriftStatus, drift_report, errored, locked
from bot.domain.drift.way_out import WayOut

__all__ = [
    "UNSEEN",
    "DriftCheck",
    "DriftReport",
    "DriftStatus",
    "WayOut",
    "drift_detail",
    "drift_marker",
    "drift_marker_of",
    "drift_report",
    "errored",
    "first_error_line",
    "issue_title",
    "locked",
    "next_since",
    "render_drift_issue",
    "render_resolved_issue",
    "report_as_dict",
    "seen_since_of",
    "sweep_as_dict",
]

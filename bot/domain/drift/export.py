"""A drift report as plain data for `olympus drift --json`: statuses, resources and attributes, secrets hidden."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.drift.report import DriftReport, DriftStatus


def report_as_dict(report: DriftReport, *, checked_at: datetime, since: datetime | None) -> dict[str, Any]:
    """One project's report; values are the shown ones (sensitive ones as "(sensitive value)")."""
    project = report.project
    data: dict[str, Any] = {
        "project": project.name,
        "dir": project.dir,
        "workspace": project.workspace,
        "status": report.status.value,
        "checked_at": checked_at.isoformat(),
        "since": since.isoformat() if since is not None else None,
        "code_differs": report.code_differs,
        "resources": [
            {
                "address": r.address,
                "action": r.action,
                "attributes": [{"name": a.name, "before": a.before, "after": a.after} for a in r.attributes],
                "more_attributes": r.more_attributes,
            }
            for r in report.resources
        ],
    }
    if report.status is DriftStatus.DRIFTED:
        data["way_out"] = report.way_out.value
    if report.locked_by:
        data["locked_by"] = report.locked_by
    if report.error:
        data["error"] = report.error
    return data

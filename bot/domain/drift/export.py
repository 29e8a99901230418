"""A drift report as plain data (`olympus drift --json`, the Action's `drift` output), secrets hidden."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.domain.drift.checks import DriftCheck
from bot.domain.drift.report import DriftReport, DriftStatus

# What no plan can see, said with every report rather than left for the reader to assume.
UNSEEN = (
    "resources created outside Terraform are found only where the code declares them under the same name; "
    "others are in no state, so no plan sees them (docs/drift.md)"
)


def sweep_as_dict(
    repo: str,
    branch: str,
    commit: str,
    reports: Sequence[DriftReport],
    checks: Mapping[str, DriftCheck],
    *,
    now: datetime,
) -> dict[str, Any]:
    """A whole sweep as `olympus drift --json` prints it and the Action's `drift` output holds it."""
    projects = []
    for report in reports:
        check = checks.get(report.project.name)
        checked_at = check.checked_at if check is not None else now
        projects.append(report_as_dict(report, checked_at=checked_at, since=check.since if check else None))
    return {"repo": repo, "branch": branch, "commit": commit, "projects": projects, "unseen": UNSEEN}


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

"""Drift issues on GitHub: one per drifted project, found by its hidden marker, edited in place, closed once clean.

The marker decides, never the title: an issue is a project's when its body starts with that project's marker and it
carries the `olympus:drift` label. Writers that race (a retried POST, the Action beside the App) may each open one;
whoever opened looks again and closes every copy but the oldest, so one issue stays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.domain.drift import (
    DriftCheck,
    DriftReport,
    DriftStatus,
    drift_marker,
    drift_marker_of,
    issue_title,
    render_drift_issue,
    render_resolved_issue,
)
from bot.domain.markdown import code
from bot.ports import CodeHost, IssueInfo, Store
from bot.services.fix_triggers import mark_drift_gone, record_drift_issue
from bot.services.github_checkout import change_id_of

DRIFT_LABEL = "olympus:drift"
# What a project's status asks of its issue: DRIFTED opens or edits it, CLEAN and UNAPPLIED (no drift) close it;
# LOCKED and ERROR know nothing new, so the issue stays as it was.
_GONE = (DriftStatus.CLEAN, DriftStatus.UNAPPLIED)


@dataclass(frozen=True)
class IssueOutcome:
    """What happened to one project's issue: "opened", "updated", "unchanged", "closed" or "none"."""

    project: str
    action: str
    number: int | None = None


def upsert_drift_issues(
    host: CodeHost, store: Store, repo: str, reports: Sequence[DriftReport], *, every_project: bool = False
) -> list[IssueOutcome]:
    """Bring each reported project's drift issue up to date with its check, and record the issue in drift_checks.

    With every_project (the sweep checked all the default branch's projects), an open drift issue of a project the
    branch no longer has is closed, saying so: nothing will ever check it again.
    """
    checks = {check.project: check for check in store.drift_checks(repo)}
    issues = _by_project(repo, host.issues_labelled(repo, DRIFT_LABEL))
    outcomes: list[IssueOutcome] = []
    for report in reports:
        name = report.project.name
        check = checks.get(name)
        existing = issues.get(name, [])
        if report.status is DriftStatus.DRIFTED and check is not None:
            outcome = _drifted(host, repo, report, check, existing)
            if outcome.action == "opened" and outcome.number is not None:
                # A drift is one of the fix loop's triggers; the issue's restore or adopt is its offer.
                record_drift_issue(store, repo, change_id_of(repo, outcome.number), report, outcome.number)
        elif report.status in _GONE and existing and check is not None:
            # A clean check has cleared `since` (next_since): the body says "the drift is gone", without a date.
            body = render_resolved_issue(repo, report, since=None, checked_at=check.checked_at)
            for issue in existing:
                host.edit_issue(repo, issue.number, body=body, state="closed")
                mark_drift_gone(store, repo, change_id_of(repo, issue.number))
            outcome = IssueOutcome(name, "closed", existing[0].number)
        else:
            outcome = IssueOutcome(name, "none", existing[0].number if existing else None)
        if check is not None and outcome.number is not None and check.issue_number != outcome.number:
            store.record_drift_check(replace(check, issue_number=outcome.number))
        outcomes.append(outcome)
    if every_project:
        swept = {report.project.name for report in reports}
        for name, gone in sorted(issues.items()):
            if name not in swept:
                for issue in gone:
                    host.edit_issue(repo, issue.number, body=_gone(repo, name), state="closed")
                outcomes.append(IssueOutcome(name, "closed", gone[0].number))
    return outcomes


def _gone(repo: str, project: str) -> str:
    return (
        f"{drift_marker(repo, project)}\n### ➖ {code(project)} is gone\n\n{code(project)} is no longer a Terraform "
        "project of the default branch, so Olympus checks it no more and closes this issue."
    )


def _drifted(
    host: CodeHost, repo: str, report: DriftReport, check: DriftCheck, existing: list[IssueInfo]
) -> IssueOutcome:
    name = report.project.name
    since = check.since or check.checked_at
    body = render_drift_issue(repo, report, since=since, checked_at=check.checked_at)
    title = issue_title(name)
    if existing:
        kept, *copies = existing
        _close_copies(host, repo, kept.number, copies)
        if kept.body == body and kept.title == title:
            return IssueOutcome(name, "unchanged", kept.number)
        host.edit_issue(repo, kept.number, title=title, body=body)
        return IssueOutcome(name, "updated", kept.number)
    number = host.open_issue(repo, title, body, [DRIFT_LABEL])
    # Look again: another writer may have opened one at the same time. The oldest stays, the others are closed.
    again = _by_project(repo, host.issues_labelled(repo, DRIFT_LABEL)).get(name, [])
    if not again:
        return IssueOutcome(name, "opened", number)  # not listed yet (GitHub's search lags a moment): ours stands
    kept, *copies = again
    _close_copies(host, repo, kept.number, copies)
    if kept.number != number:
        host.edit_issue(repo, kept.number, title=title, body=body)
        return IssueOutcome(name, "updated", kept.number)
    return IssueOutcome(name, "opened", number)


def _close_copies(host: CodeHost, repo: str, kept: int, copies: Sequence[IssueInfo]) -> None:
    for copy in copies:
        note = f"Closed as a copy of #{kept}, which Olympus keeps up to date for this project."
        # The marker goes, so no later look takes the copy for the project's issue.
        host.edit_issue(repo, copy.number, body=note, state="closed")


def _by_project(repo: str, issues: Sequence[IssueInfo]) -> dict[str, list[IssueInfo]]:
    """Open drift issues of repo by project, oldest first; an issue whose marker names another repo is not ours."""
    found: dict[str, list[IssueInfo]] = {}
    for issue in sorted(issues, key=lambda i: i.number):
        marked = drift_marker_of(issue.body)
        if marked is not None and marked[0] == repo and issue.state == "open":
            found.setdefault(marked[1], []).append(issue)
    return found

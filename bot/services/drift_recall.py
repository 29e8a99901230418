"""A drift check without a history of its own (the Action's store lasts one job) recalls it from the open issues."""

from __future__ import annotations

from bot.domain.drift import DriftCheck, DriftStatus, drift_marker_of, seen_since_of
from bot.ports import CodeHost, Store
from bot.services.drift_issues import DRIFT_LABEL


def recall_open_drift(host: CodeHost, store: Store, repo: str) -> list[str]:
    """Record, for each project with an open drift issue and no check in the store, the drift that issue shows as
    its last check; the projects recalled.

    The sweep then keeps the drift's `since` (next_since) instead of starting it again at every scheduled run, so
    the issue says how long the drift has lasted, and is left as it is when nothing changed.
    """
    known = {check.project for check in store.drift_checks(repo)}
    recalled: list[str] = []
    for issue in sorted(host.issues_labelled(repo, DRIFT_LABEL), key=lambda i: i.number):  # the oldest is kept
        marked = drift_marker_of(issue.body)
        if marked is None or marked[0] != repo or marked[1] in known or issue.state != "open":
            continue
        since = seen_since_of(issue.body)
        if since is None:
            continue
        project = marked[1]
        store.record_drift_check(DriftCheck(repo, project, since, DriftStatus.DRIFTED, {}, since, issue.number))
        known.add(project)
        recalled.append(project)
    return recalled

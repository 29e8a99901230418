"""The reviewed plans as GitHub keeps them: an artifact of the plan workflow's run for the head commit."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.domain.policies.results import PolicyFailure

# The artifact the plan job uploads (action.yml) and the file inside it.
RECORD_ARTIFACT = "olympus-plan-record"
RECORD_FILE = "olympus-plan-record.json"
RECORD_VERSION = 1
# Policy failures kept per project; more are counted, not listed, so the record stays small.
MAX_LISTED_FAILURES = 20
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class PlanRun:
    """One workflow run as GitHub lists it: which workflow file, for which event and commit, and whether it ended."""

    id: int
    path: str  # the workflow file, e.g. .github/workflows/olympus.yml
    event: str
    head_sha: str
    status: str
    created_at: str  # ISO 8601, as GitHub gives it: sortable as text


@dataclass(frozen=True)
class ReviewedPlan:
    """What GitHub holds of one project's plan at the head: its hash and policy result, or why it is not known."""

    sha256: str | None = None
    policy_failures: tuple[PolicyFailure, ...] = ()
    problem: str = ""


def record_text(
    repository: str,
    pull_request: int,
    head: str,
    run_url: str,
    plans: Mapping[str, tuple[str, Sequence[PolicyFailure]]],
    *,
    base: str = "",
) -> str:
    """The record the plan job uploads: each project's plan SHA-256 and policy failures, for this PR and commit."""
    projects = {}
    for project, (sha256, failures) in sorted(plans.items()):
        if not _SHA256.match(sha256):
            raise ValueError(f"not a SHA-256: {sha256!r}")
        listed = [{"policy_set": f.policy_set, "message": f.message[:500]} for f in failures[:MAX_LISTED_FAILURES]]
        if len(failures) > len(listed):
            more = f"and {len(failures) - len(listed)} more policy failures"
            listed.append({"policy_set": failures[-1].policy_set, "message": more})
        projects[project] = {"sha256": sha256, "policy_failures": listed}
    body = {
        "version": RECORD_VERSION,
        "repository": repository,
        "pull_request": pull_request,
        "head": head,
        "base": base,  # retargeting the pull request afterwards makes the plans stale
        "run": run_url,
        "projects": projects,
    }
    return json.dumps(body, indent=2) + "\n"


def plan_runs_of(runs: Iterable[PlanRun], head: str, workflow_path: str) -> list[PlanRun]:
    """The finished `pull_request` runs of the plan workflow for exactly this head commit, newest first.

    Only GitHub sets a run's event, commit and workflow file, and a job can upload artifacts to its own run only:
    another pull request's job, whatever its code does, cannot put a record into this one's runs. The newest run
    that uploaded a record is the reviewed plan; runs without one (the run that released the locks when the pull
    request closed, a plan that crashed) are passed over.
    """
    ours = [
        r
        for r in runs
        if r.path == workflow_path and r.event == "pull_request" and r.head_sha == head and r.status == "completed"
    ]
    return sorted(ours, key=lambda r: (r.created_at, r.id), reverse=True)


def reviewed_plans_of(
    record: str | None,
    run: PlanRun | None,
    *,
    repository: str,
    pull_request: int,
    head: str,
    projects: Iterable[str],
    workflow_path: str,
    base: str = "",
) -> dict[str, ReviewedPlan]:
    """Each project's reviewed plan according to the run's record; every doubt is a problem that refuses it."""
    names = list(projects)
    problem = _record_problem(record, run, repository, pull_request, head, workflow_path) or _base_problem(
        record, run, base
    )
    if problem:
        return {name: ReviewedPlan(problem=problem) for name in names}
    data = json.loads(record or "{}")["projects"]
    reviewed = {}
    for name in names:
        entry = data.get(name)
        if not isinstance(entry, dict) or not _SHA256.match(str(entry.get("sha256", ""))):
            reviewed[name] = ReviewedPlan(problem=f"the plan run {run.id if run else '?'} recorded no plan of it")
            continue
        failures = tuple(_failure(f) for f in entry.get("policy_failures") or [])
        reviewed[name] = ReviewedPlan(sha256=entry["sha256"], policy_failures=failures)
    return reviewed


def _failure(raw: object) -> PolicyFailure:
    """One recorded failure; a bare text (records before policy sets) belongs to no set, which no one can approve."""
    if isinstance(raw, dict):
        return PolicyFailure(str(raw.get("policy_set", "")), str(raw.get("message", "")))
    return PolicyFailure("", str(raw))


def _base_problem(record: str | None, run: PlanRun | None, base: str) -> str:
    """The pull request targets another base than the one it was planned against (records name it since v1.1)."""
    planned = json.loads(record or "{}").get("base") or ""
    if not base or not planned or planned == base:
        return ""
    return (
        f"the plan run {run.id if run else '?'} planned against the base {planned}, but the pull request now "
        f"targets {base}; plan again"
    )


def _record_problem(
    record: str | None, run: PlanRun | None, repository: str, pull_request: int, head: str, workflow_path: str
) -> str:
    if run is None:
        return (
            f"GitHub has no finished run of {workflow_path} on pull_request for the head {head[:12]}; "
            "plan again (push, or re-run the plan workflow)"
        )
    if record is None:
        return (
            f"no plan run for {head[:12]} uploaded an {RECORD_ARTIFACT} artifact (the newest is {run.id}); plan again"
        )
    try:
        data = json.loads(record)
    except ValueError:
        return f"the {RECORD_ARTIFACT} of run {run.id} is not a readable record; plan again"
    if (
        not isinstance(data, dict)
        or data.get("version") != RECORD_VERSION
        or not isinstance(data.get("projects"), dict)
    ):
        return f"the {RECORD_ARTIFACT} of run {run.id} is not a version {RECORD_VERSION} record; plan again"
    said = (data.get("repository"), data.get("pull_request"), data.get("head"))
    if said != (repository, pull_request, head):
        return (
            f"the {RECORD_ARTIFACT} of run {run.id} is for {said[0]}#{said[1]} at {str(said[2])[:12]}, "
            f"not {repository}#{pull_request} at {head[:12]}; plan again"
        )
    return ""

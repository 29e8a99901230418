"""The reviewed plan as GitHub records it: a check run per project whose external_id carries the plan's hash."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# external_id is free text to GitHub; this prefix marks ours and its version.
RECORD_PREFIX = "olympus-plan/v1 "
# Policy failures kept in the record; more are counted, not listed, so the record stays small.
MAX_LISTED_FAILURES = 20
# The app whose check runs the Action's apply job believes: the one behind every workflow's GITHUB_TOKEN.
ACTIONS_APP = "github-actions"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class PlanCheck:
    """One check run as GitHub lists it for a commit: who made it, and what it says."""

    id: int
    app_slug: str
    head_sha: str
    status: str
    conclusion: str | None
    external_id: str


@dataclass(frozen=True)
class ReviewedPlan:
    """What GitHub says was planned for one project at the head: its hash and policy result, or why not known."""

    sha256: str | None = None
    policy_failures: tuple[str, ...] = ()
    problem: str = ""


def record_for(sha256: str, policy_failures: Sequence[str] = ()) -> str:
    """The external_id of a plan's check run: the plan file's SHA-256 and the policy failures it had."""
    if not _SHA256.match(sha256):
        raise ValueError(f"not a SHA-256: {sha256!r}")
    listed = [f[:200] for f in policy_failures[:MAX_LISTED_FAILURES]]
    hidden = len(policy_failures) - len(listed)
    if hidden:
        listed.append(f"and {hidden} more policy failures")
    return RECORD_PREFIX + json.dumps({"sha256": sha256, "policy": listed}, separators=(",", ":"))


def parse_record(external_id: str) -> ReviewedPlan | None:
    """The record in an external_id; None when it is not ours or is malformed."""
    if not external_id.startswith(RECORD_PREFIX):
        return None
    try:
        data = json.loads(external_id.removeprefix(RECORD_PREFIX))
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    sha256, policy = data.get("sha256"), data.get("policy", [])
    if not isinstance(sha256, str) or not _SHA256.match(sha256):
        return None
    if not isinstance(policy, list) or not all(isinstance(p, str) for p in policy):
        return None
    return ReviewedPlan(sha256=sha256, policy_failures=tuple(policy))


def reviewed_plan_of(
    project: str, check_name: str, head: str, checks: Iterable[PlanCheck], trusted_apps: Iterable[str]
) -> ReviewedPlan:
    """The newest finished plan check of `project` at `head` made by a trusted app, read as the reviewed plan.

    Newest wins because planning the same commit again is normal and replaces the plan in the store too; a check
    run from any other app, or for another commit, is ignored, so writing the plan store alone cannot change what
    the apply job expects.
    """
    trusted = {app.casefold() for app in trusted_apps}
    ours = sorted(
        (c for c in checks if c.app_slug.casefold() in trusted and c.head_sha == head and c.status == "completed"),
        key=lambda c: c.id,
    )
    if not ours:
        return ReviewedPlan(
            problem=f"GitHub has no finished plan of {project} at {head[:12]} (check run {check_name!r} by "
            f"{' or '.join(sorted(trusted))}); plan again"
        )
    newest = ours[-1]
    record = parse_record(newest.external_id)
    if record is None:
        outcome = newest.conclusion or "no conclusion"
        return ReviewedPlan(
            problem=f"the newest plan of {project} at {head[:12]} recorded no plan hash on GitHub ({outcome}); "
            "fix the plan and plan again"
        )
    return record

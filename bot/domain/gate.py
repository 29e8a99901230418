"""The apply gate: decides whether a change may be applied, and lists every reason when it may not."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Approval:
    user: str
    commit: str


@dataclass(frozen=True)
class PlannedProject:
    """What the gate needs to know of one project's saved plan."""

    project: str
    plan_commit: str | None  # None: never planned
    recorded_sha256: str | None
    current_sha256: str | None  # None: the plan file is missing
    lock_holder: str | None
    # Why the reviewed plan cannot be known (GitHub holds no record of it, or the store could not give it back).
    record_problem: str = ""
    policy_failures: Sequence[str] = ()  # what the policies said of the reviewed plan


@dataclass(frozen=True)
class ReviewDecision:
    """One pull request review as GitHub reports it, in the order it was submitted."""

    user: str
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED
    commit: str | None


@dataclass(frozen=True)
class PullRequestFacts:
    """What GitHub says of the pull request, its base branch and the asker, re-read when the apply is decided."""

    author: str
    is_fork: bool = False
    state: str = "open"
    merged: bool = False
    apply_after_merge: bool = False  # a setting: apply before merge is the default
    base_protected: bool = True
    required_approvals: int = 1  # the base branch protection's required approving reviews
    asker_refusal: str = ""  # why the person asking may not apply ("" when they may)
    command_edited: bool = False  # the `/infra apply` comment was edited after it was written
    changes_requested_by: Sequence[str] = ()  # reviewers whose latest decisive review requests changes


@dataclass(frozen=True)
class GateInput:
    change_id: str
    head_commit: str
    # Who asked for the change or for its apply: none of them may approve it.
    requesters: Sequence[str]
    approvals: Sequence[Approval]
    projects: Sequence[PlannedProject]
    pull_request: PullRequestFacts | None = None  # None for a local change


@dataclass(frozen=True)
class Allowed:
    approvers: tuple[str, ...]


@dataclass(frozen=True)
class Blocked:
    reasons: tuple[str, ...]


def approvals_from(reviews: Sequence[ReviewDecision]) -> list[Approval]:
    """Each reviewer's latest decisive review, oldest first in; only an APPROVED one counts, for its commit."""
    return [Approval(r.user, r.commit) for r in _latest_decisive(reviews) if r.state == "APPROVED" and r.commit]


def changes_requested_by(reviews: Sequence[ReviewDecision]) -> list[str]:
    """Reviewers whose latest decisive review requests changes."""
    return sorted(r.user for r in _latest_decisive(reviews) if r.state == "CHANGES_REQUESTED")


def _latest_decisive(reviews: Sequence[ReviewDecision]) -> list[ReviewDecision]:
    """Each reviewer's latest approval, change request or dismissal (a comment decides nothing), by reviewer."""
    latest: dict[str, ReviewDecision] = {}
    for review in reviews:
        if review.state in ("APPROVED", "CHANGES_REQUESTED", "DISMISSED"):
            latest[review.user.casefold()] = review
    return list(latest.values())


def decide(gate: GateInput) -> Allowed | Blocked:
    """Allowed only with approvals at head by others, an unaltered plan of head, our own lock, and a clean PR."""
    reasons: list[str] = []
    head = gate.head_commit
    pr = gate.pull_request
    valid = sorted({a.user for a in gate.approvals if a.commit == head and not _is_requester(a.user, gate)})
    needed = max(1, pr.required_approvals) if pr else 1
    if not valid:
        reasons.extend(_approval_reasons(gate))
    elif len(valid) < needed:
        reasons.append(
            f"the base branch requires {needed} approvals of the head commit {head[:12]}; it has {len(valid)} "
            f"({', '.join(valid)})"
        )
    if pr is not None:
        reasons.extend(_pull_request_reasons(pr))
    if not gate.projects:
        reasons.append("nothing to apply: no project is planned for this change; run `olympus plan` first")
    for p in gate.projects:
        reasons.extend(_project_reasons(p, head, gate.change_id))
    return Blocked(tuple(reasons)) if reasons else Allowed(tuple(valid))


def _approval_reasons(gate: GateInput) -> list[str]:
    """Why no approval counts: each kind of approval that was given and why it does not count, or none at all."""
    head = gate.head_commit[:12]
    own = [a for a in gate.approvals if _is_requester(a.user, gate)]
    stale = [a for a in gate.approvals if a.commit != gate.head_commit and not _is_requester(a.user, gate)]
    reasons = []
    if stale:
        reasons.append(
            f"approval by {', '.join(sorted({a.user for a in stale}))} is for an earlier commit; "
            f"someone must approve the current head {head} again"
        )
    if own:
        who = ", ".join(sorted({a.user for a in own}))
        reasons.append(
            f"{who} asked for this change or its apply and cannot approve it; another person must approve {head}"
        )
    if not reasons:
        reasons.append(
            f"no approval for the head commit {head}; someone other than {_people(gate.requesters)} must approve it"
        )
    return reasons


def _project_reasons(p: PlannedProject, head: str, change_id: str) -> list[str]:
    policy = [f"{p.project}: policy: {failure}" for failure in p.policy_failures]
    if p.record_problem:
        return [f"{p.project}: {p.record_problem}", *policy, *_lock_reasons(p, change_id)]
    if p.plan_commit is None or p.recorded_sha256 is None:
        return [f"{p.project}: no saved plan; run `olympus plan` first"]
    return [*_plan_file_reasons(p, head), *policy, *_lock_reasons(p, change_id)]


def _plan_file_reasons(p: PlannedProject, head: str) -> list[str]:
    reasons = []
    if p.plan_commit != head:
        reasons.append(
            f"{p.project}: the saved plan is for commit {(p.plan_commit or '')[:12]}, not the head {head[:12]}; "
            "plan again"
        )
    if p.current_sha256 is None:
        reasons.append(f"{p.project}: the saved plan file is missing; plan again")
    elif p.current_sha256 != p.recorded_sha256:
        reasons.append(f"{p.project}: the plan file was altered after review (SHA-256 differs); plan again")
    return reasons


def _lock_reasons(p: PlannedProject, change_id: str) -> list[str]:
    reasons = []
    if p.lock_holder is None:
        reasons.append(f"{p.project}: not locked by this change; plan again to take the lock")
    elif p.lock_holder != change_id:
        reasons.append(f"{p.project}: locked by {p.lock_holder}; wait for it to be applied or unlocked")
    return reasons


def _pull_request_reasons(pr: PullRequestFacts) -> list[str]:
    reasons = []
    if pr.is_fork:
        reasons.append("the pull request comes from a fork: its code never runs with the apply role's credentials")
    if pr.merged and not pr.apply_after_merge:
        reasons.append("the pull request is merged; applying after merge is not enabled for this repository")
    elif pr.state != "open" and not pr.merged:
        reasons.append("the pull request is closed; reopen it to apply")
    elif not pr.merged and pr.apply_after_merge:
        reasons.append("this repository applies after merge; merge the pull request first")
    if not pr.base_protected:
        reasons.append("the base branch is not protected; require pull request reviews on it before applying")
    if pr.asker_refusal:
        reasons.append(pr.asker_refusal)
    if pr.changes_requested_by:
        who = ", ".join(sorted(set(pr.changes_requested_by)))
        reasons.append(f"{who} requested changes; their review must be resolved before applying")
    if pr.command_edited:
        reasons.append("the `/infra apply` comment was edited after it was written; comment the command again")
    return reasons


def _is_requester(user: str, gate: GateInput) -> bool:
    people = {r.strip().casefold() for r in gate.requesters}
    if gate.pull_request is not None:
        people.add(gate.pull_request.author.strip().casefold())
    return user.strip().casefold() in people


def _people(names: Sequence[str]) -> str:
    return " and ".join(sorted(set(names))) or "the requester"

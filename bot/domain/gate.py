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


@dataclass(frozen=True)
class GateInput:
    change_id: str
    head_commit: str
    # Who asked for the change or for its apply: none of them may approve it.
    requesters: Sequence[str]
    approvals: Sequence[Approval]
    projects: Sequence[PlannedProject]


@dataclass(frozen=True)
class Allowed:
    approvers: tuple[str, ...]


@dataclass(frozen=True)
class Blocked:
    reasons: tuple[str, ...]


def decide(gate: GateInput) -> Allowed | Blocked:
    """Allowed only with an approval at head by someone else, an unaltered plan of head, and our own lock."""
    reasons: list[str] = []
    head = gate.head_commit
    valid = sorted({a.user for a in gate.approvals if a.commit == head and not _is_requester(a.user, gate)})
    if not valid:
        reasons.extend(_approval_reasons(gate))
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
    reasons = []
    if p.plan_commit is None or p.recorded_sha256 is None:
        return [f"{p.project}: no saved plan; run `olympus plan` first"]
    if p.plan_commit != head:
        reasons.append(
            f"{p.project}: the saved plan is for commit {p.plan_commit[:12]}, not the head {head[:12]}; plan again"
        )
    if p.current_sha256 is None:
        reasons.append(f"{p.project}: the saved plan file is missing; plan again")
    elif p.current_sha256 != p.recorded_sha256:
        reasons.append(f"{p.project}: the plan file was altered after review (SHA-256 differs); plan again")
    if p.lock_holder is None:
        reasons.append(f"{p.project}: not locked by this change; plan again to take the lock")
    elif p.lock_holder != change_id:
        reasons.append(f"{p.project}: locked by {p.lock_holder}; wait for it to be applied or unlocked")
    return reasons


def _is_requester(user: str, gate: GateInput) -> bool:
    return user.strip().casefold() in {r.strip().casefold() for r in gate.requesters}


def _people(names: Sequence[str]) -> str:
    return " and ".join(sorted(set(names))) or "the requester"

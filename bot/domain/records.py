"""What the store hands back: plain, frozen records of runs, plans, approvals, locks and audit entries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.domain.policies.results import PolicyFailure


@dataclass(frozen=True)
class RunRecord:
    """One command Olympus ran for a change (plan, apply, ...), from start to its result."""

    id: int
    change_id: str  # local: the branch name; GitHub: "owner/repo#PR"
    command: str
    actor: str
    commit: str
    started_at: datetime
    ended_at: datetime | None = None
    result: str | None = None  # None while the run is still going
    detail: Mapping[str, Any] = field(default_factory=dict)
    repo: str | None = None  # "owner/name" when the store knows it (bot/domain/record_repos.py)


@dataclass(frozen=True)
class PlanRecord:
    """A saved `terraform plan` for one project of a change, pinned to its commit and file hash."""

    change_id: str
    project: str
    workspace: str
    commit: str
    plan_path: str
    plan_json_path: str
    sha256: str  # of the binary plan file: apply refuses a plan whose hash changed since review
    counts: Mapping[str, int]  # e.g. {"add": 1, "change": 0, "destroy": 0}
    created_at: datetime
    base: str = ""  # the base branch it was planned against ("" when the door does not say)
    # What the blocking policy sets said of this plan: the gate holds the apply until they are approved.
    policy_failures: tuple[PolicyFailure, ...] = ()
    # False when the record's seal does not check: it was edited outside Olympus, or predates sealing.
    trusted: bool = True


@dataclass(frozen=True)
class ApprovalRecord:
    """One person's approval of a change at one commit."""

    change_id: str
    commit: str
    user: str
    at: datetime
    trusted: bool = True  # False when the record's seal does not check


@dataclass(frozen=True)
class PolicyApprovalRecord:
    """One person's `/infra approve_policies` of one policy set's failures, for one commit of a change."""

    change_id: str
    policy_set: str
    commit: str
    user: str
    at: datetime
    trusted: bool = True  # False when the record's seal does not check


@dataclass(frozen=True)
class PushRecord:
    """Someone moved a branch of a repository to a commit (GitHub's push or pull_request event said so)."""

    repo: str
    branch: str
    head: str
    pusher: str
    change_id: str | None
    created: bool
    at: datetime


@dataclass(frozen=True)
class LockRecord:
    """Who holds the lock on one project directory and workspace of a repository."""

    repo: str
    dir: str
    workspace: str
    holder: str  # the caller compares this with its own holder to tell "mine" from "held by someone else"
    acquired_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    """One action someone took through Olympus, with its (secret-free) parameters and outcome."""

    id: int
    actor: str
    action: str
    params: Mapping[str, Any]
    started_at: datetime
    ended_at: datetime
    result: str  # "ok", a refusal the body reported, or "ExceptionClass: message"
    repo: str | None = None  # "owner/name" when the store knows it (bot/domain/record_repos.py)


@dataclass
class AuditOutcome:
    """What an audited block reports as its result when it ends without raising.

    Mutable on purpose: the body of `Store.audited(...)` sets `result` to record a refusal ("lock held")
    as a result rather than an exception, following the house rule that refusals are not faults.
    """

    result: str = "ok"

"""One attempt of the fix loop as the evaluation store keeps it, and the success rate per failure class.

An attempt is kept whatever became of it: a fix that failed verification is evidence too (seed 004). What it
records is redacted before it gets here (no secret, no sensitive value), and the patch is the verified diff, not
the model's whole answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class FixKind(StrEnum):
    """What the model proposed."""

    PATCH = "patch"  # an edit of the project's files
    TOOL_CALLS = "tool_calls"  # the same MCP tool calls a request would make
    NONE = "none"  # "no safe fix: a person must act", with what to check


class Verification(StrEnum):
    """What checking the fix in a scratch worktree found before anyone was offered it."""

    PASSED = "passed"  # validate, plan, scanners and policies: no new failure, no new finding
    FAILED = "failed"  # one of them failed or found more than before: not offered
    REFUSED = "refused"  # the patch broke a rule (outside the project, a new provider, ...): never run
    NOT_RUN = "not_run"  # nothing to verify (no safe fix proposed)


@dataclass(frozen=True)
class FixAttempt:
    """One try of the loop on one failure."""

    repo: str
    change_id: str  # the pull request or branch whose plan or apply failed
    project: str
    step: str  # init | plan | apply | policy | sync | drift
    failure_class: str  # failure_classes' code
    root_cause: str
    kind: FixKind
    verification: Verification
    created_at: datetime
    patch: str = ""  # the unified diff verified (PATCH), redacted
    tool_calls: tuple[Mapping[str, Any], ...] = ()
    tools_used: tuple[str, ...] = ()  # the model's own tool calls while analysing (read files, show plan, ...)
    verification_detail: str = ""  # the first failing step's words, or the plan's summary line when it passed
    tokens_in: int = 0
    tokens_out: int = 0
    try_number: int = 1  # within the loop's budget for this failure
    offered: bool = False  # shown to people (only verified fixes are)
    accepted: bool | None = None  # None until a person accepts or dismisses it
    next_apply_ok: bool | None = None  # whether the apply after the accepted fix succeeded
    id: int | None = None  # the store's, once recorded
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ClassRate:
    """How the loop does on one failure class: attempts, verified fixes, accepted ones, and applies that held."""

    failure_class: str
    attempts: int
    verified: int
    accepted: int
    applied: int
    decided: int = 0  # offered fixes a person took or let go (the rest still wait)
    applies: int = 0  # accepted fixes whose next apply has ended, held or not

    @property
    def success_rate(self) -> float:
        """Verified fixes per attempt: the share the loop could offer at all."""
        return self.verified / self.attempts if self.attempts else 0.0

    @property
    def acceptance_rate(self) -> float | None:
        """Accepted fixes per offered fix a person decided on; None before anyone decided."""
        return self.accepted / self.decided if self.decided else None

    @property
    def held_rate(self) -> float | None:
        """Next applies that succeeded per accepted fix applied since; None before any such apply ended."""
        return self.applied / self.applies if self.applies else None


def rates_by_class(attempts: Iterable[FixAttempt]) -> list[ClassRate]:
    """Each failure class's figures, the most attempted first (then by name)."""
    counts: dict[str, list[int]] = {}
    for attempt in attempts:
        row = counts.setdefault(attempt.failure_class, [0, 0, 0, 0, 0, 0])
        row[0] += 1
        row[1] += attempt.verification is Verification.PASSED
        row[2] += attempt.accepted is True
        row[3] += attempt.next_apply_ok is True
        row[4] += attempt.accepted is not None
        row[5] += attempt.accepted is True and attempt.next_apply_ok is not None
    rates = [ClassRate(name, *row) for name, row in counts.items()]
    return sorted(rates, key=lambda r: (-r.attempts, r.failure_class))

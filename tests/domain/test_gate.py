"""The apply gate: every refusal names its reason; only a clean case is allowed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain.gate import Allowed, Approval, Blocked, GateInput, PlannedProject, decide

HEAD = "a" * 40
OLD = "b" * 40
SHA = "c" * 64


def planned(**changes: object) -> PlannedProject:
    base = PlannedProject("aws-dev", HEAD, SHA, SHA, "infra/create-bucket-x-dev")
    return replace(base, **changes)  # type: ignore[arg-type]


def gate(**changes: object) -> GateInput:
    base = GateInput(
        change_id="infra/create-bucket-x-dev",
        head_commit=HEAD,
        requesters=("bob",),
        approvals=(Approval("alice", HEAD),),
        projects=(planned(),),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_clean_case_is_allowed() -> None:
    assert decide(gate()) == Allowed(("alice",))


@pytest.mark.parametrize(
    ("case", "changes", "reason"),
    [
        ("no approval", {"approvals": ()}, "no approval for the head commit"),
        ("self approval", {"approvals": (Approval("bob", HEAD),)}, "bob asked for this change"),
        ("self approval, other case", {"approvals": (Approval("BOB", HEAD),)}, "cannot approve"),
        ("approval before a push", {"approvals": (Approval("alice", OLD),)}, "is for an earlier commit"),
        (
            "apply requester approves",
            {"requesters": ("bob", "carol"), "approvals": (Approval("carol", HEAD),)},
            "cannot approve",
        ),
        ("nothing planned", {"projects": ()}, "nothing to apply"),
        ("never planned", {"projects": (planned(plan_commit=None, recorded_sha256=None),)}, "no saved plan"),
        ("plan for another commit", {"projects": (planned(plan_commit=OLD),)}, "not the head"),
        ("plan file swapped", {"projects": (planned(current_sha256="d" * 64),)}, "was altered after review"),
        ("plan file missing", {"projects": (planned(current_sha256=None),)}, "plan file is missing"),
        ("lock held by another change", {"projects": (planned(lock_holder="infra/other"),)}, "locked by infra/other"),
        ("no lock", {"projects": (planned(lock_holder=None),)}, "not locked by this change"),
    ],
)
def test_refusals_name_their_reason(case: str, changes: dict[str, object], reason: str) -> None:
    decision = decide(gate(**changes))
    assert isinstance(decision, Blocked), case
    assert any(reason in r for r in decision.reasons), decision.reasons


def test_every_reason_is_listed_at_once() -> None:
    decision = decide(gate(approvals=(), projects=(planned(plan_commit=OLD, current_sha256=None, lock_holder="x"),)))
    assert isinstance(decision, Blocked)
    assert len(decision.reasons) == 4


def state_change(**changes: object) -> PlannedProject:
    """`/infra import` or `state rm`: no saved plan, only the approvals, the pull request and the lock decide."""
    return planned(plan_commit=None, recorded_sha256=None, current_sha256=None, plan_required=False, **changes)


def test_a_state_change_needs_no_plan_but_the_same_approvals_and_lock() -> None:
    assert decide(gate(projects=(state_change(),))) == Allowed(("alice",))
    for changes, reason in (
        ({"approvals": ()}, "no approval for the head commit"),
        ({"approvals": (Approval("bob", HEAD),)}, "bob asked for this change"),
        ({"approvals": (Approval("alice", OLD),)}, "is for an earlier commit"),
        ({"projects": (state_change(lock_holder="infra/other"),)}, "locked by infra/other"),
    ):
        decision = decide(gate(**{"projects": (state_change(),), **changes}))
        assert isinstance(decision, Blocked) and any(reason in r for r in decision.reasons), decision
    assert not any("plan" in r for r in decide(gate(projects=(state_change(),), approvals=())).reasons)  # type: ignore[union-attr]

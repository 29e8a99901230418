"""Thirty-odd adversarial apply scenarios: each one is refused with its reason, and only clean cases pass."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pytest

from bot.domain.gate import (
    Allowed,
    Blocked,
    GateInput,
    PlannedProject,
    PullRequestFacts,
    ReviewDecision,
    approvals_from,
    changes_requested_by,
    decide,
)
from bot.domain.plan_evidence import PlanRun, record_text, reviewed_plans_of
from bot.domain.policies.results import PolicyFailure

HEAD = "1" * 40
EARLIER = "2" * 40
OTHER = "3" * 40
SHA = "a" * 64
CHANGE = "octo-org/infra#7"


@dataclass
class Scenario:
    """A pull request at apply time: who wrote it, who asks, its reviews, plans and locks, and its base branch."""

    author: str = "dana"
    asker: str = "bob"
    reviews: list[ReviewDecision] = field(default_factory=lambda: [ReviewDecision("alice", "APPROVED", HEAD)])
    projects: list[PlannedProject] = field(
        default_factory=lambda: [PlannedProject("infra/aws/envs/dev", HEAD, SHA, SHA, CHANGE)]
    )
    facts: dict[str, object] = field(default_factory=dict)

    def decide(self) -> Allowed | Blocked:
        pr = replace(
            PullRequestFacts(author=self.author, changes_requested_by=changes_requested_by(self.reviews)),
            **self.facts,  # type: ignore[arg-type]
        )
        gate = GateInput(CHANGE, HEAD, (self.asker,), approvals_from(self.reviews), self.projects, pr)
        return decide(gate)


def plan(**changes: object) -> list[PlannedProject]:
    return [replace(PlannedProject("infra/aws/envs/dev", HEAD, SHA, SHA, CHANGE), **changes)]  # type: ignore[arg-type]


WORKFLOW = ".github/workflows/olympus.yml"
RUN = PlanRun(9, WORKFLOW, "pull_request", HEAD, "completed", "2026-11-21T06:00:00Z")


def record(sha256: str = SHA, failures: tuple[PolicyFailure, ...] = (), *, number: int = 7, head: str = HEAD) -> str:
    return record_text("octo-org/infra", number, head, "https://run", {"infra/aws/envs/dev": (sha256, failures)})


def on_github(text: str | None, run: PlanRun | None = RUN, *, file_sha256: str = SHA) -> list[PlannedProject]:
    """The project as the Action's apply job sees it: the expected hash is whatever the plan run recorded."""
    (reviewed,) = reviewed_plans_of(
        text,
        run,
        repository="octo-org/infra",
        pull_request=7,
        head=HEAD,
        projects=["infra/aws/envs/dev"],
        workflow_path=WORKFLOW,
    ).values()
    return plan(
        recorded_sha256=reviewed.sha256,
        current_sha256=file_sha256,
        record_problem=reviewed.problem,
        policy_failures=reviewed.policy_failures,
    )


def approved(user: str, commit: str = HEAD) -> ReviewDecision:
    return ReviewDecision(user, "APPROVED", commit)


REFUSED = [
    ("no review at all", Scenario(reviews=[]), "no approval for the head commit"),
    ("a comment is not an approval", Scenario(reviews=[ReviewDecision("alice", "COMMENTED", HEAD)]), "no approval"),
    ("self-approval by the asker", Scenario(reviews=[approved("bob")]), "bob asked for this change"),
    ("self-approval, other case", Scenario(reviews=[approved("BoB")]), "cannot approve"),
    ("approval by the PR's author", Scenario(reviews=[approved("dana")]), "dana opened the pull request"),
    ("approval before the latest push", Scenario(reviews=[approved("alice", EARLIER)]), "for an earlier commit"),
    ("approval of an unrelated commit", Scenario(reviews=[approved("alice", OTHER)]), "for an earlier commit"),
    (
        "dismissed approval",
        Scenario(reviews=[approved("alice"), ReviewDecision("alice", "DISMISSED", HEAD)]),
        "no approval",
    ),
    (
        "approval withdrawn by a change request",
        Scenario(reviews=[approved("alice"), ReviewDecision("alice", "CHANGES_REQUESTED", HEAD)]),
        "requested changes",
    ),
    (
        "another reviewer requests changes",
        Scenario(reviews=[approved("alice"), ReviewDecision("erin", "CHANGES_REQUESTED", HEAD)]),
        "erin requested changes",
    ),
    (
        "the asker's approval does not make up the count",
        Scenario(reviews=[approved("alice"), approved("bob")], facts={"required_approvals": 2}),
        "requires 2 approvals",
    ),
    ("protection asks for two approvals", Scenario(facts={"required_approvals": 2}), "requires 2 approvals"),
    ("plan file swapped", Scenario(projects=plan(current_sha256="b" * 64)), "altered after review"),
    ("plan file missing", Scenario(projects=plan(current_sha256=None)), "plan file is missing"),
    ("plan for another commit", Scenario(projects=plan(plan_commit=EARLIER)), "not the head"),
    ("never planned", Scenario(projects=plan(plan_commit=None, recorded_sha256=None)), "no saved plan"),
    ("nothing planned at all", Scenario(projects=[]), "nothing to apply"),
    ("lock held by another PR", Scenario(projects=plan(lock_holder="octo-org/infra#3")), "locked by octo-org/infra#3"),
    ("lock released meanwhile", Scenario(projects=plan(lock_holder=None)), "not locked by this change"),
    (
        "one of two projects altered",
        Scenario(projects=[*plan(), PlannedProject("infra/aws/envs/prod", HEAD, SHA, "c" * 64, CHANGE)]),
        "infra/aws/envs/prod: the plan file was altered",
    ),
    ("fork pull request", Scenario(facts={"is_fork": True}), "comes from a fork"),
    ("merged, apply before merge", Scenario(facts={"merged": True, "state": "closed"}), "is merged"),
    ("closed without merge", Scenario(facts={"state": "closed"}), "is closed"),
    ("apply after merge, not merged yet", Scenario(facts={"apply_after_merge": True}), "merge the pull request first"),
    (
        "asker lacks the permission",
        Scenario(facts={"asker_refusal": "`/infra apply` may be run by people with the maintain permission"}),
        "maintain permission",
    ),
    ("command edited after approval", Scenario(facts={"command_edited": True}), "was edited"),
    ("base branch not protected", Scenario(facts={"base_protected": False}), "not protected"),
    (
        "policy denies",
        Scenario(projects=plan(policy_failures=(PolicyFailure("olympus", "aws_s3_bucket.x: public ACL"),))),
        "policy set olympus fails: aws_s3_bucket.x: public ACL",
    ),
    ("no plan run for the head", Scenario(projects=on_github(None, None)), "no finished run"),
    ("the plan run uploaded no record", Scenario(projects=on_github(None)), "uploaded an olympus-plan-record artifact"),
    ("the record is not a record", Scenario(projects=on_github("<html>")), "not a readable record"),
    ("the record is for another PR", Scenario(projects=on_github(record(number=8))), "not octo-org/infra#7"),
    ("the record is for another commit", Scenario(projects=on_github(record(head=OTHER))), "not octo-org/infra#7"),
    (
        "store swapped with a matching hash beside it",
        Scenario(projects=on_github(record(), file_sha256="b" * 64)),
        "altered after review",
    ),
    (
        "the record names no plan of it",
        Scenario(projects=on_github(record_text("octo-org/infra", 7, HEAD, "r", {}))),
        "recorded no plan of it",
    ),
    (
        "the recorded policy result failed",
        Scenario(projects=on_github(record(failures=(PolicyFailure("security", "deny: public bucket"),)))),
        "deny: public bucket",
    ),
    (
        "the bot's own approval",
        Scenario(author="olympus[bot]", reviews=[approved("olympus[bot]")]),
        "an app's approval does not count",
    ),
    (
        "stale and own approvals together",
        Scenario(reviews=[approved("alice", EARLIER), approved("bob")]),
        "for an earlier commit",
    ),
]


@pytest.mark.parametrize(("case", "scenario", "reason"), REFUSED, ids=[c[0] for c in REFUSED])
def test_refused_with_its_reason(case: str, scenario: Scenario, reason: str) -> None:
    decision = scenario.decide()
    assert isinstance(decision, Blocked), case
    assert any(reason in r for r in decision.reasons), decision.reasons


def test_there_are_at_least_thirty_scenarios() -> None:
    assert len(REFUSED) >= 30


@pytest.mark.parametrize(
    ("case", "scenario", "approvers"),
    [
        ("one approval at head", Scenario(), ("alice",)),
        (
            "approval renewed after a push",
            Scenario(reviews=[approved("alice", EARLIER), approved("alice")]),
            ("alice",),
        ),
        (
            "two approvals where two are required",
            Scenario(reviews=[approved("alice"), approved("erin")], facts={"required_approvals": 2}),
            ("alice", "erin"),
        ),
        (
            "apply after merge, merged",
            Scenario(facts={"apply_after_merge": True, "merged": True, "state": "closed"}),
            ("alice",),
        ),
        (
            "change request resolved by a later approval",
            Scenario(
                reviews=[ReviewDecision("erin", "CHANGES_REQUESTED", EARLIER), approved("erin"), approved("alice")]
            ),
            ("alice", "erin"),
        ),
    ],
)
def test_clean_cases_are_allowed(case: str, scenario: Scenario, approvers: tuple[str, ...]) -> None:
    assert scenario.decide() == Allowed(approvers), case


def test_every_reason_is_listed_at_once() -> None:
    decision = Scenario(reviews=[], projects=plan(current_sha256=None), facts={"is_fork": True}).decide()
    assert isinstance(decision, Blocked)
    assert len(decision.reasons) == 3

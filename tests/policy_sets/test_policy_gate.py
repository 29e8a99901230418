"""The gate and the policies: a blocking set's failures hold the apply until an owner who is not the change's
approves them at the head commit."""

from __future__ import annotations

from dataclasses import replace

from bot.domain.authorship import Authorship, CommitFacts, authorship_of
from bot.domain.gate import Allowed, Approval, Blocked, GateInput, PlannedProject, PolicyApproval, decide
from bot.domain.policies.results import PolicyFailure

HEAD = "a" * 40
OLD = "b" * 40
SHA = "c" * 64
FAILING = (PolicyFailure("olympus", "aws_s3_bucket.x: no owner tag"), PolicyFailure("security", "public ACL"))


def gate(*approvals: PolicyApproval, contributors: Authorship | None = None) -> GateInput:
    project = PlannedProject("dev", HEAD, SHA, SHA, "infra/x", policy_failures=FAILING)
    return GateInput(
        change_id="infra/x",
        head_commit=HEAD,
        requesters=("bob",),
        approvals=(Approval("alice", HEAD),),
        projects=(project,),
        contributors=contributors or Authorship(),
        policy_approvals=approvals,
    )


def reasons(decision: Allowed | Blocked) -> str:
    assert isinstance(decision, Blocked), decision
    return "\n".join(decision.reasons)


def test_each_failing_set_is_one_reason_naming_the_command() -> None:
    text = reasons(decide(gate()))
    assert "dev: policy set olympus fails: aws_s3_bucket.x: no owner tag" in text
    assert "`/infra approve_policies --policy-set security`" in text


def test_an_owners_approval_at_head_lets_its_set_through_and_only_it() -> None:
    text = reasons(decide(gate(PolicyApproval("carol", "olympus", HEAD))))
    assert "policy set olympus" not in text and "policy set security fails" in text
    both = gate(PolicyApproval("carol", "olympus", HEAD), PolicyApproval("dave", "security", HEAD))
    assert decide(both) == Allowed(("alice",))


def test_an_approval_of_an_earlier_commit_does_not_count() -> None:
    text = reasons(decide(gate(PolicyApproval("carol", "olympus", OLD), PolicyApproval("dave", "security", OLD))))
    assert "policy set olympus fails" in text and "policy set security fails" in text


def test_the_requester_and_the_changes_authors_cannot_approve_its_policies() -> None:
    by_requester = reasons(
        decide(gate(PolicyApproval("bob", "olympus", HEAD), PolicyApproval("dave", "security", HEAD)))
    )
    assert (
        "bob asked for this change or its apply, so their approval of policy set olympus does not count" in by_requester
    )
    author = CommitFacts(sha=HEAD, author="erin", committer="erin")
    written = authorship_of([author], ())
    by_author = reasons(decide(gate(PolicyApproval("erin", "olympus", HEAD), contributors=written)))
    assert "erin" in by_author and "policy set olympus fails" in by_author


def test_an_untrusted_record_does_not_count() -> None:
    text = reasons(decide(gate(PolicyApproval("carol", "olympus", HEAD, problem="its seal does not check"))))
    assert "the policy approval by carol does not count: its seal does not check" in text


def test_failures_of_no_set_cannot_be_approved() -> None:
    project = PlannedProject("dev", HEAD, SHA, SHA, "infra/x", policy_failures=(PolicyFailure("", "legacy"),))
    base = replace(gate(PolicyApproval("carol", "olympus", HEAD)), projects=(project,))
    assert "policy set (unnamed) fails: legacy" in reasons(decide(base))

"""The Action's policy approvals read from comments: by owners, after the head's plan, never edited."""

from __future__ import annotations

from bot.domain.gate import PolicyApproval
from bot.domain.policies.comment_approvals import IssueComment, approvals_in_comments

HEAD = "a" * 40
SINCE = "2026-12-02T10:00:00Z"
OWNERS = {"olympus": ("carol", "acme/platform"), "security": ("dave",)}
TEAM = {("erin", "acme/platform")}


def owns(user: str, owner: str) -> bool:
    return user == owner or (user, owner) in TEAM


def comment(user: str, body: str, at: str = "2026-12-02T11:00:00Z", edited: str = "") -> IssueComment:
    return IssueComment(user, body, at, edited or at)


def read(*comments: IssueComment) -> list[PolicyApproval]:
    return approvals_in_comments(
        comments, head=HEAD, since=SINCE, failing=["olympus", "security"], owners=OWNERS, owns=owns
    )


def test_an_owner_approves_the_sets_they_own_a_team_member_too() -> None:
    assert read(comment("carol", "/infra approve_policies")) == [PolicyApproval("carol", "olympus", HEAD)]
    assert read(comment("erin", "/infra approve_policies --policy-set olympus")) == [
        PolicyApproval("erin", "olympus", HEAD)
    ]
    assert read(comment("dave", "/infra approve_policies --policy-set security")) == [
        PolicyApproval("dave", "security", HEAD)
    ]


def test_what_does_not_count() -> None:
    assert read(comment("mallory", "/infra approve_policies")) == []  # owns nothing
    assert read(comment("carol", "/infra approve_policies --policy-set security")) == []  # not hers
    assert read(comment("carol", "/infra approve_policies", at="2026-12-02T09:59:59Z")) == []  # before the push
    assert read(comment("carol", "please /infra approve_policies")) == []  # not a command alone
    (edited,) = read(comment("carol", "/infra approve_policies", edited="2026-12-02T12:00:00Z"))
    assert "edited" in edited.problem

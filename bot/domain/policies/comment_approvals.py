"""The Action's policy approvals: `/infra approve_policies` comments by set owners, written after the head's plan.

The Action keeps no store between jobs, so the comment is the record: GitHub says who wrote it and when. A comment
counts for the head commit when it was written after the plan run of that commit started (so after its push) and
was never edited; the owners are the base branch's, and the gate still refuses whoever wrote or asked for the change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.domain.commands import ApprovePolicies, parse
from bot.domain.gate import PolicyApproval


@dataclass(frozen=True)
class IssueComment:
    """One comment as GitHub lists it: its author, text and ISO 8601 times (sortable as text)."""

    user: str
    body: str
    created_at: str
    updated_at: str


def approvals_in_comments(
    comments: Sequence[IssueComment],
    *,
    head: str,
    since: str,
    failing: Sequence[str],
    owners: Mapping[str, Sequence[str]],
    owns: Callable[[str, str], bool],
) -> list[PolicyApproval]:
    """The approvals of failing sets the comments make at head; `owns(user, owner)` says whether an owner entry
    (a login or `org/team`) is the user or a team they belong to."""
    approvals: list[PolicyApproval] = []
    for comment in comments:
        command = parse(comment.body)
        if not isinstance(command, ApprovePolicies) or not since or comment.created_at < since:
            continue
        edited = comment.updated_at not in ("", comment.created_at)
        for name in [command.policy_set] if command.policy_set else failing:
            if name not in failing or not any(owns(comment.user, owner) for owner in owners.get(name, ())):
                continue
            problem = "the comment was edited after it was written; comment the command again" if edited else ""
            approvals.append(PolicyApproval(comment.user, name, head, problem))
    return approvals

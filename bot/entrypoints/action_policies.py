"""The Action's apply job reads the policy approvals from the pull request's `/infra approve_policies` comments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.adapters.github.issue_comments import issue_comments
from bot.adapters.github.plan_records import GitHubPlanRecords
from bot.adapters.github.repo_reader import GitHubRepoReader
from bot.domain.gate import PolicyApproval
from bot.domain.identities import canonical
from bot.domain.plan_evidence import ReviewedPlan, plan_runs_of
from bot.domain.policies.comment_approvals import approvals_in_comments
from bot.domain.policies.config import PolicySettings
from bot.ports import PullRequestInfo
from bot.services.policy_check import base_policy_settings


def policy_approvals_from_comments(
    codehost: Any, repo: str, pr: PullRequestInfo, reviewed: Mapping[str, ReviewedPlan], workflow_path: str
) -> list[PolicyApproval]:
    """Owners' approvals of the sets failing in the reviewed plans, from comments written since the head's first plan
    run; the owners are read from the base branch's `.olympus.yaml`."""
    failing = sorted({f.policy_set for plan in reviewed.values() for f in plan.policy_failures if f.policy_set})
    if not failing:
        return []
    runs = plan_runs_of(GitHubPlanRecords(codehost).runs_at(repo, pr.head_sha), pr.head_sha, workflow_path)
    since = min((run.created_at for run in runs), default="")
    settings = base_policy_settings(GitHubRepoReader(codehost, repo, pr.base_branch))
    owners: dict[str, tuple[str, ...]] = {}
    if isinstance(settings, PolicySettings):  # a broken base configuration names no owners: nothing is approved
        for name in failing:
            policy_set = settings.named(name)
            owners[name] = policy_set.owners if policy_set is not None else ()

    def owns(user: str, owner: str) -> bool:
        org, _, team = owner.partition("/")
        if not team:
            return canonical(owner) == canonical(user)
        return bool(codehost.is_team_member(org, team, user))

    comments = issue_comments(codehost, repo, pr.number)
    return approvals_in_comments(comments, head=pr.head_sha, since=since, failing=failing, owners=owners, owns=owns)

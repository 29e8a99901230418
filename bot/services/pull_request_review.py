"""What GitHub says of a pull request when its apply is decided, read once the same way for the App and the Action."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.domain.authorship import Authorship, CommitFacts, Push, authorship_of, co_authors_in
from bot.domain.codeowners import CODEOWNERS_PATHS, owners_of, parse_codeowners
from bot.domain.gate import Approval, PullRequestFacts, ReviewDecision, approvals_from, changes_requested_by
from bot.domain.identities import canonical, is_app, same_person
from bot.ports import CodeHost, PullCommit, PullRequestInfo, Review

# GitHub lists at most this many commits of a pull request; a longer one may hide a commit's author.
# https://docs.github.com/en/rest/pulls/pulls#list-commits-on-a-pull-request
MAX_LISTED_COMMITS = 250
# Roles whose approval GitHub counts towards a protected branch's required reviews.
_APPROVING_ROLES = frozenset({"write", "maintain", "admin"})


@dataclass(frozen=True)
class PullRequestReview:
    """The gate's view of a pull request: its facts, the approvals that are on it, and who wrote or pushed it."""

    facts: PullRequestFacts
    approvals: list[Approval]
    contributors: Authorship


def review_decisions(reviews: Sequence[Review]) -> list[ReviewDecision]:
    """The PR's reviews in the order they were submitted, as the gate reads them."""
    ordered = sorted(reviews, key=lambda r: (r.submitted_at is None, r.submitted_at))
    return [ReviewDecision(r.user, r.state, r.commit_id) for r in ordered]


def read_pull_request_review(
    codehost: CodeHost,
    repo: str,
    pr: PullRequestInfo,
    *,
    pushes: Sequence[Push],
    changed_files: Sequence[str],
    asker_refusal: str = "",
    apply_after_merge: bool = False,
    command_edited: bool = False,
) -> PullRequestReview:
    """Reviews, protection, code owners, commits and pushes as GitHub has them now, for the gate.

    `pushes` are the door's own record of who pushed (the App's webhooks, the Action's runs); GitHub's repository
    activity for the head branch is added to them.
    """
    pushes = [*codehost.branch_pushes(repo, pr.head_branch), *pushes]
    reviews = review_decisions(codehost.reviews(repo, pr.number))
    protection = codehost.branch_protection(repo, pr.base_branch)
    approvals = [_with_permission(codehost, repo, a) for a in approvals_from(reviews)]
    commits = codehost.pull_request_commits(repo, pr.number)
    contributors = authorship_of([commit_facts(c) for c in commits], pushes, fallback_pusher=pr.author)
    if len(commits) >= MAX_LISTED_COMMITS:
        contributors = replace(
            contributors,
            problems=(
                *contributors.problems,
                f"the pull request has {MAX_LISTED_COMMITS} commits or more, and GitHub lists only "
                f"{MAX_LISTED_COMMITS}: who wrote the rest cannot be known; squash or split it",
            ),
        )
    facts = PullRequestFacts(
        author=pr.author,
        is_fork=pr.is_fork,
        state=pr.state,
        merged=pr.merged,
        apply_after_merge=apply_after_merge,
        base_protected=protection.protected,
        required_approvals=protection.required_approvals,
        asker_refusal=asker_refusal,
        command_edited=command_edited,
        changes_requested_by=changes_requested_by(reviews),
        base_branch=pr.base_branch,
    )
    if protection.code_owner_reviews:
        at_head = [a.user for a in approvals if a.commit == pr.head_sha and not a.problem]
        owners = _code_owners(codehost, repo, pr.base_branch, changed_files)
        facts = replace(
            facts,
            code_owners=owners,
            owner_approvers=_owner_approvers(codehost, {o for found in owners.values() for o in found}, at_head),
        )
    return PullRequestReview(facts, approvals, contributors)


def commit_facts(commit: PullCommit) -> CommitFacts:
    """A commit as the gate weighs it: an app's only when GitHub verified that app's own signed API commit."""
    claims_app = any(is_app(name) for name in (commit.author_login, commit.author_name, commit.committer_login))
    made_by_app = (
        commit.verified
        and is_app(commit.author_login)
        and canonical(commit.committer_login) in {canonical(commit.author_login), "web-flow"}
    )
    return CommitFacts(
        sha=commit.sha,
        author=commit.author_login,
        committer=commit.committer_login,
        author_email=commit.author_email,
        committer_email=commit.committer_email,
        co_authors=co_authors_in(commit.message),
        claims_app=claims_app,
        made_by_app=made_by_app,
    )


def _with_permission(codehost: CodeHost, repo: str, approval: Approval) -> Approval:
    """An approval counts only while its reviewer can still write to the repository, as GitHub counts them."""
    if is_app(approval.user):
        return approval
    role = codehost.permission_of(repo, approval.user)
    if role in _APPROVING_ROLES:
        return approval
    now = "no access to" if role == "none" else f"{role} permission on"
    return replace(approval, problem=f"{approval.user} has {now} {repo} now; a reviewer needs write")


def _code_owners(codehost: CodeHost, repo: str, base: str, changed: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Each changed file's code owners, from the base branch's CODEOWNERS (as GitHub reads it)."""
    text = next((t for t in (codehost.read_file(repo, base, p) for p in CODEOWNERS_PATHS) if t is not None), "")
    rules = parse_codeowners(text)
    return {path: owners_of(rules, path) for path in changed}


def _owner_approvers(codehost: CodeHost, owners: set[str], approvers: Sequence[str]) -> dict[str, list[str]]:
    """For each owner, the approvers who are it (`@user`) or belong to it (`@org/team`); emails match no one."""
    found: dict[str, list[str]] = {}
    for owner in sorted(owners):
        name = owner.removeprefix("@")
        org, _, team = name.partition("/")
        if not owner.startswith("@"):
            found[owner] = []
        elif team:
            found[owner] = [a for a in approvers if codehost.is_team_member(org, team, a)]
        else:
            found[owner] = [a for a in approvers if same_person(a, name)]
    return found

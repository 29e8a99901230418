"""`/infra approve_policies` on a pull request: the commenter's ownership asked of GitHub, the approval recorded."""

from __future__ import annotations

from collections.abc import Callable

from bot.adapters.github.repo_reader import GitHubRepoReader
from bot.domain.authorship import excluded_people
from bot.domain.commands import ApprovePolicies
from bot.domain.identities import canonical
from bot.domain.markdown import code
from bot.ports import CodeHost
from bot.services.approve_policies import PolicyApprovalAsk, approve_policies
from bot.services.context import Loop
from bot.services.github_checkout import change_id_of
from bot.services.policy_reports import POLICY_CHECK_PREFIX
from bot.services.pull_requests import requesters_of, reviewed_checkout
from bot.services.replies import ReplyTo


def approve_policies_on_pull_request(
    loop: Loop, codehost: CodeHost, repo: str, number: int, *, user: str, command: ApprovePolicies, reply: ReplyTo
) -> None:
    """Record user's approval of the head's failing policy sets they own, and say so on the pull request."""
    change_id = change_id_of(repo, number)
    with loop.store.one_at_a_time(f"plan {change_id}"):
        pr = codehost.pull_request(repo, number)
        # Who wrote, pushed and asked for the change, as the gate reads them; the approver is not one of the askers.
        _checkout, review = reviewed_checkout(loop, codehost, repo, pr, asker="")
        excluded = excluded_people(requesters_of(loop, change_id, ""), pr.author, review.contributors)
        ask = PolicyApprovalAsk(
            change_id, pr.head_sha, user, command.policy_set, _owner_check(codehost, user), excluded
        )
        outcome = approve_policies(loop, GitHubRepoReader(codehost, repo, pr.base_branch), ask)
    for name in outcome.approved:
        # The set's check run at head, superseded (GitHub shows the newest of a name): a required check passes.
        codehost.create_check_run(
            repo,
            pr.head_sha,
            POLICY_CHECK_PREFIX + name,
            status="completed",
            conclusion="success",
            title=f"Failures approved by {canonical(user)}",
            summary=f"An owner of policy set {code(name)} approved its failures at {code(pr.head_sha[:12])}.",
        )
    sets = ", ".join(code(name) for name in outcome.approved)
    text = (
        f"**Policies approved**: {code(canonical(user))} approved the failures of {sets} at {code(pr.head_sha[:12])}. "
        "A new push is judged again and needs a new approval."
    )
    if outcome.still_failing:
        text += f"\n\nStill failing (their owners must approve): {', '.join(code(n) for n in outcome.still_failing)}."
    reply.say(text)


def _owner_check(codehost: CodeHost, user: str) -> Callable[[str], bool]:
    """An owner entry names the user, or a team GitHub says the user belongs to."""

    def is_owner(owner: str) -> bool:
        org, _, team = owner.partition("/")
        if not team:
            return canonical(owner) == canonical(user)
        return codehost.is_team_member(org, team, user)

    return is_owner

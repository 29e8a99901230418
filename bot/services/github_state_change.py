"""`/infra import` and `/infra state rm` on a pull request: the base branch's settings, GitHub's reviews, the gate."""

from __future__ import annotations

from dataclasses import replace

from bot.adapters.github.repo_reader import GitHubRepoReader
from bot.domain.authorship import Push
from bot.domain.commands import PREFIX, Import, StateRm
from bot.domain.gate import Blocked
from bot.domain.markdown import code, fence, one_line
from bot.errors import UserError
from bot.ports import CodeHost
from bot.services.github_checkout import change_id_of, pull_request_checkout
from bot.services.pull_request_review import read_pull_request_review
from bot.services.pull_requests import requesters_of
from bot.services.state_change import change_state
from bot.wiring import Loop

__all__ = ["state_change_pull_request"]


def state_change_pull_request(
    loop: Loop, codehost: CodeHost, repo: str, number: int, *, asker: str, command: Import | StateRm
) -> None:
    """Run the command in the PR's project through the same gate as apply, and say what happened on the PR."""
    pr = codehost.pull_request(repo, number)
    verb = "import" if isinstance(command, Import) else "state rm"
    if pr.state != "open":
        raise UserError(
            "pull-request-closed", f"#{number} is {pr.state}", f"run `{PREFIX} {verb}` on an open pull request"
        )
    change_id = change_id_of(repo, number)
    checkout = pull_request_checkout(codehost, repo, pr, loop.state_dir, requesters_of(loop, change_id, asker))
    pushes = [Push(p.pusher, p.head) for p in loop.store.pushes_for(repo, pr.head_branch, change_id)]
    review = read_pull_request_review(codehost, repo, pr, pushes=pushes, changed_files=checkout.changed_files)
    checkout = replace(checkout, contributors=review.contributors)
    # The base branch decides whether the command is on: the pull request's own .olympus.yaml may not.
    base = GitHubRepoReader(codehost, repo, pr.base_branch)
    report = change_state(loop, checkout, command, base=base, approvals=review.approvals, pull_request=review.facts)
    head = pr.head_sha[:12]
    if isinstance(report.decision, Blocked):
        reasons = "\n".join(f"- {one_line(reason)}" for reason in report.decision.reasons)
        codehost.post_comment(repo, number, f"**`{PREFIX} {verb}` refused** for `{head}`:\n\n{reasons}")
        return
    if report.error:
        lines = [f"**`{PREFIX} {verb}` failed** in {code(report.project)} at `{head}`:", "", *fence(report.error)]
        codehost.post_comment(repo, number, "\n".join(lines))
        return
    approvers = ", ".join(f"@{a}" for a in report.decision.approvers)
    lines = [
        f"**`{PREFIX} {verb}` done** in {code(report.project)} at `{head}` (approved by {approvers}).",
        "",
        *fence(report.output),
        "",
        f"The state changed, so the saved plans were discarded: comment `{PREFIX} plan` to plan again.",
    ]
    codehost.post_comment(repo, number, "\n".join(lines))

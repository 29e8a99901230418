"""`/infra import` and `/infra state rm` on a pull request: the base branch's settings, GitHub's reviews, the gate."""

from __future__ import annotations

from bot.adapters.github.repo_reader import GitHubRepoReader
from bot.domain.commands import PREFIX, Import, StateRm
from bot.domain.gate import Blocked
from bot.domain.markdown import bullet_list, code, fence
from bot.errors import UserError
from bot.ports import CodeHost
from bot.services.context import Loop
from bot.services.github_checkout import change_id_of
from bot.services.pull_requests import reviewed_checkout
from bot.services.replies import ReplyTo, notice_key
from bot.services.state_change import change_state

__all__ = ["state_change_pull_request"]


def state_change_pull_request(
    loop: Loop,
    codehost: CodeHost,
    repo: str,
    number: int,
    *,
    asker: str,
    command: Import | StateRm,
    reply: ReplyTo | None = None,
) -> None:
    """Run the command in the PR's project through the same gate as apply, and say what happened on the PR (once,
    through `reply`); it takes turns with the PR's plans and applies."""
    change_id = change_id_of(repo, number)
    with loop.store.one_at_a_time(f"plan {change_id}"):
        answer = reply or ReplyTo(codehost, repo, number, notice_key(change_id, "state"))
        _change_state(loop, codehost, repo, number, asker, command, answer)


def _change_state(
    loop: Loop, codehost: CodeHost, repo: str, number: int, asker: str, command: Import | StateRm, answer: ReplyTo
) -> None:
    pr = codehost.pull_request(repo, number)
    verb = "import" if isinstance(command, Import) else "state rm"
    if pr.state != "open":
        raise UserError(
            "pull-request-closed", f"#{number} is {pr.state}", f"run `{PREFIX} {verb}` on an open pull request"
        )
    checkout, review = reviewed_checkout(loop, codehost, repo, pr, asker)
    # The base branch decides whether the command is on: the pull request's own .olympus.yaml may not.
    base = GitHubRepoReader(codehost, repo, pr.base_branch)
    report = change_state(loop, checkout, command, base=base, approvals=review.approvals, pull_request=review.facts)
    head = pr.head_sha[:12]
    if isinstance(report.decision, Blocked):
        reasons = bullet_list(report.decision.reasons)
        answer.say(f"**`{PREFIX} {verb}` refused** for `{head}`:\n\n{reasons}")
        return
    if report.error:
        lines = [f"**`{PREFIX} {verb}` failed** in {code(report.project)} at `{head}`:", "", *fence(report.error)]
        answer.say("\n".join(lines))
        return
    approvers = ", ".join(f"@{a}" for a in report.decision.approvers)
    lines = [
        f"**`{PREFIX} {verb}` done** in {code(report.project)} at `{head}` (approved by {approvers}).",
        "",
        *fence(report.output),
        "",
        f"The state changed, so the saved plans were discarded: comment `{PREFIX} plan` to plan again.",
    ]
    answer.say("\n".join(lines))

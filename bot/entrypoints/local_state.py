"""The CLI's `/infra import` and `/infra state rm`: the change branch through the apply gate, the base's settings."""

from __future__ import annotations

from pathlib import Path

from bot.adapters.git_tree import GitTreeReader
from bot.domain.commands import Import, StateRm
from bot.domain.gate import Blocked
from bot.entrypoints.local_loop import change_branch, command_loop, refused_by_gate
from bot.errors import UserError
from bot.services.local_checkout import local_checkout
from bot.services.state_change import change_state

__all__ = ["change_state_of_branch"]


def change_state_of_branch(
    repo: Path, command: Import | StateRm, *, sandbox: bool, base: str | None, actor: str | None
) -> int:
    """Run the command on the change branch when the base branch allows it and the gate says yes."""
    loop, progress, base = command_loop(repo, sandbox=sandbox, actor=actor, base=base)
    branch = change_branch(loop, None, base)
    verb = "import" if isinstance(command, Import) else "state rm"
    # The base branch's .olympus.yaml decides whether the command is on, not the change's own.
    settings = GitTreeReader(loop.local_git, loop.local_git.commit_of(base))
    try:
        with local_checkout(loop, branch, base) as checkout:
            report = change_state(loop, checkout, command, base=settings)
    finally:
        progress.done()
    if isinstance(report.decision, Blocked):
        raise refused_by_gate(
            "state-change-refused", f"`{verb}` on {branch}", report.decision, "approvals and locks", repo
        )
    if report.error:
        raise UserError(
            "state-change-failed",
            f"terraform {verb} failed: {report.error}",
            "fix what Terraform reports (the address, the id, the project), then run the command again",
        )
    print(report.output)
    approvers = ", ".join(report.decision.approvers)
    print(f"{verb} done in {report.project} at {report.head[:12]} (approved by {approvers})")
    print("the state changed, so the saved plans were discarded: plan again")
    return 0

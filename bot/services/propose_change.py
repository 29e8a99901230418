"""Propose a change: a create, update or destroy command → MCP tool call → a commit on branch infra/<slug>."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.branches import branch_of
from bot.domain.commands import ChangeCommand, render_command, to_tool_call
from bot.domain.models import ChangeSet, FileChange, Refusal
from bot.errors import UserError
from bot.services.context import Loop

# Calls one MCP tool by name over the repository as it is at a git ref, and returns its structured result.
ToolCaller = Callable[[str, str, Mapping[str, Any]], Mapping[str, Any]]


@dataclass(frozen=True)
class Proposed:
    """The outcome of a request: the branch and commit, or unchanged when the branch already holds it."""

    branch: str
    commit: str
    change: ChangeSet
    command_line: str
    unchanged: bool


def commit_message(change: ChangeSet, command_line: str, requester: str) -> str:
    """What and why, then trailers that record who asked (the gate reads Requested-by)."""
    return f"{change.title}\n\n{change.description}\n\nOlympus-Command: {command_line}\nRequested-by: {requester}\n"


def propose_change(
    loop: Loop,
    command: ChangeCommand,
    base: str,
    call_tool: ToolCaller,
    before_commit: Callable[[str, ChangeSet], None] | None = None,
) -> Proposed:
    """Carry out a create, update or destroy request as one commit on its own branch; a refusal is a UserError.

    `before_commit(ref, change)` may refuse the change (a UserError) before any branch or commit exists.
    """
    command_line = render_command(command)
    branch = branch_of(command)
    tool, args = to_tool_call(command)
    with loop.store.audited(loop.actor, "propose", {"command": command_line, "branch": branch}) as outcome:
        # Tools see the branch when it already exists, so a repeated request is recognized as done.
        ref = branch if loop.local_git.branch_exists(branch) else base
        result = change_or_refusal(call_tool(ref, tool, args))
        if isinstance(result, Refusal):
            raise UserError("request-refused", result.message, _hint(result))
        if result.unchanged:
            outcome.result = "unchanged"
            return Proposed(branch, loop.local_git.commit_of(ref), result, command_line, unchanged=True)
        if before_commit is not None:
            before_commit(ref, result)
        held = loop.local_git.checked_out_at(branch)
        if held is not None:
            raise UserError(
                "branch-checked-out",
                f"{branch} is checked out in {held}, and Olympus does not move a branch under a checkout",
                f"switch that checkout to another branch (`git -C {held} switch -`), then ask again",
            )
        message = commit_message(result, command_line, loop.actor)
        commit = loop.local_git.commit_change(branch, base, result, message, seal_key=loop.record_key)
        return Proposed(branch, commit, result, command_line, unchanged=False)


def change_or_refusal(result: Mapping[str, Any]) -> ChangeSet | Refusal:
    """The structured result of a change tool as a domain value."""
    if result.get("refused"):
        return Refusal(str(result["message"]), str(result.get("hint", "")), str(result.get("location", "")))
    return ChangeSet(
        title=str(result["title"]),
        description=str(result["description"]),
        files=tuple(FileChange(str(f["path"]), str(f["content"])) for f in result.get("files", [])),
        unchanged=bool(result.get("unchanged", False)),
    )


def _hint(refusal: Refusal) -> str:
    where = f"see {refusal.location}" if refusal.location else ""
    return "; ".join(part for part in (refusal.hint.rstrip("."), where) if part)

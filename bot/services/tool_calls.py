"""Call the change tools in-process: through the MCP SDK's client (the App), or as the server calls them (the CLI)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from bot.adapters.git_tree import GitTreeReader
from bot.adapters.localgit import LocalGit
from bot.errors import UserError
from bot.tools.in_process import ToolCallError, call_in_process
from bot.tools.proposal_tools import proposal_tools

if TYPE_CHECKING:
    from bot.changes.terraform import Installable


def call_tool(server: Any, name: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """One tool call through a real MCP client session: its structured result, or for a refused change the structured
    refusal (an error result's, {"refused": true, ...}); any other tool error becomes a UserError with its message."""
    # Imported here: the SDK's import is about a second, and the CLI's calls never need it (git_tool_caller).
    import anyio
    from mcp import Client

    async def go() -> dict[str, Any]:
        async with Client(server) as client:
            result = await client.call_tool(name, dict(arguments))
        if result.is_error:
            if isinstance(result.structured_content, dict) and result.structured_content.get("refused") is True:
                return dict(result.structured_content)
            raise _refused(name, " ".join(getattr(block, "text", "") for block in result.content))
        return dict(result.structured_content or {})

    return anyio.run(go)


def git_tool_caller(
    git: LocalGit, installable: Installable | None = None
) -> Callable[[str, str, Mapping[str, Any]], Mapping[str, Any]]:
    """A ToolCaller that serves the tools over the repository as it is at the given ref.

    The tools are those the MCP server serves, called as it calls them (bot/tools/in_process.py) without the
    SDK's session: same validation, results and error texts. A refused change comes back as its structured refusal,
    as call_tool returns it. `installable` tells the Terraform tools which provider versions can be installed where the
    plan will run.
    """
    propose = None
    if installable is not None:
        from bot.changes import terraform

        propose = functools.partial(terraform.propose, installable=installable)

    repo_url = git.origin_url()  # what a new Argo CD Application's source names; "" without a remote

    def caller(ref: str, name: str, arguments: Mapping[str, Any]) -> Mapping[str, Any]:
        try:
            tools = proposal_tools(GitTreeReader(git, ref), propose=propose, repo_url=repo_url)
            return call_in_process(tools, name, arguments)
        except ToolCallError as failed:
            if failed.refusal is not None:
                return failed.refusal
            raise _refused(name, str(failed)) from None

    return caller


def _refused(name: str, text: str) -> UserError:
    return UserError(
        "invalid-arguments",
        text.strip() or f"the {name} tool refused its arguments",
        "`/infra help` lists each command's arguments and their forms",
    )

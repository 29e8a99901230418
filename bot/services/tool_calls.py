"""Call the MCP change tools in-process, through the SDK's client, over a repository at a git ref."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import anyio
from mcp import Client

from bot.adapters.git_tree import GitTreeReader
from bot.adapters.localgit import LocalGit
from bot.errors import UserError
from bot.tools.server import build_server

if TYPE_CHECKING:
    from bot.changes.terraform import Installable


def call_tool(server: Any, name: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """One tool call through a real MCP client session; a tool error becomes a UserError with its message."""

    async def go() -> dict[str, Any]:
        async with Client(server) as client:
            result = await client.call_tool(name, dict(arguments))
        if result.is_error:
            text = " ".join(getattr(block, "text", "") for block in result.content).strip()
            raise UserError(
                "invalid-arguments",
                text or f"the {name} tool refused its arguments",
                "`/infra help` lists each command's arguments and their forms",
            )
        return dict(result.structured_content or {})

    return anyio.run(go)


def git_tool_caller(
    git: LocalGit, installable: Installable | None = None
) -> Callable[[str, str, Mapping[str, Any]], Mapping[str, Any]]:
    """A ToolCaller that serves the tools over the repository as it is at the given ref.

    `installable` tells the Terraform tools which provider versions can be installed where the plan will run.
    """
    propose = None
    if installable is not None:
        from bot.changes import terraform

        propose = functools.partial(terraform.propose, installable=installable)

    def caller(ref: str, name: str, arguments: Mapping[str, Any]) -> Mapping[str, Any]:
        return call_tool(build_server(GitTreeReader(git, ref), propose=propose), name, arguments)

    return caller

"""The MCP server of change tools: each validates its arguments and proposes a ChangeSet; none runs Terraform."""

from __future__ import annotations

from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool as SdkTool
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase, FuncMetadata
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel

import bot
from bot.domain.projects import ProjectConfigError, discover_projects
from bot.domain.repo_config import ConfigErrors, load_repo_config
from bot.ports import RepoReader
from bot.tools.calls import argument_model, call, result_model
from bot.tools.change_tools import ChangeRefused, ProposeFn, Tool, ToolRefused, change_tools
from bot.tools.filesystem_repo import FileSystemRepo

__all__ = ["SERVER_NAME", "ProposeFn", "build_server", "olympus_version", "projects_in", "serve_stdio"]

SERVER_NAME = "olympus"

_INSTRUCTIONS = (
    "Olympus proposes infrastructure changes as files for a pull request. The create_*, update_resource and "
    "destroy_resource "
    "tools return the files of a proposed change; they never apply anything. When Olympus will not make a change "
    "(a name already taken, an env that deploys to another region), the result is an error whose structured content "
    "is the refusal: refused, message, hint (how to ask so that it works) and location (the conflicting definition). "
    "Plans and applies happen in the pull request, after review."
)
# Change tools only compute files from the repository; asking twice gives the same answer.
_CHANGE = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
_READ = ToolAnnotations(read_only_hint=True, open_world_hint=False)


def olympus_version() -> str:
    """Olympus's version as installed (the `olympus-bot` distribution), else the package's own."""
    try:
        return metadata.version("olympus-bot")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return bot.__version__


def build_server(
    repo: RepoReader,
    list_projects: Callable[[], list[dict[str, Any]]] | None = None,
    plan_summary: Callable[[str], dict[str, Any] | None] | None = None,
    *,
    propose: ProposeFn | None = None,
) -> MCPServer:
    """An MCP server whose change tools read `repo`; `propose` defaults to bot.changes.terraform.propose."""
    tools = [_served(tool) for tool in change_tools(repo, list_projects, plan_summary, propose=propose).values()]
    # The SDK configures the root logger at the level given; at its default (INFO) every HTTP request of the
    # process (the Claude client's included) would be logged to stderr.
    return MCPServer(
        name=SERVER_NAME, version=olympus_version(), instructions=_INSTRUCTIONS, tools=tools, log_level="WARNING"
    )


class _ArgumentsAsSent(FuncMetadata):
    """The SDK's argument step, handing the arguments on as the client sent them: the tool checks them itself
    (bot/tools/calls.py), to word a mistake for its reader rather than as pydantic's report, and as the CLI's
    in-process call words it. The input schema the server lists is that check's own model."""

    def validate_arguments(self, arguments_to_validate: dict[str, Any]) -> dict[str, Any]:
        return {"arguments": dict(arguments_to_validate)}


def _served(tool: Tool) -> SdkTool:
    """The tool as the SDK serves it: its schemas from the tool's own models, a refusal as an error result."""
    model = argument_model(tool.fn)

    def run(arguments: dict[str, Any]) -> BaseModel | CallToolResult:
        try:
            return call(tool, model, arguments)
        except ChangeRefused as refused:
            # The SDK checks only a successful result against the output schema: a refusal keeps its own shape.
            return CallToolResult(
                content=[TextContent(type="text", text=str(refused))],
                structured_content=refused.structured,
                is_error=True,
            )
        except ToolRefused as refused:
            # A ToolError's text reaches the client (any other exception's does not).
            raise ToolError(str(refused)) from None

    return SdkTool(
        fn=run,
        name=tool.name,
        title=None,
        description=tool.fn.__doc__ or "",
        parameters=model.model_json_schema(by_alias=True),
        fn_metadata=_ArgumentsAsSent(arg_model=ArgModelBase, output_model=result_model(tool.fn)),
        is_async=False,
        context_kwarg=None,
        annotations=_CHANGE if tool.changes else _READ,
    )


def serve_stdio(
    repo_root: Path,
    list_projects: Callable[[], list[dict[str, Any]]] | None = None,
    plan_summary: Callable[[str], dict[str, Any] | None] | None = None,
) -> None:
    """Serve the tools over stdin/stdout for a local MCP client, reading the working tree at repo_root.

    Without `list_projects`, the projects are those of the working tree (its `.olympus.yaml`, or discovered).
    """
    repo = FileSystemRepo(repo_root)
    build_server(repo, list_projects or (lambda: projects_in(repo)), plan_summary).run("stdio")


def projects_in(repo: RepoReader) -> list[dict[str, Any]]:
    """The repository's projects as list_projects reports them: name, dir and workspace."""
    config = load_repo_config(repo.read_text)
    if isinstance(config, ConfigErrors):
        raise ToolRefused(config.render())
    try:
        projects = discover_projects(repo.list_files(), repo.read_text, config)
    except ProjectConfigError as error:
        raise ToolRefused(str(error)) from error
    return [{"name": project.name, "dir": project.dir, "workspace": project.workspace} for project in projects]

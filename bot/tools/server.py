"""The MCP server of change tools: each validates its arguments and proposes a ChangeSet; none runs Terraform."""

from __future__ import annotations

from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import MCPServer

import bot
from bot.domain.projects import ProjectConfigError, discover_projects
from bot.domain.repo_config import ConfigErrors, load_repo_config
from bot.ports import RepoReader
from bot.tools.change_tools import ProposeFn, ToolRefused
from bot.tools.filesystem_repo import FileSystemRepo
from bot.tools.proposal_tools import proposal_tools
from bot.tools.serving import served

__all__ = ["SERVER_NAME", "ProposeFn", "build_server", "olympus_version", "projects_in", "serve_stdio"]

SERVER_NAME = "olympus"

_INSTRUCTIONS = (
    "Olympus proposes infrastructure changes as files for a pull request. The create_*, update_resource, "
    "destroy_resource, create_app, set_helm_values and upgrade_chart tools return the files of a proposed change; "
    "they never apply anything. When Olympus will not make a change "
    "(a name already taken, an env that deploys to another region), the result is an error whose structured content "
    "is the refusal: refused, message, hint (how to ask so that it works) and location (the conflicting definition). "
    "Plans and applies happen in the pull request, after review."
)


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
    repo_url: str = "",
) -> MCPServer:
    """An MCP server whose change tools read `repo`; `propose` defaults to bot.changes.terraform.propose, and a new
    Application's source names `repo_url` (when known)."""
    found = proposal_tools(repo, list_projects, plan_summary, propose=propose, repo_url=repo_url)
    tools = [served(tool) for tool in found.values()]
    # The SDK configures the root logger at the level given; at its default (INFO) every HTTP request of the
    # process (the Claude client's included) would be logged to stderr.
    return MCPServer(
        name=SERVER_NAME, version=olympus_version(), instructions=_INSTRUCTIONS, tools=tools, log_level="WARNING"
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

"""Every tool a typed change command may call, by name: Terraform's change tools with the helm and argocd ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.ports import RepoReader
from bot.tools.argocd_tools import argocd_tools
from bot.tools.change_tools import ProposeFn, Tool, change_tools
from bot.tools.helm_tools import helm_tools

__all__ = ["proposal_tools"]


def proposal_tools(
    repo: RepoReader,
    list_projects: Callable[[], list[dict[str, Any]]] | None = None,
    plan_summary: Callable[[str], dict[str, Any] | None] | None = None,
    *,
    propose: ProposeFn | None = None,
    repo_url: str = "",
) -> dict[str, Tool]:
    """The single server's tools (bot/tools/server.py) and the CLI's in-process ones: a command's tool call
    (to_tool_call) names one of these, whatever kind of change it is."""
    tools = change_tools(repo, list_projects, plan_summary, propose=propose)
    # Only the apps' change tools: reading releases and their status is the helm and argocd servers' (with a
    # renderer and an Argo CD to ask), not this one's.
    apps = helm_tools(repo) | argocd_tools(repo, repo_url=repo_url)
    return tools | {name: tool for name, tool in apps.items() if tool.changes}

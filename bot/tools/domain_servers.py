"""One MCP server per domain (aws, gcp, helm, argocd, state), each counting its own tool calls."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.tools import Tool as SdkTool

from bot.app_ports import ChartRenderer
from bot.model_ports import DOMAIN_META
from bot.ports import RepoReader
from bot.tools.argocd_tools import AppStatus, argocd_tools
from bot.tools.change_tools import ProposeFn, Tool, change_tools
from bot.tools.cloud_destroy import cloud_destroy_tools
from bot.tools.cloud_update import cloud_update_tools
from bot.tools.domains import DOMAINS, MAX_TOOLS, Domain
from bot.tools.health import Probe
from bot.tools.helm_tools import helm_tools
from bot.tools.serving import served
from bot.tools.state_tools import state_tools
from bot.tools.tool_metrics import ToolMetrics

__all__ = ["DomainServer", "ToolSources", "domain_servers", "server_name"]


@dataclass(frozen=True)
class ToolSources:
    """What the tools read besides the repository; each left out reads as nothing recorded."""

    list_projects: Callable[[], list[dict[str, Any]]] | None = None
    plan_summary: Callable[[str], dict[str, Any] | None] | None = None
    locks: Callable[[], list[dict[str, Any]]] | None = None
    probes: Mapping[str, Probe] = field(default_factory=dict)
    propose: ProposeFn | None = None
    # helm template for render_release (HelmCli); None: the tool says helm is missing and how to install it.
    renderer: ChartRenderer | None = None
    # The Application's name → Argo CD's Application object (GET /api/v1/applications/{name}); None: not configured.
    app_status: AppStatus | None = None
    # The repository's git URL, which a new Application's source names; "" when unknown (the project's, or a
    # placeholder the pull request asks to replace).
    repo_url: str = ""


@dataclass(frozen=True)
class DomainServer:
    """A domain's MCP server, the SDK tools it serves, and its metrics."""

    domain: Domain
    server: MCPServer
    tools: tuple[SdkTool, ...]
    metrics: ToolMetrics


def server_name(domain: str) -> str:
    return f"olympus-{domain}"


def domain_servers(
    repo: RepoReader, sources: ToolSources, *, metrics: dict[str, ToolMetrics] | None = None
) -> dict[str, DomainServer]:
    """Every domain's server over `repo`, by domain name; `metrics` (server name → metrics) gains each server's, and
    the state server's metrics tool reads every server in it, those added later (a gateway's) included."""
    from bot.tools.server import olympus_version

    registry = metrics if metrics is not None else {}
    tools: dict[str, Tool] = change_tools(repo, sources.list_projects, sources.plan_summary, propose=sources.propose)
    tools |= cloud_destroy_tools(tools) | cloud_update_tools(tools)
    tools |= helm_tools(repo, sources.renderer)
    tools |= argocd_tools(repo, sources.app_status, repo_url=sources.repo_url)
    tools |= state_tools(repo, sources.locks, sources.probes, lambda: registry)
    built: dict[str, DomainServer] = {}
    for domain in DOMAINS:
        if len(domain.tools) > MAX_TOOLS:
            raise ValueError(f"domain {domain.name} has {len(domain.tools)} tools, more than {MAX_TOOLS}")
        counted = registry.setdefault(domain.name, ToolMetrics(domain.name))
        sdk_tools = tuple(served(tools[name], counted, {DOMAIN_META: domain.name}) for name in domain.tools)
        server = MCPServer(
            name=server_name(domain.name),
            version=olympus_version(),
            instructions=domain.summary,
            tools=list(sdk_tools),
            log_level="WARNING",
        )
        built[domain.name] = DomainServer(domain, server, sdk_tools, counted)
    return built

"""The MCP endpoint `olympus mcp` serves: the gateway over every domain server, or one domain's server."""

from __future__ import annotations

from typing import Final

from mcp.server.mcpserver import MCPServer

from bot.ports import RepoReader
from bot.tools.domain_servers import ToolSources, domain_servers
from bot.tools.domains import DOMAINS
from bot.tools.gateway import build_gateway
from bot.tools.tool_metrics import ToolMetrics

__all__ = ["ENDPOINTS", "build_endpoint"]

ENDPOINTS: Final = ("all", *(domain.name for domain in DOMAINS))


def build_endpoint(repo: RepoReader, sources: ToolSources, domain: str = "all") -> MCPServer:
    """The gateway ("all") or the named domain's server; ValueError for another name."""
    if domain not in ENDPOINTS:
        raise ValueError(f"no MCP endpoint {domain!r}; the endpoints are {', '.join(ENDPOINTS)}")
    metrics: dict[str, ToolMetrics] = {}
    servers = domain_servers(repo, sources, metrics=metrics)
    if domain == "all":
        return build_gateway(servers, metrics)
    return servers[domain].server

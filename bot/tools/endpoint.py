"""The MCP endpoint `olympus mcp` serves: the gateway over every domain server, or one domain's server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from mcp.server.mcpserver import MCPServer

from bot.domain.interpretation import Interpretation
from bot.ports import RepoReader
from bot.tools.domain_servers import ToolSources, domain_servers
from bot.tools.domains import DOMAINS
from bot.tools.gateway import build_gateway
from bot.tools.interpret_tool import interpret_tool
from bot.tools.tool_metrics import ToolMetrics

__all__ = ["ENDPOINTS", "build_endpoint"]

ENDPOINTS: Final = ("all", *(domain.name for domain in DOMAINS))


def build_endpoint(
    repo: RepoReader,
    sources: ToolSources,
    domain: str = "all",
    *,
    read_only: bool = False,
    interpret: Callable[[str], Interpretation] | None = None,
) -> MCPServer:
    """The gateway ("all") or the named domain's server; ValueError for another name. `read_only`: the gateway
    serves only the read-only domains (the state server), so no tool that proposes a change is listed at all.
    `interpret` (text → Interpretation) adds interpret_request to a gateway that is not read-only."""
    if domain not in ENDPOINTS:
        raise ValueError(f"no MCP endpoint {domain!r}; the endpoints are {', '.join(ENDPOINTS)}")
    metrics: dict[str, ToolMetrics] = {}
    servers = domain_servers(repo, sources, metrics=metrics)
    if read_only:
        servers = {name: each for name, each in servers.items() if each.domain.read_only}
        if domain not in ("all", *servers):
            raise ValueError(f"the {domain} endpoint proposes changes, and this one is read-only")
    if domain == "all":
        # The interpreter proposes changes: a read-only gateway does not offer it.
        own = [interpret_tool(interpret)] if interpret is not None and not read_only else []
        return build_gateway(servers, metrics, own)
    return servers[domain].server

"""The gateway: one MCP endpoint forwarding every domain server's tools, names unchanged, plus choose_domain.

A client that routes (the interpreter with OLYMPUS_LLM_TOOLS=routed) offers choose_domain first instead of them all.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.mcpserver.tools import Tool as SdkTool
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase
from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel, ConfigDict, Field

from bot.domain.commands.wording import closest
from bot.model_ports import ROUTER_META
from bot.tools.change_tools import Tool, ToolRefused
from bot.tools.domain_servers import DomainServer
from bot.tools.serving import ArgumentsAsSent, served
from bot.tools.tool_metrics import ToolMetrics

__all__ = ["GATEWAY_NAME", "ROUTER_TOOL", "RouteResult", "build_gateway"]

_log = logging.getLogger(__name__)

GATEWAY_NAME = "olympus"
ROUTER_TOOL = "choose_domain"

_INSTRUCTIONS = (
    "Olympus proposes infrastructure changes as files for a pull request; its tools never apply anything. The tools "
    "come in domains: {domains}. {router} lists a domain's tools. When Olympus will not make a change, the result is "
    "an error whose structured content is the refusal: refused, message, hint and location."
)


class _Listed(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    name: str
    description: str = Field(description="What the tool does, in a line.")


class RouteResult(BaseModel):
    """The chosen domain and its tools, now offered."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    domain: str
    summary: str
    tools: list[_Listed]


def build_gateway(
    servers: Mapping[str, DomainServer],
    metrics: dict[str, ToolMetrics] | None = None,
    own: Sequence[Tool] = (),
) -> MCPServer:
    """One server forwarding each domain server's tools to it (so each domain counts its own calls), with
    choose_domain and `own` tools of the gateway's (interpret_request); `metrics` gains the gateway's own calls."""
    from bot.tools.server import olympus_version

    counted = ToolMetrics("gateway")
    if metrics is not None:
        metrics["gateway"] = counted
    forwarded = [_forwarded(each.server, tool) for each in servers.values() for tool in each.tools]
    router = served(_router(servers), counted, {ROUTER_META: True})
    extra = [served(tool, counted) for tool in own]
    domains = "; ".join(f"{name} ({each.domain.summary})" for name, each in servers.items())
    return MCPServer(
        name=GATEWAY_NAME,
        version=olympus_version(),
        instructions=_INSTRUCTIONS.format(domains=domains, router=ROUTER_TOOL),
        tools=[router, *forwarded, *extra],
        log_level="WARNING",
    )


def _forwarded(server: MCPServer, tool: SdkTool) -> SdkTool:
    """The domain's tool as the gateway serves it: the same schemas and annotations, each call the domain's."""

    async def forward(arguments: dict[str, Any]) -> CallToolResult:
        try:
            result = await server.call_tool(tool.name, arguments)
        except ToolError as error:
            if isinstance(error, UnexpectedToolError):  # a crash: its text stays here, as the domain server keeps it
                _log.exception("Tool %r raised an unexpected exception", tool.name)
            # As the domain server would answer it itself (MCPServer._handle_call_tool): the error's text, once.
            return CallToolResult(content=[TextContent(type="text", text=str(error))], is_error=True)
        if not isinstance(result, CallToolResult):  # no Olympus tool asks the client for input
            raise ToolError(f"{tool.name} asked for input, which the gateway does not forward")
        return result

    return SdkTool(
        fn=forward,
        name=tool.name,
        title=tool.title,
        description=tool.description,
        parameters=tool.parameters,
        # The domain checked the result against its model; the gateway advertises the same schema.
        fn_metadata=ArgumentsAsSent(arg_model=ArgModelBase, output_schema=tool.output_schema),
        is_async=True,
        context_kwarg=None,
        annotations=tool.annotations,
        meta=tool.meta,
    )


def _router(servers: Mapping[str, DomainServer]) -> Tool:
    names = list(servers)
    lines = "\n".join(f"- {name}: {each.domain.summary}" for name, each in servers.items())
    Chosen = Annotated[str, Field(description="The domain's name.", json_schema_extra={"enum": names})]

    def choose_domain(domain: str) -> RouteResult:
        chosen = servers.get(domain)
        if chosen is None:
            match = closest(domain, names)
            hint = f"did you mean `{match}`?" if match else "the domains are " + ", ".join(names)
            raise ToolRefused(f"there is no domain {domain[:40]!r}; {hint}")
        listed = [_Listed(name=tool.name, description=tool.description.split("\n", 1)[0]) for tool in chosen.tools]
        return RouteResult(domain=domain, summary=chosen.domain.summary, tools=listed)

    # The enum of this gateway's own domains: an annotation made here, where the postponed one cannot see it.
    choose_domain.__annotations__ = {"domain": Chosen, "return": RouteResult}
    choose_domain.__doc__ = "Choose the domain of the request; its tools are offered next. The domains:\n" + lines
    return Tool(ROUTER_TOOL, choose_domain, changes=False)

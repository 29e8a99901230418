"""The tools a model may call, listed and called through the MCP SDK's client (in-process, stdio or HTTP).

The interpreter is synchronous (it runs in a CLI command or a queue worker); the SDK's client is async. An anyio
blocking portal runs the client's event loop on a thread of its own for as long as the session is open.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager, ExitStack
from types import TracebackType
from typing import Any

from bot.model_ports import DOMAIN_META, ROUTER_META, ToolOutcome, ToolSpec

__all__ = ["McpModelTools"]


class McpModelTools(AbstractContextManager["McpModelTools"]):
    """ModelTools over an MCP server: anything `mcp.Client` connects to (an MCPServer, StdioServerParameters, a URL)."""

    def __init__(self, server: Any) -> None:
        self._server = server
        self._stack = ExitStack()
        self._portal: Any = None
        self._client: Any = None

    def __enter__(self) -> McpModelTools:
        from anyio.from_thread import start_blocking_portal
        from mcp import Client

        self._portal = self._stack.enter_context(start_blocking_portal())
        self._client = self._stack.enter_context(self._portal.wrap_async_context_manager(Client(self._server)))
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stack.close()

    def list_tools(self) -> list[ToolSpec]:
        listing = self._portal.call(self._client.list_tools)
        return [_spec(tool) for tool in listing.tools]

    def call_tool(self, name: str, arguments: dict[str, Any]) -> ToolOutcome:
        result = self._portal.call(self._client.call_tool, name, arguments)
        text = "\n".join(getattr(block, "text", "") for block in result.content).strip()
        structured = result.structured_content
        if structured is None and not result.is_error and text:
            try:
                structured = json.loads(text)
            except ValueError:
                structured = None
        if result.is_error or not isinstance(structured, dict):
            return ToolOutcome(False, structured if isinstance(structured, dict) else {}, text or "the tool failed")
        if structured.get("refused"):
            hint = str(structured.get("hint", ""))
            return ToolOutcome(False, structured, str(structured.get("message", "")) + (f" ({hint})" if hint else ""))
        return ToolOutcome(True, structured)


def _spec(tool: Any) -> ToolSpec:
    meta = tool.meta or {}
    domain = meta.get(DOMAIN_META)
    return ToolSpec(
        tool.name,
        tool.description or "",
        dict(tool.input_schema),
        domain=domain if isinstance(domain, str) else "",
        router=meta.get(ROUTER_META) is True,
    )

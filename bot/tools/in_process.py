"""Call a tool in-process as the MCP server calls it: the same argument checks, result and error texts, no SDK.

The CLI makes one tool call per command, and the MCP SDK's import alone (its protocol models, server and
client) costs about a second of the CLI's start. The server (bot/tools/server.py) and this caller share the tool
functions of bot/tools/change_tools.py and the call of bot/tools/calls.py, which checks the arguments itself; what
is left here is what the SDK adds around it, done the same way: the prefix of an error's text, and the result as
JSON. tests/tools/test_in_process_tools.py holds the two to the same answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.tools.calls import argument_model, call
from bot.tools.change_tools import ChangeRefused, Tool, ToolRefused

__all__ = ["ToolCallError", "call_in_process"]


class ToolCallError(Exception):
    """The tool call failed; the message is the text of MCP's error result, and `refusal` its structured content
    when the change generator refused the change (None for any other failure)."""

    def __init__(self, text: str, refusal: dict[str, Any] | None = None) -> None:
        super().__init__(text)
        self.refusal = refusal


def call_in_process(tools: Mapping[str, Tool], name: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The tool's structured result, or ToolCallError with the text (and structured content) of MCP's error result."""
    tool = tools.get(name)
    if tool is None:
        raise ToolCallError(f"Unknown tool: {name}")
    try:
        result = call(tool, argument_model(tool.fn), arguments)
    except ChangeRefused as refused:
        raise ToolCallError(str(refused), refused.structured) from None
    except ToolRefused as refused:
        # The SDK's words around a ToolError's own (mcp.server.mcpserver.tools.base.Tool.run).
        raise ToolCallError(f"Error executing tool {name}: {refused}") from None
    # As the SDK sends it: JSON's types (lists, not tuples), by alias.
    structured: dict[str, Any] = result.model_dump(mode="json", by_alias=True)
    return structured

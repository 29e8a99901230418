"""A Tool as the MCP SDK serves it: schemas from the tool's own models, refusals as error results, calls counted."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool as SdkTool
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase, FuncMetadata
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel

from bot.tools.calls import argument_model, call, result_model
from bot.tools.change_tools import ChangeRefused, Tool, ToolRefused
from bot.tools.tool_metrics import ToolMetrics

__all__ = ["ArgumentsAsSent", "served"]

# Change tools only compute files from the repository; asking twice gives the same answer.
_CHANGE = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
_READ = ToolAnnotations(read_only_hint=True, open_world_hint=False)


class ArgumentsAsSent(FuncMetadata):
    """The SDK's argument step, handing the arguments on as the client sent them: the tool checks them itself
    (bot/tools/calls.py), to word a mistake for its reader rather than as pydantic's report, and as the CLI's
    in-process call words it. The input schema the server lists is that check's own model."""

    def validate_arguments(self, arguments_to_validate: dict[str, Any]) -> dict[str, Any]:
        return {"arguments": dict(arguments_to_validate)}


def served(tool: Tool, metrics: ToolMetrics | None = None, meta: dict[str, Any] | None = None) -> SdkTool:
    """The tool as the SDK serves it; with `metrics`, each call is counted (a refusal as an error)."""
    model = argument_model(tool.fn)

    def answer(arguments: dict[str, Any]) -> BaseModel | CallToolResult:
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

    def run(arguments: dict[str, Any]) -> BaseModel | CallToolResult:
        if metrics is None:
            return answer(arguments)
        with metrics.timed(tool.name):
            result = answer(arguments)
            if isinstance(result, CallToolResult) and result.is_error:
                raise _Refusal(result)
            return result

    def counted(arguments: dict[str, Any]) -> BaseModel | CallToolResult:
        try:
            return run(arguments)
        except _Refusal as refusal:  # counted as an error, answered as the refusal it is
            return refusal.result

    return SdkTool(
        fn=counted,
        name=tool.name,
        title=None,
        description=tool.fn.__doc__ or "",
        parameters=model.model_json_schema(by_alias=True),
        fn_metadata=ArgumentsAsSent(arg_model=ArgModelBase, output_model=result_model(tool.fn)),
        is_async=False,
        context_kwarg=None,
        annotations=_CHANGE if tool.changes else _READ,
        meta=meta,
    )


class _Refusal(Exception):
    def __init__(self, result: CallToolResult) -> None:
        super().__init__("the change tool refused")
        self.result = result

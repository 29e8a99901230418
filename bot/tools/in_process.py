"""Call a tool in-process as the MCP server calls it: the same argument model, result and error texts, no SDK.

The CLI makes one tool call per command, and the MCP SDK's import alone (its protocol models, server and
client) costs about a second of the CLI's start. The server (bot/tools/server.py) and this caller share the tool
functions of bot/tools/change_tools.py; here their arguments are validated by a model built from each function's
signature as the SDK builds its own (`func_metadata` in mcp.server.mcpserver.utilities), and a failure reads as
the SDK words it. tests/tools/test_in_process_tools.py holds the two to the same answers.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from bot.tools.change_tools import ChangeRefused, Tool, ToolRefused

__all__ = ["ToolCallError", "call_in_process"]


class ToolCallError(Exception):
    """The tool call failed; the message is the text of MCP's error result, and `refusal` its structured content
    when the change generator refused the change (None for any other failure)."""

    def __init__(self, text: str, refusal: dict[str, Any] | None = None) -> None:
        super().__init__(text)
        self.refusal = refusal


# The SDK's argument models subclass its ArgModelBase, a BaseModel with only this setting; a config instead of a
# base class of our own spares building one more model at import.
_ARGUMENTS_CONFIG = ConfigDict(arbitrary_types_allowed=True)


def call_in_process(tools: Mapping[str, Tool], name: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The tool's structured result, or ToolCallError with the text (and structured content) of MCP's error result."""
    tool = tools.get(name)
    if tool is None:
        raise ToolCallError(f"Unknown tool: {name}")
    model = _argument_model(tool)
    try:
        validated = model.model_validate(_pre_parsed(model, dict(arguments)))
    except ValidationError as exc:
        raise ToolCallError(f"Error executing tool {name}: {exc}") from exc
    kwargs = {field.alias or key: getattr(validated, key) for key, field in type(validated).model_fields.items()}
    try:
        result = tool.fn(**kwargs)
    except ChangeRefused as refused:
        raise ToolCallError(str(refused), refused.structured) from None
    except ToolRefused as refused:
        raise ToolCallError(f"Error executing tool {name}: {refused}") from None
    # As the SDK sends it: JSON's types (lists, not tuples), by alias.
    structured: dict[str, Any] = result.model_dump(mode="json", by_alias=True)
    return structured


def _argument_model(tool: Tool) -> type[BaseModel]:
    """A model of the function's parameters, named, aliased and defaulted as the SDK's is."""
    fields: dict[str, Any] = {}
    for param in inspect.signature(tool.fn, eval_str=True).parameters.values():
        annotation = param.annotation if param.annotation is not inspect.Parameter.empty else Any
        key, extra = param.name, {}
        if hasattr(BaseModel, key) and callable(getattr(BaseModel, key)):  # would shadow a BaseModel method
            key, extra = f"field_{key}", {"alias": param.name}
        typed = Annotated[annotation, Field(**extra)]  # type: ignore[valid-type]
        fields[key] = (typed, param.default) if param.default is not inspect.Parameter.empty else typed
    model: type[BaseModel] = create_model(f"{tool.fn.__name__}Arguments", __config__=_ARGUMENTS_CONFIG, **fields)
    return model


def _pre_parsed(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """JSON inside a string for a field that is not a string, parsed first, as the SDK does for clients that send
    lists and objects as JSON text; scalars stay strings for validation to read."""
    by_key = {key: field for key, field in model.model_fields.items()}
    by_key |= {field.alias: field for field in model.model_fields.values() if field.alias}
    parsed = dict(data)
    for key, value in data.items():
        field = by_key.get(key)
        if field is None or not isinstance(value, str) or field.annotation is str:
            continue
        try:
            decoded = json.loads(value)
        except (ValueError, RecursionError):
            continue
        if not isinstance(decoded, str | int | float):
            parsed[key] = decoded
    return parsed

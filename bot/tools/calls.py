"""One tool call, checked the same whoever makes it: its arguments against the tool's signature, mistakes worded.

The MCP server (bot/tools/server.py) and the CLI's in-process caller (bot/tools/in_process.py) both call `call`: the
server hands the SDK the arguments as the client sent them, so what a call gets wrong reads the same through either
door, in words for whoever made the call (a person at the CLI, or an LLM that reads the error to correct itself).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model
from pydantic_core import ErrorDetails

from bot.domain.commands.wording import and_, closest
from bot.tools.change_tools import Tool, invalid_arguments

__all__ = ["argument_model", "call", "checked_arguments", "result_model"]

# No keys but the parameters': an unknown one is a mistake (a misspelt `regoin` would otherwise be dropped silently,
# and the default used), and the schema says so with `additionalProperties: false`.
_ARGUMENTS_CONFIG = ConfigDict(extra="forbid")

# What a JSON schema type takes, in words.
_TAKES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
}


def argument_model(fn: Callable[..., Any]) -> type[BaseModel]:
    """A model of the function's parameters; its JSON schema is the tool's input schema."""
    fields: dict[str, Any] = {}
    for param in inspect.signature(fn, eval_str=True).parameters.values():
        annotation = param.annotation if param.annotation is not inspect.Parameter.empty else Any
        key, extra = param.name, {}
        if hasattr(BaseModel, key) and callable(getattr(BaseModel, key)):  # would shadow a BaseModel method
            key, extra = f"field_{key}", {"alias": param.name}
        typed = Annotated[annotation, Field(**extra)]  # type: ignore[valid-type]
        fields[key] = (typed, param.default) if param.default is not inspect.Parameter.empty else typed
    model: type[BaseModel] = create_model(f"{fn.__name__}Arguments", __config__=_ARGUMENTS_CONFIG, **fields)
    return model


def result_model(fn: Callable[..., Any]) -> type[BaseModel]:
    """The model the function returns; its JSON schema is the tool's output schema."""
    returned = inspect.signature(fn, eval_str=True).return_annotation
    if not (isinstance(returned, type) and issubclass(returned, BaseModel)):
        raise TypeError(f"{fn.__name__} must declare the model it returns, not {returned!r}")
    return returned


def call(tool: Tool, model: type[BaseModel], arguments: Mapping[str, Any]) -> BaseModel:
    """The tool's result for these arguments; ToolRefused (ChangeRefused for a refused change) says what stands in
    the way."""
    return tool.fn(**checked_arguments(tool.name, model, arguments))


def checked_arguments(name: str, model: type[BaseModel], arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments as the function takes them, or ToolRefused naming every argument that is missing, unknown or of
    the wrong type, and what it takes. The values themselves are the domain's to check (bot/tools/parameters.py)."""
    try:
        validated = model.model_validate(_pre_parsed(model, dict(arguments)))
    except ValidationError as error:
        raise invalid_arguments(_problems(name, model, error.errors(include_url=False))) from None
    return {field.alias or key: getattr(validated, key) for key, field in type(validated).model_fields.items()}


def _problems(name: str, model: type[BaseModel], errors: list[ErrorDetails]) -> list[str]:
    properties: dict[str, Any] = model.model_json_schema(by_alias=True).get("properties", {})
    problems: list[str] = []
    seen: set[str] = set()
    for error in errors:
        argument = str(error["loc"][0]) if error["loc"] else ""
        if argument in seen:  # a union reports each of its arms; one problem an argument is enough
            continue
        seen.add(argument)
        if error["type"] == "extra_forbidden":
            match = closest(argument, properties)
            takes = and_([f"`{key}`" for key in properties]) if properties else "no arguments"
            hint = f"did you mean `{match}`?" if match else f"{name} takes {takes}"
            problems.append(f"unknown argument `{_shown(argument)}`; {hint}")
            continue
        schema = properties.get(argument, {})
        about = _about(schema)
        if error["type"] == "missing":
            problems.append(f"missing argument `{argument}`" + (f": {about}" if about else ""))
            continue
        if error["type"] in ("enum", "literal_error") and "enum" in schema:
            takes = "one of " + _either([f"`{value}`" for value in schema["enum"]])
        else:
            takes = _TAKES.get(schema.get("type", ""), "another value")
        problems.append(
            f"argument `{argument}` must be {takes}, not {_given(error['input'])}" + (f": {about}" if about else "")
        )
    return problems


def _either(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _about(schema: Mapping[str, Any]) -> str:
    """The parameter's description as a phrase: "The resource's name." → "the resource's name"."""
    text = str(schema.get("description", "")).strip().removesuffix(".")
    # Lower the first letter of a word ("The", "Memory", "A"), not of a name ("AWS", "EC2").
    if len(text) > 1 and text[0].isupper() and (text[1].islower() or text[1] == " "):
        text = text[0].lower() + text[1:]
    return text


def _given(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    try:
        return f"`{_shown(json.dumps(value))}`"
    except (TypeError, ValueError):
        return "that"


def _shown(text: str) -> str:
    """Untrusted text inside backticks: ASCII, every other character escaped (no invisible or bidi character gets
    through), no backtick that could end the quote early, cut short."""
    escaped = json.dumps(text)[1:-1] if not text.isascii() or not text.isprintable() else text
    cleaned = escaped.replace("`", "'")
    return cleaned if len(cleaned) <= 60 else cleaned[:60] + "..."


def _pre_parsed(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """JSON inside a string for a field that is not a string, parsed first, as the MCP SDK does for clients that send
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

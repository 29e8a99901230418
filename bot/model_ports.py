"""The ports of the plain-language interpreter: the language model, and the tools it may call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.domain.interpretation import ModelLimits, ModelReply

__all__ = ["LanguageModel", "ModelError", "ModelTools", "ToolOutcome", "ToolSpec"]


class ModelError(Exception):
    """The model could not answer (unreachable, refused the credentials, rate-limited); the message says which."""


@dataclass(frozen=True)
class ToolSpec:
    """A tool as the model is shown it: its name, what it does, and its input's JSON Schema."""

    name: str
    description: str
    input_schema: dict[str, Any]


@dataclass(frozen=True)
class ToolOutcome:
    """What a tool call gave: its structured result, or (ok False) the error text the model reads."""

    ok: bool
    result: dict[str, Any]
    error: str = ""


class LanguageModel(Protocol):
    """One assistant turn of the Messages API's tool-use loop."""

    @property
    def backend(self) -> str:
        """Which service answers: "anthropic", "bedrock" or "vertex"."""
        ...

    def reply(
        self, *, system: str, tools: Sequence[ToolSpec], messages: Sequence[dict[str, Any]], limits: ModelLimits
    ) -> ModelReply:
        """The next assistant turn; ModelError when none can be had."""
        ...


class ModelTools(Protocol):
    """The tools a model may call, listed and called through MCP."""

    def list_tools(self) -> list[ToolSpec]: ...

    def call_tool(self, name: str, arguments: dict[str, Any]) -> ToolOutcome: ...

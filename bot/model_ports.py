"""The ports of the plain-language interpreter: the language model, the tools it may call, and per-case answers."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from bot.domain.interpretation import ModelLimits, ModelReply

__all__ = [
    "DOMAIN_META",
    "ROUTER_META",
    "AnswersPerCase",
    "CaseAnswers",
    "LanguageModel",
    "ModelError",
    "ModelTools",
    "ToolOutcome",
    "ToolSpec",
]

# Keys of a tool's MCP `_meta`: the domain a tool belongs to, and the tool that chooses a domain (bot/tools/gateway.py
# sets them; the interpreter's routed mode reads them).
DOMAIN_META = "olympus/domain"
ROUTER_META = "olympus/router"


class ModelError(Exception):
    """The model could not answer (unreachable, refused the credentials, rate-limited); the message says which."""


@dataclass(frozen=True)
class ToolSpec:
    """A tool as the model is shown it: its name, what it does, and its input's JSON Schema; for routing, the domain
    it belongs to ("" for none) and whether it is the tool that chooses a domain."""

    name: str
    description: str
    input_schema: dict[str, Any]
    domain: str = ""
    router: bool = False


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


@dataclass
class CaseAnswers:
    """The model that answers one evaluation case and, once the case is over, what its recording said about it."""

    model: LanguageModel
    missing: str = ""  # the case needed an answer and there is no recording of it: the case did not run
    mismatch: str = ""  # the recording and the run disagree (answers left over, or too few)


class AnswersPerCase(Protocol):
    """Where each evaluation case's answers come from: the live model, or a recording per case."""

    def for_case(self, case_id: str) -> AbstractContextManager[CaseAnswers]: ...

"""What the interpreter makes of a plain-language request: proposals, a question, a refusal, or "not set up"."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "Interpretation",
    "ModelLimits",
    "ModelReply",
    "Proposal",
    "RequestNote",
    "ToolCallRecord",
    "ToolUse",
    "Usage",
]


@dataclass(frozen=True)
class Usage:
    """Tokens of one or more model calls, as the Messages API counts them."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_read_tokens + other.cache_read_tokens,
            self.cache_write_tokens + other.cache_write_tokens,
        )

    @property
    def total(self) -> int:
        """Every token billed: input (cached or not) and output."""
        return self.input_tokens + self.output_tokens + self.cache_read_tokens + self.cache_write_tokens


@dataclass(frozen=True)
class ToolUse:
    """One tool call the model asks for."""

    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class ModelReply:
    """One assistant turn: its text, its tool calls, why it stopped, and the blocks to send back next turn."""

    text: str
    tool_uses: tuple[ToolUse, ...]
    stop_reason: str
    usage: Usage
    model: str
    content: tuple[dict[str, Any], ...] = ()  # the assistant message's blocks, as the API wants them back


@dataclass(frozen=True)
class ModelLimits:
    """What one request may cost: the model, tokens per reply, tool calls, and tokens in all; and how its tools are
    offered."""

    model: str
    max_tokens: int = 1024
    max_tool_calls: int = 8
    token_budget: int = 60_000
    # How the tools are offered: all at once, or (routed) a domain-choosing tool first, then that domain's.
    tools: Literal["all", "routed"] = "all"


@dataclass(frozen=True)
class ToolCallRecord:
    """One tool call of the model and what it gave: accepted, or the error it got back."""

    name: str
    arguments: dict[str, Any]
    ok: bool
    error: str = ""


@dataclass(frozen=True)
class Proposal:
    """A change the model proposed, as the command a person could have typed and the tool call that made it."""

    command: str  # the canonical `/infra ...` line; the door runs it exactly as if it had been typed
    title: str
    tool: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class Interpretation:
    """The outcome. `proposed`: proposals; `question`: text asks one thing; `declined`: text says why and what
    Olympus can do instead; `unavailable`: no model is set up (text says how) or the model could not be reached."""

    outcome: Literal["proposed", "question", "declined", "unavailable"]
    text: str = ""
    proposals: tuple[Proposal, ...] = ()
    model: str = ""
    usage: Usage = field(default_factory=Usage)
    tool_calls: int = 0  # the change and read tools called (ask_user and decline are not counted)
    calls: tuple[ToolCallRecord, ...] = ()  # every tool call, in order, ask_user and decline included
    seconds: float = 0.0  # from the text to the outcome
    model_seconds: float = 0.0  # of which waiting for the model
    messages: tuple[dict[str, Any], ...] = ()  # the conversation so far, ending with the model's last turn
    tool_mode: Literal["all", "routed"] = "all"  # how the tools were offered (routed only when the tools route)
    domains: tuple[str, ...] = ()  # in routed mode, the domains the model chose, in order


@dataclass(frozen=True)
class RequestNote:
    """Where a change proposed from plain words came from: the words as the model read them, and that model."""

    request: str
    model: str

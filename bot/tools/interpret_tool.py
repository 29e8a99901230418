"""interpret_request: the gateway's door to Olympus's interpreter, for MCP clients that send requests in plain words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.domain.interpretation import Interpretation
from bot.tools.change_tools import Tool

__all__ = ["INTERPRET_TOOL", "InterpretResult", "interpret_tool"]

INTERPRET_TOOL = "interpret_request"
MAX_REQUEST_CHARS = 8000


class InterpretResult(BaseModel):
    """What the interpreter made of the request: the commands it proposes, its one question, or why it declines."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    outcome: Literal["proposed", "question", "declined", "unavailable"]
    text: str = Field(description="The model's question, its reason for declining, or its closing words (as data).")
    commands: list[str] = Field(description="The `/infra` commands proposed, each as a person could type it.")
    model: str = Field(description="The model that read the request.")


def interpret_tool(interpret: Callable[[str], Interpretation]) -> Tool:
    """The tool over `interpret` (text → Interpretation): the same interpreter, tools and limits as the other doors."""

    def interpret_request(
        request: Annotated[
            str,
            Field(
                min_length=1,
                max_length=MAX_REQUEST_CHARS,
                description="The request in plain words, e.g. 'a bucket for the billing exports in Ireland, dev'.",
            ),
        ],
    ) -> InterpretResult:
        """Read a request in plain words with Olympus's interpreter (Claude over these tools): the `/infra` commands
        it proposes, or the one question it asks, or why it declines. Nothing is opened or applied; an answer to its
        question, sent as the next request, continues the same conversation."""
        found = interpret(request)
        return InterpretResult(
            outcome=found.outcome,
            text=found.text,
            commands=[proposal.command for proposal in found.proposals],
            model=found.model,
        )

    return Tool(INTERPRET_TOOL, interpret_request, changes=False)

"""One model interaction as it is kept for review and evaluation: who asked what, what the model did, its cost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot.domain.interpretation import Interpretation, ToolCallRecord, Usage

__all__ = ["InteractionRecord", "estimate_cost_usd", "interaction_of"]

# US dollars per million tokens (input, output), by model family, as Anthropic publishes them
# (https://www.anthropic.com/pricing); cache writes cost 1.25× the input price, cache reads 0.1×. An estimate:
# the bill is Anthropic's (or the cloud's) own.
_PRICES: Final = (("opus", 5.0, 25.0), ("sonnet", 3.0, 15.0), ("haiku", 1.0, 5.0))


@dataclass(frozen=True)
class InteractionRecord:
    """A request the model read, and everything it did with it."""

    door: str  # cli, app, action, mcp
    who: str
    where: str
    request: str  # the text the model read: hidden characters and HTML comments already removed
    backend: str
    model: str
    system_prompt_sha256: str
    outcome: str
    reply: str  # the question, the reason for declining, or the model's closing sentence
    commands: tuple[str, ...]
    calls: tuple[ToolCallRecord, ...]
    usage: Usage
    seconds: float
    model_seconds: float
    cost_usd: float | None
    at: datetime | None = None
    id: int | None = None


def estimate_cost_usd(model: str, usage: Usage) -> float | None:
    """What the tokens cost at the model family's list price, or None for a model whose price is not known."""
    prices = next(((i, o) for family, i, o in _PRICES if family in model.lower()), None)
    if prices is None:
        return None
    per_input, per_output = prices
    cost = (
        usage.input_tokens * per_input
        + usage.cache_write_tokens * per_input * 1.25
        + usage.cache_read_tokens * per_input * 0.1
        + usage.output_tokens * per_output
    )
    return round(cost / 1_000_000, 6)


def interaction_of(
    interpretation: Interpretation, *, door: str, who: str, where: str, request: str, backend: str, prompt_sha256: str
) -> InteractionRecord:
    """The record of one interpretation."""
    return InteractionRecord(
        door=door,
        who=who,
        where=where,
        request=request,
        backend=backend,
        model=interpretation.model,
        system_prompt_sha256=prompt_sha256,
        outcome=interpretation.outcome,
        reply=interpretation.text,
        commands=tuple(p.command for p in interpretation.proposals),
        calls=interpretation.calls,
        usage=interpretation.usage,
        seconds=interpretation.seconds,
        model_seconds=interpretation.model_seconds,
        cost_usd=estimate_cost_usd(interpretation.model, interpretation.usage),
    )

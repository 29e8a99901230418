"""A conversation with the model about one request: its turns so far, the question it waits on, when it expires."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from bot.domain.interpretation import Interpretation, Proposal

__all__ = ["DEFAULT_CONVERSATION_TTL", "Conversation", "outcome_of", "stored_outcome"]

# A question not answered within a day is dropped: the next message starts a new request.
DEFAULT_CONVERSATION_TTL: Final = timedelta(hours=24)


@dataclass(frozen=True)
class Conversation:
    """One requester's conversation in one place (an issue, a local repository).

    `messages` are the Messages API turns so far, the last one the assistant's. `last_turn` names the last message
    taken (a webhook delivery, a comment), so a redelivery is answered from `outcome`, never sent to the model again.
    """

    place: str
    who: str
    messages: tuple[dict[str, Any], ...]
    last_turn: str
    outcome: dict[str, Any]
    started_at: datetime
    expires_at: datetime
    id: int | None = None
    turns: int = 1

    @property
    def open(self) -> bool:
        """True while it waits on an answer to its question."""
        return self.outcome.get("outcome") == "question"

    def live(self, now: datetime) -> bool:
        """True while it waits on an answer that may still come."""
        return self.open and now < self.expires_at


def stored_outcome(interpretation: Interpretation) -> dict[str, Any]:
    """What a redelivered turn is answered from: the outcome, its text, model and proposals (JSON-ready)."""
    return {
        "outcome": interpretation.outcome,
        "text": interpretation.text,
        "model": interpretation.model,
        "proposals": [
            {"command": p.command, "title": p.title, "tool": p.tool, "arguments": p.arguments}
            for p in interpretation.proposals
        ],
    }


def outcome_of(stored: dict[str, Any]) -> Interpretation:
    """The Interpretation a stored outcome describes (without the usage it cost: that was counted once)."""
    proposals = tuple(
        Proposal(str(p["command"]), str(p["title"]), str(p["tool"]), dict(p["arguments"]))
        for p in stored.get("proposals", [])
    )
    return Interpretation(stored["outcome"], str(stored.get("text", "")), proposals, str(stored.get("model", "")))

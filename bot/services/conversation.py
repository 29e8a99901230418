"""A plain-language request as one turn of a conversation: answers continue it, redeliveries repeat nothing.

A conversation whose question is left unanswered expires after a set time; the next message then starts anew.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.domain.conversations import DEFAULT_CONVERSATION_TTL, Conversation, outcome_of, stored_outcome
from bot.domain.interactions import interaction_of
from bot.domain.interpretation import Interpretation, ModelLimits
from bot.model_ports import LanguageModel, ModelTools
from bot.ports import Store
from bot.services.interpreter import NaturalRequest, interpret, text_for_model
from bot.services.interpreter_prompt import SYSTEM_PROMPT_SHA256

__all__ = ["converse"]


def converse(
    store: Store,
    request: NaturalRequest,
    model: LanguageModel,
    tools: ModelTools,
    limits: ModelLimits,
    *,
    door: str,
    place: str,
    turn: str,
    now: datetime,
    ttl: timedelta = DEFAULT_CONVERSATION_TTL,
) -> tuple[Interpretation, bool]:
    """(the outcome of this turn, whether it is new). `turn` names the message (a webhook delivery, a comment): one
    already taken is answered from the store, the model not asked again, and comes back as not new.

    While the requester's last turn in `place` asked a question that has not expired, this text is its answer. Every
    new turn is kept as an interaction of `door` (cli, app), what it cost included.
    """
    current = store.conversation_for(place, request.who)
    if current is not None and current.last_turn == turn:
        return outcome_of(current.outcome), False
    history = current.messages if current is not None and current.live(now) else ()
    result = interpret(request, model, tools, limits, history=history)
    store.record_interaction(
        interaction_of(
            result,
            door=door,
            who=request.who,
            where=request.where,
            request=text_for_model(request.text),
            backend=model.backend,
            prompt_sha256=SYSTEM_PROMPT_SHA256,
        )
    )
    if result.outcome == "unavailable":
        return result, True  # nothing was said: the conversation stays as it was, for a later try
    store.save_conversation(
        Conversation(
            place=place,
            who=request.who,
            messages=result.messages,
            last_turn=turn,
            outcome=stored_outcome(result),
            started_at=current.started_at if history and current is not None else now,
            expires_at=now + ttl,
            turns=(current.turns + 1) if history and current is not None else 1,
        )
    )
    return replace(result, messages=()), True

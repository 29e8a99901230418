"""The store's conversations with the model: one row per requester and place, written in place."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.adapters import sqlschema as t
from bot.domain.conversations import Conversation

__all__ = ["conversation_for", "save_conversation"]


def conversation_for(engine: Engine, place: str, who: str) -> Conversation | None:
    """The requester's conversation in place, ended or not, or None."""
    table = t.conversations
    query = sa.select(table).where(table.c.place == place, table.c.who == who)
    with engine.connect() as connection:
        row = connection.execute(query).first()
    return None if row is None else _conversation(row)


def save_conversation(engine: Engine, conversation: Conversation) -> int:
    """Write the conversation over the requester's previous one in that place; its id."""
    table = t.conversations
    values: dict[str, Any] = {
        "messages": list(conversation.messages),
        "last_turn": conversation.last_turn,
        "outcome": conversation.outcome,
        "turns": conversation.turns,
        "started_at": conversation.started_at,
        "expires_at": conversation.expires_at,
    }
    where = (table.c.place == conversation.place) & (table.c.who == conversation.who)
    for _ in range(2):  # an insert that loses a race to another replica's becomes an update
        try:
            with engine.begin() as connection:
                updated = connection.execute(table.update().where(where).values(**values).returning(table.c.id))
                found = updated.scalar_one_or_none()
                if found is not None:
                    return int(found)
                inserted = connection.execute(
                    table.insert()
                    .values(place=conversation.place, who=conversation.who, **values)
                    .returning(table.c.id)
                )
                return int(inserted.scalar_one())
        except sa.exc.IntegrityError:
            continue
    raise RuntimeError(f"could not save the conversation of {conversation.who} in {conversation.place}")


def _conversation(row: sa.Row[Any]) -> Conversation:
    return Conversation(
        place=row.place,
        who=row.who,
        messages=tuple(row.messages),
        last_turn=row.last_turn,
        outcome=row.outcome,
        started_at=row.started_at,
        expires_at=row.expires_at,
        id=row.id,
        turns=row.turns,
    )

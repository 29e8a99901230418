"""The store's model interactions: written with secrets masked, read back newest first."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import asdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.adapters import sqlschema as t
from bot.adapters.secret_masking import mask_secret_text, mask_secrets
from bot.domain.interactions import InteractionRecord
from bot.domain.interpretation import ToolCallRecord, Usage

__all__ = ["recent_interactions", "record_interaction"]

_MAX_TEXT = 8000


def record_interaction(
    engine: Engine, record: InteractionRecord, now: Callable[[], datetime], repo: str | None = None
) -> int:
    """Insert one interaction; its text and tool arguments pass the store's secret masking first."""
    calls = [
        {"name": c.name, "arguments": mask_secrets(c.arguments), "ok": c.ok, "error": mask_secret_text(c.error)}
        for c in record.calls
    ]
    with engine.begin() as connection:
        inserted = connection.execute(
            t.model_interactions.insert()
            .values(
                at=record.at or now(),
                door=record.door,
                who=record.who,
                place=record.where,
                request=mask_secret_text(record.request)[:_MAX_TEXT],
                backend=record.backend,
                model=record.model,
                system_prompt_sha256=record.system_prompt_sha256,
                outcome=record.outcome,
                reply=mask_secret_text(record.reply)[:_MAX_TEXT],
                commands=list(record.commands),
                calls=calls,
                usage=asdict(record.usage),
                seconds=record.seconds,
                model_seconds=record.model_seconds,
                cost_usd=record.cost_usd,
                repo=repo,
            )
            .returning(t.model_interactions.c.id)
        )
        return int(inserted.scalar_one())


def recent_interactions(engine: Engine, limit: int, repos: Collection[str] | None = None) -> list[InteractionRecord]:
    """The latest interactions (of `repos`; None: of every repository), newest first."""
    table = t.model_interactions
    query = sa.select(table).order_by(table.c.id.desc()).limit(limit)
    if repos is not None:
        query = query.where(table.c.repo.in_(sorted(repos)))
    with engine.connect() as connection:
        return [_record(row) for row in connection.execute(query)]


def _record(row: sa.Row[Any]) -> InteractionRecord:
    return InteractionRecord(
        door=row.door,
        who=row.who,
        where=row.place,
        request=row.request,
        backend=row.backend,
        model=row.model,
        system_prompt_sha256=row.system_prompt_sha256,
        outcome=row.outcome,
        reply=row.reply,
        commands=tuple(row.commands),
        calls=tuple(ToolCallRecord(c["name"], c["arguments"], c["ok"], c["error"]) for c in row.calls),
        usage=Usage(**row.usage),
        seconds=row.seconds,
        model_seconds=row.model_seconds,
        cost_usd=row.cost_usd,
        at=row.at,
        id=row.id,
    )

"""The fix loop's attempts in the store: written with secrets masked, outcomes filled in later, read per repository."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.adapters import sqlschema as t
from bot.adapters.secret_masking import mask_secret_text, mask_secrets
from bot.domain.fixes.attempts import ClassRate, FixAttempt, FixKind, Verification

__all__ = [
    "fix_attempts_of",
    "fix_rates_of",
    "mark_fix_outcome",
    "note_fix_offer",
    "offered_fix_attempts",
    "record_fix_attempt",
]

# A patch is a small edit of a project's files (patch_rules caps it): this bounds what any one row can hold.
_MAX_TEXT = 64_000


def record_fix_attempt(engine: Engine, attempt: FixAttempt, now: Callable[[], datetime]) -> int:
    """Insert one attempt (text masked for secrets, as every store write of untrusted text is); its id."""
    with engine.begin() as connection:
        inserted = connection.execute(
            t.fix_attempts.insert()
            .values(
                repo=attempt.repo,
                change_id=attempt.change_id,
                project=attempt.project,
                step=attempt.step,
                failure_class=attempt.failure_class,
                root_cause=_masked(attempt.root_cause),
                kind=attempt.kind.value,
                verification=attempt.verification.value,
                verification_detail=_masked(attempt.verification_detail),
                patch=_masked(attempt.patch),
                tool_calls=mask_secrets([dict(call) for call in attempt.tool_calls]),
                tools_used=list(attempt.tools_used),
                tokens_in=attempt.tokens_in,
                tokens_out=attempt.tokens_out,
                try_number=attempt.try_number,
                offered=attempt.offered,
                accepted=attempt.accepted,
                next_apply_ok=attempt.next_apply_ok,
                extra=mask_secrets(dict(attempt.extra)),
                created_at=attempt.created_at or now(),
            )
            .returning(t.fix_attempts.c.id)
        )
        return int(inserted.scalar_one())


def mark_fix_outcome(
    engine: Engine, attempt_id: int, *, accepted: bool | None = None, next_apply_ok: bool | None = None
) -> bool:
    """Record what people did with an offered fix and how the next apply went; False when no such attempt."""
    values: dict[str, Any] = {}
    if accepted is not None:
        values["accepted"] = accepted
    if next_apply_ok is not None:
        values["next_apply_ok"] = next_apply_ok
    if not values:
        return True
    with engine.begin() as connection:
        table = t.fix_attempts
        return bool(connection.execute(table.update().where(table.c.id == attempt_id).values(**values)).rowcount)


def note_fix_offer(engine: Engine, attempt_id: int, offer: Mapping[str, Any]) -> bool:
    """Keep how and where the attempt's fix was offered in its extra's `offer` (masked); False: no such attempt."""
    table = t.fix_attempts
    with engine.begin() as connection:
        extra = connection.execute(sa.select(table.c.extra).where(table.c.id == attempt_id)).scalar_one_or_none()
        if extra is None:
            return False
        merged = {**extra, "offer": mask_secrets(dict(offer))}
        connection.execute(table.update().where(table.c.id == attempt_id).values(extra=merged))
        return True


def move_fix_attempt(engine: Engine, attempt_id: int, change_id: str) -> bool:
    """The attempt now belongs to change_id (its repository stays); False when no such attempt."""
    table = t.fix_attempts
    with engine.begin() as connection:
        return bool(
            connection.execute(table.update().where(table.c.id == attempt_id).values(change_id=change_id)).rowcount
        )


def offered_fix_attempts(engine: Engine, repo: str, change_id: str) -> list[FixAttempt]:
    """The change's offered fixes, oldest first (the index on repo and change_id finds them)."""
    table = t.fix_attempts
    query = (
        sa.select(table)
        .where(table.c.repo == repo, table.c.change_id == change_id, table.c.offered.is_(True))
        .order_by(table.c.id)
    )
    with engine.connect() as connection:
        return [_attempt(row) for row in connection.execute(query)]


def fix_attempts_of(
    engine: Engine, repo: str | None = None, limit: int = 1000, repos: Collection[str] | None = None
) -> list[FixAttempt]:
    """The latest attempts (of repo, or of every repository; of those in `repos` when given), newest first."""
    table = t.fix_attempts
    query = sa.select(table).order_by(table.c.id.desc()).limit(limit)
    if repo is not None:
        query = query.where(table.c.repo == repo)
    if repos is not None:
        query = query.where(table.c.repo.in_(sorted(repos)))
    with engine.connect() as connection:
        return [_attempt(row) for row in connection.execute(query)]


def fix_rates_of(
    engine: Engine, repo: str | None = None, limit: int = 1000, repos: Collection[str] | None = None
) -> list[ClassRate]:
    """rates_by_class of fix_attempts_of(engine, repo, limit, repos), counted by the database (no row is read out)."""
    table = t.fix_attempts
    latest = sa.select(table.c.failure_class, table.c.verification, table.c.accepted, table.c.next_apply_ok)
    latest = latest.order_by(table.c.id.desc()).limit(limit)
    if repo is not None:
        latest = latest.where(table.c.repo == repo)
    if repos is not None:
        latest = latest.where(table.c.repo.in_(sorted(repos)))
    attempts = latest.subquery()

    def how_many(condition: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    query = sa.select(
        attempts.c.failure_class,
        sa.func.count(),
        how_many(attempts.c.verification == Verification.PASSED.value),
        how_many(attempts.c.accepted.is_(True)),
        how_many(attempts.c.next_apply_ok.is_(True)),
        how_many(attempts.c.accepted.is_not(None)),
        how_many(sa.and_(attempts.c.accepted.is_(True), attempts.c.next_apply_ok.is_not(None))),
    ).group_by(attempts.c.failure_class)
    with engine.connect() as connection:
        rates = [ClassRate(name, *(int(n) for n in counts)) for name, *counts in connection.execute(query)]
    return sorted(rates, key=lambda r: (-r.attempts, r.failure_class))  # as rates_by_class orders them


def _attempt(row: Any) -> FixAttempt:
    return FixAttempt(
        repo=row.repo,
        change_id=row.change_id,
        project=row.project,
        step=row.step,
        failure_class=row.failure_class,
        root_cause=row.root_cause,
        kind=FixKind(row.kind),
        verification=Verification(row.verification),
        created_at=row.created_at,
        patch=row.patch,
        tool_calls=tuple(row.tool_calls or ()),
        tools_used=tuple(row.tools_used or ()),
        verification_detail=row.verification_detail,
        tokens_in=row.tokens_in,
        tokens_out=row.tokens_out,
        try_number=row.try_number,
        offered=row.offered,
        accepted=row.accepted,
        next_apply_ok=row.next_apply_ok,
        id=row.id,
        extra=row.extra or {},
    )


def _masked(text: str) -> str:
    return mask_secret_text(text)[:_MAX_TEXT]

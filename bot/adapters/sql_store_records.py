"""The store's model records: interactions, conversations, fix attempts and drift checks, each in its own table."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy.engine import Engine

from bot.adapters.sql_conversations import conversation_for, save_conversation
from bot.adapters.sql_drift import drift_checks_of, record_drift_check
from bot.adapters.sql_fix_attempts import (
    fix_attempts_of,
    fix_rates_of,
    mark_fix_outcome,
    move_fix_attempt,
    note_fix_offer,
    offered_fix_attempts,
    record_fix_attempt,
)
from bot.adapters.sql_interactions import recent_interactions, record_interaction
from bot.adapters.store_engine import Clock
from bot.domain.conversations import Conversation
from bot.domain.drift import DriftCheck
from bot.domain.fixes.attempts import ClassRate, FixAttempt
from bot.domain.interactions import InteractionRecord
from bot.domain.record_repos import repo_of_text


class ModelAndFixRecords:
    """SqlStore's part for what the model said and did, the fix loop's attempts, and drift checks."""

    engine: Engine
    clock: Clock
    _repo: str | None

    def record_interaction(self, record: InteractionRecord) -> int:
        """Keep one model interaction (bot/adapters/sql_interactions.py), secrets masked."""
        return record_interaction(self.engine, record, self.clock, repo_of_text(record.where) or self._repo)

    def interactions(self, limit: int = 20, *, repos: Collection[str] | None = None) -> list[InteractionRecord]:
        return recent_interactions(self.engine, limit, repos)

    def conversation_for(self, place: str, who: str) -> Conversation | None:
        return conversation_for(self.engine, place, who)

    def save_conversation(self, conversation: Conversation) -> int:
        """Keep the conversation (bot/adapters/sql_conversations.py), over the requester's last one there."""
        return save_conversation(self.engine, conversation)

    def record_fix_attempt(self, attempt: FixAttempt) -> int:
        """Keep one fix attempt (bot/adapters/sql_fix_attempts.py), secrets masked."""
        return record_fix_attempt(self.engine, attempt, self.clock)

    def mark_fix_outcome(
        self, attempt_id: int, *, accepted: bool | None = None, next_apply_ok: bool | None = None
    ) -> bool:
        return mark_fix_outcome(self.engine, attempt_id, accepted=accepted, next_apply_ok=next_apply_ok)

    def fix_attempts(
        self, repo: str | None = None, limit: int = 1000, *, repos: Collection[str] | None = None
    ) -> list[FixAttempt]:
        return fix_attempts_of(self.engine, repo, limit, repos)

    def fix_rates(
        self, repo: str | None = None, limit: int = 1000, *, repos: Collection[str] | None = None
    ) -> list[ClassRate]:
        return fix_rates_of(self.engine, repo, limit, repos)

    def note_fix_offer(self, attempt_id: int, offer: Mapping[str, Any]) -> bool:
        return note_fix_offer(self.engine, attempt_id, offer)

    def offered_fix_attempts(self, repo: str, change_id: str) -> list[FixAttempt]:
        return offered_fix_attempts(self.engine, repo, change_id)

    def move_fix_attempt(self, attempt_id: int, change_id: str) -> bool:
        return move_fix_attempt(self.engine, attempt_id, change_id)

    def record_drift_check(self, check: DriftCheck) -> None:
        """Keep a project's latest drift check (bot/adapters/sql_drift.py), over its previous one."""
        record_drift_check(self.engine, check)

    def drift_checks(self, repo: str) -> list[DriftCheck]:
        return drift_checks_of(self.engine, [repo])

    def drift_checks_in(self, repos: Collection[str]) -> list[DriftCheck]:
        return drift_checks_of(self.engine, repos)

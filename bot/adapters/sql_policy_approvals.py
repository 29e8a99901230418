"""`/infra approve_policies` in the store: one sealed row per change, policy set, commit and approver."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.adapters import sqlschema as t
from bot.domain.records import PolicyApprovalRecord
from bot.domain.seals import seal, seal_holds

_KIND = "policy-approval"


def policy_approval_insert(
    key: bytes, change_id: str, policy_set: str, commit: str, user: str, at: datetime
) -> sa.Insert:
    """The insert of one approval (its unique constraint makes a second one of the same a no-op)."""
    sealed = seal(key, _KIND, change_id, policy_set, commit, user, at.astimezone(UTC).isoformat())
    return t.policy_approvals.insert().values(
        change_id=change_id, policy_set=policy_set, commit_sha=commit, approver=user, approved_at=at, seal=sealed
    )


def policy_approvals_at(engine: Engine, key: bytes, change_id: str, commit: str) -> list[PolicyApprovalRecord]:
    """A change's policy approvals at commit, oldest first; a row whose seal does not check is marked untrusted."""
    table = t.policy_approvals
    query = (
        sa.select(table)
        .where(table.c.change_id == change_id, table.c.commit_sha == commit)
        .order_by(table.c.approved_at, table.c.id)
    )
    with engine.connect() as connection:
        return [
            PolicyApprovalRecord(
                change_id=row.change_id,
                policy_set=row.policy_set,
                commit=row.commit_sha,
                user=row.approver,
                at=row.approved_at,
                trusted=seal_holds(
                    key,
                    row.seal,
                    _KIND,
                    row.change_id,
                    row.policy_set,
                    row.commit_sha,
                    row.approver,
                    row.approved_at.isoformat(),
                ),
            )
            for row in connection.execute(query)
        ]

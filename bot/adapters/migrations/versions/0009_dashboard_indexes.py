"""The dashboard's indexes: the audit log by person and by action in id order, and runs by start time.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_audit_log_actor_id"), "audit_log", ["actor", "id"])
    op.create_index(op.f("ix_audit_log_action_id"), "audit_log", ["action", "id"])
    op.create_index(op.f("ix_runs_started_at"), "runs", ["started_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_runs_started_at"), table_name="runs")
    op.drop_index(op.f("ix_audit_log_action_id"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_actor_id"), table_name="audit_log")

"""Policy as code: each saved plan's blocking policy failures, and `/infra approve_policies` per set and commit.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("policy_failures", sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "policy_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Text(), nullable=False),
        sa.Column("policy_set", sa.Text(), nullable=False),
        sa.Column("commit_sha", sa.Text(), nullable=False),
        sa.Column("approver", sa.Text(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seal", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_approvals")),
        sa.UniqueConstraint(
            "change_id",
            "policy_set",
            "commit_sha",
            "approver",
            name=op.f("uq_policy_approvals_change_id_policy_set_commit_sha_approver"),
        ),
    )


def downgrade() -> None:
    op.drop_table("policy_approvals")
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("policy_failures")

"""Sealed approvals and plans (an HMAC per row), the base a plan was made against, and who pushed what.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows from before have no seal: the gate treats them as untrusted, so they must be approved or planned again.
    with op.batch_alter_table("approvals") as table:
        table.add_column(sa.Column("seal", sa.Text(), nullable=True))
    with op.batch_alter_table("plans") as table:
        table.add_column(sa.Column("base_ref", sa.Text(), nullable=False, server_default=""))
        table.add_column(sa.Column("seal", sa.Text(), nullable=True))
    op.create_table(
        "pushes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repo", sa.Text(), nullable=False),
        sa.Column("branch", sa.Text(), nullable=False),
        sa.Column("head_sha", sa.Text(), nullable=False),
        sa.Column("pusher", sa.Text(), nullable=False),
        sa.Column("change_id", sa.Text(), nullable=True),
        sa.Column("created", sa.Boolean(), nullable=False),
        sa.Column("delivery_id", sa.Text(), nullable=False),
        sa.Column("pushed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pushes")),
        sa.UniqueConstraint("delivery_id", "head_sha", name=op.f("uq_pushes_delivery_id_head_sha")),
    )
    op.create_index(op.f("ix_pushes_repo_branch"), "pushes", ["repo", "branch"])
    op.create_index(op.f("ix_pushes_change_id"), "pushes", ["change_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_pushes_change_id"), table_name="pushes")
    op.drop_index(op.f("ix_pushes_repo_branch"), table_name="pushes")
    op.drop_table("pushes")
    with op.batch_alter_table("plans") as table:
        table.drop_column("seal")
        table.drop_column("base_ref")
    with op.batch_alter_table("approvals") as table:
        table.drop_column("seal")

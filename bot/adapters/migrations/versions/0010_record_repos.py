"""Each run, plan, audit entry and model interaction names its repository, indexed with its id for the App's dashboard.

The column is filled from what the rows already say (bot/domain/record_repos.py): the App's change ids and places
are "owner/name#N", and some audit params name "repo"; the rest (local rows) stay None.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from bot.domain.record_repos import repo_of_params, repo_of_text

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("runs", "plans", "audit_log", "model_interactions")
_BATCH = 1000


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("repo", sa.Text(), nullable=True))
    _backfill("runs", "change_id", repo_of_text)
    _backfill("plans", "change_id", repo_of_text)
    _backfill("model_interactions", "place", repo_of_text)
    _backfill("audit_log", "params", lambda params: repo_of_params(params) if isinstance(params, dict) else None)
    for table in _TABLES:
        op.create_index(op.f(f"ix_{table}_repo_id"), table, ["repo", "id"])


def _backfill(name: str, source: str, rule: Callable[[Any], str | None]) -> None:
    """Set repo on every row whose `source` names one, walking the table by id in batches (no row read twice)."""
    table = sa.table(name, sa.column("id", sa.Integer), sa.column(source, sa.JSON if source == "params" else sa.Text))
    target = sa.table(name, sa.column("id", sa.Integer), sa.column("repo", sa.Text))
    connection = op.get_bind()
    after = 0
    while True:
        rows = connection.execute(
            sa.select(table.c.id, table.c[source]).where(table.c.id > after).order_by(table.c.id).limit(_BATCH)
        ).all()
        if not rows:
            return
        updates = [{"row_id": row[0], "repo": repo} for row in rows if (repo := rule(row[1])) is not None]
        if updates:
            connection.execute(
                target.update().where(target.c.id == sa.bindparam("row_id")).values(repo=sa.bindparam("repo")),
                updates,
            )
        after = rows[-1][0]


def downgrade() -> None:
    for table in reversed(_TABLES):
        op.drop_index(op.f(f"ix_{table}_repo_id"), table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("repo")

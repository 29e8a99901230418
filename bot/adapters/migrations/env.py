"""Alembic's entry point for the store: runs the revisions on the connection SqlStore hands over."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import context
from alembic.autogenerate.api import AutogenContext

from bot.adapters.sqlschema import VERSION_TABLE, NulFreeText, UtcDateTime, metadata


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """Write the schema's own types as their plain SQL types, so revisions never import the live schema."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, NulFreeText):
        return "sa.Text()"
    return False


def configure_options() -> dict[str, Any]:
    return {
        "target_metadata": metadata,
        "version_table": VERSION_TABLE,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead, and is a no-op elsewhere.
        "render_as_batch": True,
        "render_item": render_item,
        "compare_type": True,
    }


def run_offline() -> None:
    context.configure(url=context.config.get_main_option("sqlalchemy.url"), literal_binds=True, **configure_options())
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        # SqlStore.open hands over a connection inside its own transaction, and commits it itself.
        context.configure(connection=connection, **configure_options())
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = sa.create_engine(context.config.get_main_option("sqlalchemy.url") or "", poolclass=sa.NullPool)
    with engine.connect() as own_connection:
        context.configure(connection=own_connection, **configure_options())
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()

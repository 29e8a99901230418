"""The store's Alembic migrations, configured from code: no alembic.ini is needed to upgrade."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from sqlalchemy.engine import Connection

SCRIPT_LOCATION = Path(__file__).resolve().parent


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """An Alembic Config for these migrations, bound to an open connection or to a database URL.

    With the `alembic` commands API (`alembic.command.revision(cfg, autogenerate=True, message=...)`)
    this is also how a new revision is written: no ini file to keep in step with the package.
    """
    config = Config()
    # ConfigParser interpolates "%": a path or password holding one would otherwise break the lookup.
    config.set_main_option("script_location", str(SCRIPT_LOCATION).replace("%", "%%"))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config

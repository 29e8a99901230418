"""The store's database: its URL checked, the engine made for SQLite or PostgreSQL, and the schema migrated."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError

from bot.adapters import sqlschema as t
from bot.adapters.secret_masking import mask_secret_text

Clock = Callable[[], datetime]

VALID_URL_EXAMPLES = (
    "sqlite:///path/to/olympus.db (a local file) or postgresql+psycopg://user:password@db.example.com:5432/olympus"
)

# Any number will do as long as it is constant: replicas starting together take turns migrating.
_MIGRATION_LOCK_KEY = 0x6F6C796D  # "olym"

# Alembic installs `context` and `op` as module-wide proxies for the migration in progress, so two
# migrations in one process must never overlap, whatever databases they target.
_MIGRATING_IN_THIS_PROCESS = threading.Lock()


class StoreOpenError(Exception):
    """The store could not be opened: a bad URL, an unreachable server, or a schema newer than this code."""

    def __init__(self, reference: str, message: str, hint: str) -> None:
        super().__init__(f"{message}\nhint: {hint}")
        self.reference = reference  # kebab-case, stable: something to search for
        self.message = message
        self.hint = hint


def utc_now() -> datetime:
    return datetime.now(UTC)


def parse_store_url(url: str) -> URL:
    """The SQLAlchemy URL for a store URL, or StoreOpenError saying what is wrong and what would work."""
    if not url.strip():
        raise StoreOpenError("bad-database-url", "the database URL is empty", f"use {VALID_URL_EXAMPLES}")
    try:
        parsed = sa.make_url(url.strip())
    except ArgumentError:
        raise StoreOpenError(
            "bad-database-url",
            f"{mask_secret_text(url)!r} is not a database URL",
            f"use {VALID_URL_EXAMPLES}",
        ) from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend in ("postgresql", "postgres") and driver in ("", "psycopg"):
        # Bare postgresql:// (and Heroku-style postgres://) mean the driver Olympus ships: psycopg 3.
        parsed = parsed.set(drivername="postgresql+psycopg")
        if not parsed.database:
            raise StoreOpenError(
                "bad-database-url",
                f"{parsed.render_as_string(hide_password=True)!r} names no database",
                "add the database name after the host, e.g. postgresql+psycopg://user@db.example.com:5432/olympus",
            )
        return parsed
    if backend == "sqlite" and driver in ("", "pysqlite"):
        return parsed
    if backend in ("postgresql", "postgres"):
        wrong = f"the PostgreSQL driver {driver!r} is not installed with Olympus"
    else:
        wrong = f"{backend!r} databases are not supported (only SQLite and PostgreSQL)"
    raise StoreOpenError(
        "bad-database-url",
        f"{parsed.render_as_string(hide_password=True)!r}: {wrong}",
        f"use {VALID_URL_EXAMPLES}",
    )


def engine_for(url: URL) -> Engine:
    if url.get_backend_name() == "postgresql":
        # pre_ping: a server restart or a failover should cost one reconnect, not a failed command.
        return sa.create_engine(url, pool_pre_ping=True)
    in_memory = url.database in (None, "", ":memory:")
    if in_memory:
        # One shared connection, or every connection would see its own empty database. Single-threaded use only.
        engine = sa.create_engine(url, poolclass=sa.StaticPool, connect_args={"check_same_thread": False})
    else:
        Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)
        # Writers wait for each other (up to the timeout) instead of failing with "database is locked".
        engine = sa.create_engine(url, connect_args={"timeout": 30})

    @sa.event.listens_for(engine, "connect")
    def _enforce_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
        # SQLite ignores foreign keys (and so ON DELETE CASCADE) unless each connection asks for them.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


# The newest migration's revision (bot/adapters/migrations/versions/). A store already at it opens without loading
# Alembic and its scripts, a few tenths of a second every CLI command would otherwise spend.
SCHEMA_HEAD = "0010"


class SchemaNewerThanCode(Exception):
    """The database's schema has a revision this code's migrations do not know."""


def _at_head(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            query: Any = sa.select(sa.column("version_num")).select_from(sa.table(t.VERSION_TABLE))
            found = connection.execute(query).scalars().all()
    except DBAPIError:  # no version table yet: a new database
        return False
    return found == [SCHEMA_HEAD]


def migrate(engine: Engine) -> None:
    """Upgrade to head in one transaction that other processes opening the same database wait for."""
    if _at_head(engine):
        return
    from alembic import command
    from alembic.util.exc import CommandError

    from bot.adapters.migrations import alembic_config

    try:
        _upgrade(engine, command, alembic_config)
    except CommandError as error:
        raise SchemaNewerThanCode(str(error)) from None


def _upgrade(engine: Engine, command: Any, alembic_config: Callable[..., Any]) -> None:
    with _MIGRATING_IN_THIS_PROCESS, engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            # Released at commit; a second replica waits here, then finds the schema already at head.
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_MIGRATION_LOCK_KEY)))
        else:
            # pysqlite issues no BEGIN before DDL, so two processes (uvicorn workers) could both create
            # the tables. Begin ourselves, taking SQLite's write lock at once: the second waits, then
            # finds the schema at head, and a failed migration rolls back whole (SQLite's DDL is transactional).
            connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        command.upgrade(alembic_config(connection=connection), "head")
        connection.commit()


def is_unique_violation(error: IntegrityError) -> bool:
    original = error.orig
    return (
        getattr(original, "sqlstate", None) == "23505"  # psycopg: unique_violation
        or getattr(original, "sqlite_errorname", None) == "SQLITE_CONSTRAINT_UNIQUE"
    )


def open_engine(url: str) -> Engine:
    """An engine on the database at url, reachable and migrated to head; StoreOpenError says why not."""
    parsed = parse_store_url(url)
    shown = parsed.render_as_string(hide_password=True)
    engine = None
    try:
        engine = engine_for(parsed)
        with engine.connect():
            pass
    except (OSError, OperationalError) as error:
        if engine is not None:
            engine.dispose()
        if isinstance(error, OperationalError):
            reason = str(error.orig)
        else:  # the SQLite file's folder could not be created
            reason = f"cannot create the folder {error.filename}: {error.strerror}"
        if parsed.get_backend_name() == "sqlite":
            hint = "point the URL at a file in a folder Olympus can create and write, e.g. sqlite:///olympus.db"
        else:
            hint = (
                "check that the server is running, and that its host, port, user, password and database "
                "name in the URL are right"
            )
        raise StoreOpenError(
            "database-unreachable",
            f"cannot open the database {shown!r}: {' '.join(mask_secret_text(reason).split())}",
            hint,
        ) from None
    try:
        migrate(engine)
    except SchemaNewerThanCode as error:
        engine.dispose()
        raise StoreOpenError(
            "database-newer-than-code",
            f"the database {shown!r} has a schema this version of Olympus does not know: {error}",
            "upgrade Olympus to the version that last migrated this database, or point it at another one",
        ) from None
    except BaseException:
        engine.dispose()
        raise
    return engine

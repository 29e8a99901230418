"""Throw-away databases for tests: a fresh PostgreSQL database per test (failing loudly when it is down), or SQLite."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

POSTGRES_ADMIN_URL = os.environ.get("OLYMPUS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[sa.Engine]:
    """An AUTOCOMMIT engine on the `test` database; failing (not skipping) when PostgreSQL is down."""
    engine = sa.create_engine(
        POSTGRES_ADMIN_URL,
        isolation_level="AUTOCOMMIT",
        poolclass=sa.NullPool,
        connect_args={"connect_timeout": 5},
    )
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
    except sa.exc.OperationalError as error:
        engine.dispose()
        reason = (
            f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {str(error.orig).strip()}. "
            "Start it (trust auth, database `test`), point OLYMPUS_TEST_POSTGRES_URL at one, "
            "or set OLYMPUS_SKIP_POSTGRES=1 to skip the PostgreSQL half of these tests."
        )
        if os.environ.get("OLYMPUS_SKIP_POSTGRES") == "1":
            pytest.skip(reason)
        pytest.fail(reason, pytrace=False)
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_url(postgres_admin: sa.Engine) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    name = f"olympus_test_{secrets.token_hex(6)}"
    with postgres_admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with postgres_admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'olympus.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'olympus.db'}"

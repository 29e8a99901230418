"""Fixtures for the App's door: real webhook payloads signed here, throw-away databases, a TestClient."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from signed_deliveries import SECRET

from bot.adapters.sqlstore import SqlStore
from bot.entrypoints.webhook import create_app
from bot.settings import load_settings


@pytest.fixture(scope="session")
def examples_dir(fixtures_dir: Path) -> Path:
    return fixtures_dir / "github-webhooks" / "payload-examples" / "api.github.com"


@pytest.fixture(scope="session")
def example(examples_dir: Path) -> Any:
    """example("issue_comment/created.with-installation") -> the parsed payload (a fresh copy each call)."""

    def load(name: str) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((examples_dir / f"{name}.payload.json").read_bytes())
        return loaded

    return load


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    with SqlStore.open(store_url) as opened:
        yield opened


@pytest.fixture
def client(store: SqlStore) -> Iterator[TestClient]:
    """The real app (create_app) on a throw-away database, with the test secret."""
    settings = load_settings(None, webhook_secret=SECRET, database_url=str(store.engine.url))
    with TestClient(create_app(settings, store)) as test_client:
        yield test_client

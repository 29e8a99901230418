"""Fixtures for the App's door: real webhook payloads signed here, throw-away databases, a TestClient."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


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

"""Shared test fixtures: the location of ../shared/fixtures, which tests read and never copy."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from fixture_paths import shared_fixtures  # helpers import it from there: `conftest` may name tests/action's
from hypothesis import HealthCheck, settings

# These machines are shared and noisy: no per-example deadline, and slow input generation is not a failure.
settings.register_profile("olympus", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("olympus")

# Shared fixtures: the GitHub test double (fake_github, github_openapi) and throw-away databases.
pytest_plugins = ["fakes.github.plugin", "fakes.argocd_double", "throwaway_databases", "claude_replay"]

# The key that seals local records lives outside any repository, in the user's config; tests (and the CLI they
# start) use one of their own instead of the developer's.
os.environ.setdefault("OLYMPUS_RECORD_KEY_FILE", str(Path(tempfile.mkdtemp(prefix="olympus-key-")) / "record.key"))


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return shared_fixtures()

"""Pytest fixtures for the GitHub double: the OpenAPI description once per session, a fresh fake per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .auth import generate_app_key
from .fake import FakeGitHub
from .openapi import GitHubOpenAPI


@pytest.fixture(scope="session")
def github_openapi(fixtures_dir: Path) -> GitHubOpenAPI:
    """GitHub's REST description, parsed once per test session (13 MB of JSON)."""
    return GitHubOpenAPI.load(fixtures_dir)


@pytest.fixture(scope="session")
def github_app_key() -> tuple[str, str]:
    """(private PEM, public PEM) of the test App, generated once per session."""
    return generate_app_key()


@pytest.fixture
def fake_github(github_openapi: GitHubOpenAPI, github_app_key: tuple[str, str]) -> Iterator[FakeGitHub]:
    """A running FakeGitHub; the test fails at teardown if any request or response broke GitHub's description.

    A test that provokes a violation on purpose asserts on `fake_github.violations` and then clears it.
    """
    private_pem, public_pem = github_app_key
    fake = FakeGitHub(github_openapi, private_key_pem=private_pem, public_key_pem=public_pem)
    try:
        yield fake
    finally:
        fake.stop()
    if fake.violations:
        pytest.fail(
            "the GitHub double saw requests or responses GitHub's description refuses:\n- "
            + "\n- ".join(fake.violations),
            pytrace=False,
        )

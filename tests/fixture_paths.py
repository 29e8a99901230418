"""Where ../shared/fixtures is: for conftest.py and for helper modules, which cannot rely on `conftest` naming it."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_FIXTURES = Path(os.environ.get("OLYMPUS_SHARED_FIXTURES", ROOT.parent / "shared" / "fixtures"))


def shared_fixtures() -> Path:
    """The shared fixtures folder; a missing one is a broken checkout, so fail loudly."""
    if not (SHARED_FIXTURES / "MANIFEST.md").is_file():
        raise RuntimeError(
            f"shared fixtures not found at {SHARED_FIXTURES}: clone the project with ../shared beside it "
            "or set OLYMPUS_SHARED_FIXTURES"
        )
    return SHARED_FIXTURES

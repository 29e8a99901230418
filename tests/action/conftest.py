"""Fixtures for the Action's tests: the local AWS emulator the jobs plan and apply against."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.adapters.local_aws import InProcessEmulator, LocalAws


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with InProcessEmulator() as emulator:
        yield emulator

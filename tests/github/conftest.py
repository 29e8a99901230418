"""The GitHub double's fixtures for these tests, registered once unless the root conftest already did."""

from __future__ import annotations

import pytest

PLUGIN = "fakes.github.plugin"


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.hasplugin(PLUGIN):
        config.pluginmanager.import_plugin(PLUGIN)

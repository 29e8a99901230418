"""`olympus serve` acts as the App only when both the App ID and its key are set, and says which one is missing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.sqlstore import SqlStore
from bot.entrypoints.serve import github_handler
from bot.errors import UserError
from bot.services.workers import log_only_handler
from bot.settings import load_settings


def store(tmp_path: Path) -> SqlStore:
    return SqlStore.open(f"sqlite:///{tmp_path / 'olympus.db'}")


def test_without_app_settings_deliveries_are_only_stored(tmp_path: Path) -> None:
    settings = load_settings(env_file=None, webhook_secret="s")
    assert github_handler(settings, store(tmp_path)) is log_only_handler


def test_an_app_id_without_a_key_names_the_missing_setting(tmp_path: Path) -> None:
    settings = load_settings(env_file=None, webhook_secret="s", app_id=12)
    with pytest.raises(UserError, match="OLYMPUS_PRIVATE_KEY_FILE"):
        github_handler(settings, store(tmp_path))


def test_a_key_that_is_not_a_pem_is_refused_without_echoing_it(tmp_path: Path) -> None:
    settings = load_settings(env_file=None, webhook_secret="s", app_id=12, private_key="not-a-key-SECRETVALUE")
    with pytest.raises(UserError) as raised:
        github_handler(settings, store(tmp_path))
    assert "SECRETVALUE" not in str(raised.value)


def test_the_mcp_gateway_without_the_app_names_what_it_needs(tmp_path: Path) -> None:
    settings = load_settings(env_file=None, webhook_secret="s", mcp_http="read-only")
    with pytest.raises(UserError, match="OLYMPUS_MCP_HTTP=read-only needs the App"):
        github_handler(settings, store(tmp_path))


def test_a_mode_the_gateway_does_not_have_is_refused_with_the_three_it_has() -> None:
    with pytest.raises(UserError) as raised:
        load_settings(env_file=None, webhook_secret="s", mcp_http="on")
    assert "read-only" in str(raised.value) and "propose" in str(raised.value)


def test_the_drift_schedule_runs_only_for_the_app_and_not_when_off(tmp_path: Path, fake_github: Any) -> None:
    from bot.adapters.jobqueue import JobQueue
    from bot.entrypoints.serve import drift_scheduler

    queue = JobQueue(store(tmp_path).engine)
    assert drift_scheduler(load_settings(env_file=None, webhook_secret="s"), queue) is None  # no App: nothing to list
    app = dict(webhook_secret="s", app_id=fake_github.app_id, private_key=fake_github.private_key_pem)
    assert drift_scheduler(load_settings(env_file=None, drift_interval="off", **app), queue) is None
    scheduler = drift_scheduler(load_settings(env_file=None, drift_interval="6h", **app), queue)
    assert scheduler is not None and scheduler.interval == timedelta(hours=6) and not scheduler.is_alive()

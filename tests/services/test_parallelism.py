"""How many projects plan at once: OLYMPUS_PARALLEL_PLAN (the cores by default), lowered, never raised, by the
repository's `parallel_plan`; a bad value is a user error naming the setting."""

from __future__ import annotations

import os

import pytest

from bot.domain.repo_config import ConfigErrors, RepoConfig, parse_repo_config
from bot.errors import UserError
from bot.services.parallelism import parallel_plan_from, plan_limit
from bot.settings import load_settings


def test_the_default_is_the_machines_cores() -> None:
    assert parallel_plan_from({}) == (os.cpu_count() or 1)
    assert parallel_plan_from({"OLYMPUS_PARALLEL_PLAN": " 3 "}) == 3


@pytest.mark.parametrize("raw", ["0", "-1", "two", "1.5"])
def test_a_bad_setting_says_which_and_how(raw: str) -> None:
    with pytest.raises(UserError) as raised:
        parallel_plan_from({"OLYMPUS_PARALLEL_PLAN": raw})
    assert raised.value.reference == "bad-setting"
    assert "OLYMPUS_PARALLEL_PLAN" in raised.value.message and "1 or more" in raised.value.hint


def test_the_app_reads_it_into_its_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLYMPUS_WEBHOOK_SECRET", "s3cret")
    monkeypatch.setenv("OLYMPUS_PARALLEL_PLAN", "5")
    assert load_settings(env_file=None).parallel_plan == 5
    monkeypatch.setenv("OLYMPUS_PARALLEL_PLAN", "0")
    with pytest.raises(UserError) as raised:
        load_settings(env_file=None)
    assert "OLYMPUS_PARALLEL_PLAN" in raised.value.message


def test_the_repository_may_only_lower_it() -> None:
    config = parse_repo_config("version: 1\nparallel_plan: 1\n")
    assert isinstance(config, RepoConfig) and config.parallel_plan == 1
    assert plan_limit(4, config.parallel_plan) == 1
    assert plan_limit(2, 16) == 2  # a pull request cannot make the App's workers run more at once
    assert plan_limit(3, None) == 3


def test_a_bad_repository_value_is_pointed_at() -> None:
    errors = parse_repo_config("version: 1\nparallel_plan: 0\n")
    assert isinstance(errors, ConfigErrors)
    assert "parallel_plan" in errors.render() and ":2" in errors.render()

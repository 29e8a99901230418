"""Canary: the App's plan of a pull request with a sensitive variable shows it nowhere: GitHub, the store, the log."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_driver import App, seed_files
from secret_canary import BROKEN, DEV, assert_hidden, canary_files, database_bytes

from bot.adapters.local_aws import InProcessEmulator, LocalAws
from bot.domain.sensitive import PLACEHOLDER
from bot.services.pull_requests import CHECK_PREFIX

pytestmark = pytest.mark.slow

# Not the end-to-end test's repository: moto keeps one state per process, and the state key holds the repository.
REPO = "octo-org/secrets"


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with InProcessEmulator() as emulator:
        yield emulator


def opened(app: App, number: int, sender: str) -> dict[str, Any]:
    payload = app.payload("pull_request/synchronize.payload.json", sender)
    owner, name = REPO.split("/")
    payload["repository"].update(full_name=REPO, name=name)
    payload["repository"]["owner"]["login"] = owner
    payload["action"] = "opened"
    payload["number"] = payload["pull_request"]["number"] = number
    return payload


def test_a_planned_pull_request_shows_the_canary_nowhere(
    fixtures_dir: Path, fake_github: Any, aws: LocalAws, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake = fake_github
    repo = fake.add_repo(REPO, files=seed_files())
    fake.set_permission(REPO, "mona", "write")
    number = fake.open_pull_request(
        REPO, head="canary", base="main", title="Add the canary", author="mona", files=canary_files()
    )
    app = App(fixtures_dir, fake, aws, tmp_path)
    sent_before = len(fake.requests)

    app.deliver("pull_request", opened(app, number, "mona"))

    checks = {run.name: run for run in repo.check_runs}
    assert (checks[CHECK_PREFIX + DEV].conclusion, checks[CHECK_PREFIX + BROKEN].conclusion) == ("success", "failure")
    # The failed plan's error is the check run's text: Terraform quoted the value there, the placeholder stands.
    assert f"The canary is {PLACEHOLDER}." in checks[CHECK_PREFIX + BROKEN].output["text"]
    [comment] = [c.body for c in repo.comments(number) if c.user == fake.bot_login]
    assert f"`canary_echo` (create): _{PLACEHOLDER}_" in comment
    sent = fake.requests[sent_before:]
    assert any(r.method == "PATCH" and "/check-runs/" in r.path for r in sent)
    for request in sent:
        assert_hidden(f"{request.method} {request.path}", json.dumps(request.json))
    for run in repo.check_runs:
        assert_hidden(f"check run {run.name}", json.dumps([run.output, run.annotations]))
    assert_hidden("the plan comment", comment)
    assert_hidden("the store", database_bytes(tmp_path / "olympus.db"))
    assert_hidden("the log", caplog.text)

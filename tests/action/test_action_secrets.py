"""Canary: the Action's plan job shows a sensitive variable's value nowhere: summary, outputs, log, GitHub, store."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from secret_canary import BROKEN, DEV, assert_hidden, canary_files, database_bytes, write_files
from test_action_apply import job_env, seed_files
from test_action_plan import git, read_outputs

from bot.adapters.local_aws import LocalAws
from bot.domain.sensitive import PLACEHOLDER
from bot.entrypoints.action import run_action
from bot.entrypoints.demo import seed_repository
from bot.services.pull_requests import CHECK_PREFIX

pytestmark = pytest.mark.slow

# Its own repository: moto keeps one state per process, and the Terraform state key holds the repository.
REPO = "octo-org/secrets-job"
EVENT = "github-webhooks/payload-examples/api.github.com/pull_request/opened.payload.json"


def test_the_plan_job_shows_the_canary_nowhere(
    tmp_path: Path,
    fixtures_dir: Path,
    aws: LocalAws,
    fake_github: Any,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake = fake_github
    repo = fake.add_repo(REPO, files=seed_files(tmp_path))
    number = fake.open_pull_request(
        REPO, head="canary", base="main", title="Add the canary", author="mona", files=canary_files()
    )
    # The job's workspace: the same change, checked out at its head as actions/checkout does.
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    seed_repository(workspace)
    base = git(workspace, "rev-parse", "HEAD").strip()
    git(workspace, "checkout", "--quiet", "-b", "canary")
    write_files(workspace, canary_files())
    git(workspace, "add", "--all")
    git(workspace, "commit", "--quiet", "-m", "Add the canary")
    head = git(workspace, "rev-parse", "HEAD").strip()
    fake.set_pull_head(REPO, number, head)
    event = json.loads((fixtures_dir / EVENT).read_text())
    event["number"] = event["pull_request"]["number"] = number
    event["pull_request"]["base"]["sha"], event["pull_request"]["head"]["sha"] = base, head
    event["pull_request"]["head"]["repo"]["full_name"] = REPO
    env = job_env(
        tmp_path,
        workspace,
        "pull_request",
        event,
        "mona",
        aws,
        GITHUB_REPOSITORY=REPO,
        GITHUB_TOKEN=fake.actions_token(),
        GITHUB_API_URL=fake.base_url,
        INPUT_COMMENT_MODE="sticky",
    )
    emitted: list[str] = []
    sent_before = len(fake.requests)

    assert run_action(env, emitted.append) == 1  # the broken project's plan fails

    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert f"`canary_echo` (create): _{PLACEHOLDER}_" in summary
    assert f"The canary is {PLACEHOLDER}." in summary
    outputs = read_outputs(Path(env["GITHUB_OUTPUT"]))
    assert outputs["add"] == "2" and json.loads(outputs["plans"])[0]["project"] == DEV
    checks = {run.name: run for run in repo.check_runs}
    assert f"The canary is {PLACEHOLDER}." in checks[CHECK_PREFIX + BROKEN].output["text"]
    printed = capsys.readouterr()
    assert_hidden("the job summary", summary)
    assert_hidden("the job's outputs", json.dumps(outputs))
    assert_hidden("the plan record", Path(outputs["record-path"]).read_text())
    assert_hidden("the workflow commands", "\n".join(emitted))
    assert_hidden("the job's log", printed.out + printed.err + caplog.text)
    for request in fake.requests[sent_before:]:
        assert_hidden(f"{request.method} {request.path}", json.dumps(request.json))
    assert_hidden("the job's store", database_bytes(tmp_path / "runner-temp" / "olympus" / "olympus.db"))

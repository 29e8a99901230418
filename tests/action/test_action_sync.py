"""Mode sync of the Action: a merged pull request's closed event syncs its Applications through Argo CD (the double),
with the token masked, the outcome in the job summary and outputs, and the pull request told."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fakes.app_repo import FILES, REPO, comments, merge, open_values_change
from fakes.argocd_double import FakeApplication, FakeArgoCd

from bot.entrypoints.action import run_action


def job_env(tmp_path: Path, fake: Any, number: int, fixtures_dir: Path, **extra: str) -> dict[str, str]:
    runner = tmp_path / "runner"
    runner.mkdir(exist_ok=True)
    payload = fixtures_dir / "github-webhooks/payload-examples/api.github.com/pull_request/closed.payload.json"
    event = json.loads(payload.read_text())
    event["number"] = event["pull_request"]["number"] = number
    event["pull_request"]["merged"] = True
    (runner / "event.json").write_text(json.dumps(event))
    for name in ("output", "summary"):
        (runner / name).write_text("")
    return {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(runner / "event.json"),
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_SHA": "0" * 40,
        "GITHUB_ACTOR": "alice",
        "GITHUB_OUTPUT": str(runner / "output"),
        "GITHUB_STEP_SUMMARY": str(runner / "summary"),
        "RUNNER_TEMP": str(tmp_path / "runner-temp"),
        "GITHUB_TOKEN": fake.actions_token(),
        "GITHUB_API_URL": fake.base_url,
        "INPUT_MODE": "sync",
        **extra,
    }


@pytest.fixture
def merged(fake_github: Any) -> tuple[int, str]:
    fake_github.add_repo(REPO, files=FILES)
    number = open_values_change(fake_github)
    return number, merge(fake_github, number)


def test_sync_mode_syncs_the_merge_and_masks_the_token(
    tmp_path: Path, fake_github: Any, argocd_double: FakeArgoCd, merged: tuple[int, str], fixtures_dir: Path
) -> None:
    number, sha = merged
    app = argocd_double.add(FakeApplication("payments-api-staging", progressing_polls=0))
    env = job_env(tmp_path, fake_github, number, fixtures_dir, INPUT_ARGOCD_SERVER=argocd_double.url,
                  INPUT_ARGOCD_TOKEN=argocd_double.token, INPUT_ARGOCD_SYNC_TIMEOUT="30")  # fmt: skip
    lines: list[str] = []
    assert run_action(env, lines.append) == 0
    assert lines[0] == f"::add-mask::{argocd_double.token}"
    assert [(s["dryRun"], s["revision"]) for s in app.syncs] == [(True, sha), (False, sha)]
    outputs = (tmp_path / "runner" / "output").read_text()
    assert '"application": "payments-api-staging", "result": "synced"' in outputs
    assert "✅ synced and healthy" in (tmp_path / "runner" / "summary").read_text()
    assert "✅ synced and healthy" in comments(fake_github, number)[0]


def test_sync_mode_without_argo_cd_says_how_to_set_it_up(
    tmp_path: Path, fake_github: Any, merged: tuple[int, str], fixtures_dir: Path
) -> None:
    number, _ = merged
    env = job_env(tmp_path, fake_github, number, fixtures_dir)
    assert run_action(env, lambda line: None) == 0
    assert "argocd-server" not in comments(fake_github, number)[0]
    assert "OLYMPUS_ARGOCD_SERVER" in (tmp_path / "runner" / "summary").read_text()


def test_sync_mode_fails_the_job_when_an_app_stays_degraded(
    tmp_path: Path, fake_github: Any, argocd_double: FakeArgoCd, merged: tuple[int, str], fixtures_dir: Path
) -> None:
    number, _ = merged
    argocd_double.add(FakeApplication("payments-api-staging", outcome="Degraded", progressing_polls=0))
    token_file = tmp_path / "argocd.token"
    token_file.write_text(argocd_double.token + "\n")
    env = job_env(tmp_path, fake_github, number, fixtures_dir, INPUT_ARGOCD_SERVER=argocd_double.url,
                  OLYMPUS_ARGOCD_TOKEN_FILE=str(token_file), INPUT_ARGOCD_SYNC_TIMEOUT="0.2")  # fmt: skip
    assert run_action(env, lambda line: None) == 1
    assert "❌ degraded" in (tmp_path / "runner" / "summary").read_text()

"""The Action answers requests for a change as the App does: an infra-request issue read by Claude (replayed
through the real SDK), a typed `/infra create` comment, a plain request with no backend set; each answered once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from app_driver import REPO, example, seed_files
from claude_replay import ReplayServer
from shown import shown
from test_app_plain_requests import COMMAND, FORM_BODY

from bot.entrypoints.action import resolve_mode
from bot.entrypoints.action_inputs import ActionInputs
from bot.errors import UserError


def run_ask(
    tmp_path: Path, fake: Any, event_name: str, event: dict[str, Any], extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`olympus action` as a runner starts it for the event, with the job's token on the GitHub double."""
    runner = tmp_path / "runner"
    runner.mkdir(parents=True, exist_ok=True)
    (runner / "event.json").write_text(json.dumps(event))
    for name in ("output", "summary"):
        (runner / name).write_text("")
    workspace = tmp_path / "workspace"
    workspace.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "RUNNER_", "ANTHROPIC_"))}
    env.update(
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(runner / "event.json"),
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_SHA": fake.repo(REPO).ref_sha("main"),
            "GITHUB_RUN_ID": "4242",
            "GITHUB_SERVER_URL": fake.base_url,
            "GITHUB_API_URL": fake.base_url,
            "GITHUB_ACTOR": "bob",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_OUTPUT": str(runner / "output"),
            "GITHUB_STEP_SUMMARY": str(runner / "summary"),
            "RUNNER_TEMP": str(runner),
            "INPUT_GITHUB_TOKEN": fake.actions_token(),
            "OLYMPUS_LLM_BACKEND": "none",
            **(extra_env or {}),
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "bot.entrypoints.cli", "action"],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def answers(fake: Any, number: int) -> list[str]:
    return [shown(c.body).strip() for c in fake.repo(REPO).comments(number) if c.user == "github-actions[bot]"]


@pytest.fixture
def repo(fake_github: Any) -> Any:
    made = fake_github.add_repo(REPO, files=seed_files())
    fake_github.set_permission(REPO, "bob", "write")
    fake_github.set_permission(REPO, "rex", "read")
    return made


def issue_event(fixtures_dir: Path, fake: Any, body: str, author: str) -> tuple[int, dict[str, Any]]:
    number = fake.create_issue(REPO, "Infrastructure request", body, author)
    issue = fake.repo(REPO).issues[number]
    issue.labels = ["infra-request"]
    event = example(fixtures_dir, "issues/opened.payload.json", fake.installation_id, author)
    event["issue"].update(number=number, id=issue.id, body=body, labels=[{"name": "infra-request"}])
    event["issue"]["user"]["login"] = author
    return number, event


def comment_event(fixtures_dir: Path, fake: Any, text: str, author: str) -> tuple[int, dict[str, Any]]:
    number = fake.create_issue(REPO, "a request", "", author)
    comment_id = fake.add_issue_comment(REPO, number, text, author)
    event = example(fixtures_dir, "issue_comment/created.with-installation.payload.json", fake.installation_id, author)
    event["issue"]["number"] = number
    event["issue"].pop("pull_request", None)
    event["comment"].update(id=comment_id, body=text)
    event["comment"]["user"]["login"] = author
    return number, event


def test_an_infra_request_issue_becomes_its_pull_request_through_claude(
    fixtures_dir: Path, fake_github: Any, repo: Any, tmp_path: Path
) -> None:
    number, event = issue_event(fixtures_dir, fake_github, FORM_BODY, "bob")
    with ReplayServer("bucket_in_ireland") as claude:
        done = run_ask(tmp_path, fake_github, "issues", event, {**claude.env(), "OLYMPUS_LLM_BACKEND": "anthropic"})
    assert done.returncode == 0, done.stdout + done.stderr
    [pr] = repo.pulls.values()
    [said] = answers(fake_github, number)
    assert said.startswith(f"Interpreted by claude-sonnet-4-6 as:\n\n{COMMAND}\n\nOpened #{pr.number}")
    assert "infra/aws/envs/dev/s3_bucket_billing_exports.tf" in repo.files_at(pr.head_ref)
    assert "Olympus answered the request in #" in (tmp_path / "runner" / "summary").read_text()


def test_a_typed_create_comment_needs_no_model_and_a_reader_is_refused(
    fixtures_dir: Path, fake_github: Any, repo: Any, tmp_path: Path
) -> None:
    number, event = comment_event(
        fixtures_dir, fake_github, "/infra create bucket team-logs env=dev region=eu-west-1", "bob"
    )
    done = run_ask(tmp_path, fake_github, "issue_comment", event)
    assert done.returncode == 0, done.stdout + done.stderr
    assert repo.pulls, answers(fake_github, number)
    [pr] = repo.pulls.values()
    assert answers(fake_github, number)[0].startswith(f"Opened #{pr.number}")

    refused_number, refused = comment_event(
        fixtures_dir, fake_github, "/infra create bucket more-logs env=dev region=eu-west-1", "rex"
    )
    done = run_ask(tmp_path / "second", fake_github, "issue_comment", refused)
    assert done.returncode == 0, done.stdout + done.stderr
    [said] = answers(fake_github, refused_number)
    assert said.startswith("@rex /infra create may be run by people with the write permission")
    assert len(repo.pulls) == 1


def test_plain_words_without_a_backend_say_how_to_set_one_up(
    fixtures_dir: Path, fake_github: Any, repo: Any, tmp_path: Path
) -> None:
    number, event = comment_event(fixtures_dir, fake_github, "@olympus a bucket for the logs, dev", "bob")
    done = run_ask(tmp_path, fake_github, "issue_comment", event)
    assert done.returncode == 0, done.stdout + done.stderr
    [said] = answers(fake_github, number)
    assert "ANTHROPIC_API_KEY" in said and not repo.pulls


@pytest.mark.parametrize(
    ("event_name", "event", "expected"),
    [
        ("issues", {"action": "opened"}, "ask"),
        ("issue_comment", {"comment": {"body": "@olympus a bucket please"}}, "ask"),
        ("issue_comment", {"comment": {"body": "/infra ask a bucket please"}}, "ask"),
        ("issue_comment", {"comment": {"body": "/infra create bucket a-b env=dev"}}, "ask"),
        ("issue_comment", {"comment": {"body": "/infra apply"}}, "apply"),
        ("issue_comment", {"comment": {"body": "thanks!"}}, "apply"),
    ],
)
def test_auto_mode_asks_on_issues_and_on_comments_that_ask_for_a_change(
    event_name: str, event: dict[str, Any], expected: str
) -> None:
    assert resolve_mode(ActionInputs(), event, event_name) == expected


def test_ask_mode_on_a_pull_request_event_is_refused() -> None:
    with pytest.raises(UserError) as refused:
        resolve_mode(ActionInputs(mode="ask"), {"action": "opened"}, "pull_request")
    assert refused.value.reference == "wrong-event"

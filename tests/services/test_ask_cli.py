"""`olympus ask` as a user runs it, on an empty `git init` repository: Claude (replayed on a loopback Messages API)
reads the request, the command it means is shown and run exactly as `olympus run` runs it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from claude_replay import ReplayServer
from local_repos import NOTHING, empty_repo, leftovers
from olympus_cli import git, olympus

REQUEST = "We need a bucket for the billing exports, in Ireland, dev."
COMMAND = "/infra create bucket billing-exports cloud=aws region=eu-west-1 env=dev versioning=on"
NO_MODEL = {"ANTHROPIC_API_KEY": "", "OLYMPUS_LLM_BACKEND": ""}


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    path = empty_repo(tmp_path / "infra-repo")
    yield path
    olympus("sandbox", "stop", "--repo", str(path))


@pytest.mark.slow
def test_a_request_in_plain_words_opens_the_change_its_command_opens(repo: Path) -> None:
    r = str(repo)
    assert olympus("init", "--repo", r, "--sandbox").returncode == 0
    with ReplayServer("bucket_in_ireland") as claude:
        done = olympus("ask", "--repo", r, "--sandbox", REQUEST, env=claude.env())
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Interpreted by claude-sonnet-4-6 as:\n  {COMMAND}\n" in done.stdout
    assert (
        "| 5 | 0 | 0 | 0 |" in done.stdout
    )  # the plan comment: the bucket and its 4 guards, real Terraform on the emulator
    assert git(repo, "branch", "--list", "infra/*").strip() == "infra/create-bucket-billing-exports-dev"
    assert len(claude.sent) == 2 and claude.sent[0]["model"] == "claude-sonnet-4-6"
    assert "HTTP Request" not in done.stderr and "Traceback" not in done.stderr  # no library logs reach the user
    # The interaction is kept: who, what came of it, the model, its tokens (600 in, 107 out, 4620 cached) and cost.
    status = olympus("status", "--repo", r)
    assert "recent plain-language requests (olympus ask):" in status.stdout
    assert f"bob → proposed: {COMMAND} (claude-sonnet-4-6, 5,327 tokens, $" in status.stdout


def test_without_a_model_a_plain_request_says_how_to_enable_one_and_makes_nothing(repo: Path) -> None:
    done = olympus("ask", "--repo", str(repo), "make me a bucket", env=NO_MODEL)
    assert done.returncode == 2
    assert "error[llm-not-configured]" in done.stderr and "ANTHROPIC_API_KEY" in done.stderr
    assert "Traceback" not in done.stderr
    assert leftovers(repo) == NOTHING


@pytest.mark.slow
def test_a_question_is_printed_nothing_is_made_and_the_answer_continues_it(repo: Path) -> None:
    assert olympus("init", "--repo", str(repo), "--sandbox").returncode == 0
    with ReplayServer("make_me_a_bucket") as claude:
        done = olympus("ask", "--repo", str(repo), "make me a bucket", env=claude.env())
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Olympus asks: What should the bucket be called")
    assert git(repo, "branch", "--list", "infra/*") == ""
    assert "bob → question: What should the bucket be called" in olympus("status", "--repo", str(repo)).stdout
    # The answer continues the same conversation: the model gets its question back with the answer.
    with ReplayServer("make_me_a_bucket_answered") as claude:
        answered = olympus("ask", "--repo", str(repo), "--sandbox", "billing-exports, for dev", env=claude.env())
    assert answered.returncode == 0, answered.stderr
    assert "/infra create bucket billing-exports cloud=aws region=us-east-1 env=dev" in answered.stdout
    assert [m["role"] for m in claude.sent[0]["messages"]] == ["user", "assistant", "user"]


def test_a_declined_request_is_a_user_error_and_makes_nothing(repo: Path) -> None:
    assert olympus("init", "--repo", str(repo), "--sandbox").returncode == 0
    with ReplayServer("apply_it_now") as claude:
        done = olympus("ask", "--repo", str(repo), "apply it now", env=claude.env())
    assert done.returncode == 2
    assert "error[request-declined]: Olympus never applies on request" in done.stderr
    assert git(repo, "branch", "--list", "infra/*") == ""


def test_a_typed_command_never_reaches_the_model(repo: Path) -> None:
    done = olympus("ask", "--repo", str(repo), "/infra help", env=NO_MODEL)
    assert done.returncode == 0, done.stderr
    assert "/infra create" in done.stdout


def test_run_infra_ask_is_olympus_ask(repo: Path) -> None:
    assert olympus("init", "--repo", str(repo), "--sandbox").returncode == 0
    with ReplayServer("make_me_a_bucket") as claude:
        done = olympus("run", "--repo", str(repo), "/infra ask make me a bucket", env=claude.env())
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Olympus asks: What should the bucket be called")
    assert "make me a bucket" in claude.sent[0]["messages"][0]["content"]
    assert "/infra ask" not in claude.sent[0]["messages"][0]["content"]  # the words, not the command

"""A question, its answer, a redelivery and an expiry: conversations kept in the store (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from claude_replay import Replay, cassette_responses
from fakes.recording_propose import RecordingPropose

from bot.adapters.claude import model_from_environment
from bot.adapters.mcp_tools import McpModelTools
from bot.adapters.sqlstore import SqlStore
from bot.domain.interpretation import ModelLimits
from bot.services.conversation import converse
from bot.services.interpreter import NaturalRequest
from bot.tools.filesystem_repo import FileSystemRepo
from bot.tools.server import build_server

T0 = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
LIMITS = ModelLimits("claude-sonnet-4-6")
PLACE = "acme/infra#7"
Cassette = Callable[[str], AbstractContextManager[Replay]]


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    with SqlStore.open(store_url) as opened:
        yield opened


@pytest.fixture
def tools(tmp_path: Path) -> Iterator[McpModelTools]:
    (tmp_path / "README.md").write_text("an empty repository\n")
    with McpModelTools(build_server(FileSystemRepo(tmp_path), lambda: [], propose=RecordingPropose())) as session:
        yield session


def turn(store: SqlStore, replay: Replay, tools: McpModelTools, text: str, key: str, now: datetime) -> tuple:
    request = NaturalRequest("octocat", "issue #7 of acme/infra", text)
    return converse(store, request, replay.model, tools, LIMITS, door="app", place=PLACE, turn=key, now=now)


def offline_turn(store: SqlStore, tools: McpModelTools, text: str, key: str) -> tuple:
    """A turn with a model nobody answers for (a closed loopback port): only the store can answer it."""
    offline = model_from_environment({"ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": "http://127.0.0.1:9"})
    assert offline is not None
    request = NaturalRequest("octocat", "issue #7", text)
    return converse(store, request, offline, tools, LIMITS, door="app", place=PLACE, turn=key, now=T0)


def test_the_answer_to_a_question_continues_the_same_conversation(
    claude_cassette: Cassette, store: SqlStore, tools: McpModelTools
) -> None:
    with claude_cassette("make_me_a_bucket") as replay:
        asked, new = turn(store, replay, tools, "make me a bucket", "delivery-1", T0)
    assert asked.outcome == "question" and new
    with claude_cassette("make_me_a_bucket_answered") as replay:
        answered, _ = turn(store, replay, tools, "billing-exports, for dev", "delivery-2", T0 + timedelta(hours=1))
    assert [p.command for p in answered.proposals] == [
        "/infra create bucket billing-exports cloud=aws region=us-east-1 env=dev versioning=on"
    ]
    first, question, answer = replay.sent[0]["messages"]
    assert "make me a bucket" in first["content"] and question["role"] == "assistant"
    ask_id = cassette_responses("make_me_a_bucket")[0]["content"][0]["id"]
    [result] = answer["content"]
    assert result["tool_use_id"] == ask_id and "billing-exports, for dev" in result["content"]
    kept = store.conversation_for(PLACE, "octocat")
    assert kept is not None and kept.turns == 2 and not kept.open


def test_a_redelivered_turn_is_answered_as_before_and_the_model_is_not_asked_again(
    claude_cassette: Cassette, store: SqlStore, tools: McpModelTools
) -> None:
    with claude_cassette("make_me_a_bucket") as replay:
        first, _ = turn(store, replay, tools, "make me a bucket", "delivery-1", T0)
    again, new = offline_turn(store, tools, "make me a bucket", "delivery-1")
    assert not new and (again.outcome, again.text) == (first.outcome, first.text)


def test_an_unanswered_question_expires_and_the_next_message_starts_anew(
    claude_cassette: Cassette, store: SqlStore, tools: McpModelTools
) -> None:
    with claude_cassette("make_me_a_bucket") as replay:
        turn(store, replay, tools, "make me a bucket", "delivery-1", T0)
    with claude_cassette("make_me_a_bucket") as replay:
        again, new = turn(store, replay, tools, "make me a bucket", "delivery-2", T0 + timedelta(hours=25))
    assert new and again.outcome == "question"
    assert len(replay.sent[0]["messages"]) == 1  # no history sent: the old question expired


def test_a_model_that_cannot_be_reached_leaves_the_conversation_as_it_was(
    claude_cassette: Cassette, store: SqlStore, tools: McpModelTools
) -> None:
    with claude_cassette("make_me_a_bucket") as replay:
        turn(store, replay, tools, "make me a bucket", "delivery-1", T0)
    failed, _ = offline_turn(store, tools, "billing-exports", "delivery-2")
    assert failed.outcome == "unavailable"
    kept = store.conversation_for(PLACE, "octocat")
    assert kept is not None and kept.last_turn == "delivery-1" and kept.open

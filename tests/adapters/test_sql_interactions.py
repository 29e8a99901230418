"""Model interactions kept in the store (SQLite and PostgreSQL): read back whole, newest first, secrets masked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.adapters.sqlstore import SqlStore
from bot.domain.interactions import InteractionRecord, estimate_cost_usd, interaction_of
from bot.domain.interpretation import Interpretation, Proposal, ToolCallRecord, Usage

AT = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    with SqlStore.open(store_url, clock=lambda: AT) as opened:
        yield opened


def _interpretation() -> Interpretation:
    command = "/infra create bucket billing-exports cloud=aws region=eu-west-1 env=dev versioning=on"
    calls = (
        ToolCallRecord("create_s3_bucket", {"name": "Billing", "token": "ghp_" + "a" * 36}, False, "invalid name"),
        ToolCallRecord("create_s3_bucket", {"name": "billing-exports", "region": "eu-west-1"}, True),
    )
    return Interpretation(
        "proposed",
        "Proposed.",
        (Proposal(command, "Create S3 bucket billing-exports", "create_s3_bucket", {"name": "billing-exports"}),),
        "claude-sonnet-4-6",
        Usage(600, 107, 2310, 2310),
        2,
        calls,
        seconds=1.25,
        model_seconds=1.2,
    )


def _record(request: str = "a bucket for billing exports") -> InteractionRecord:
    return interaction_of(
        _interpretation(),
        door="cli",
        who="octocat",
        where="the local repository infra",
        request=request,
        backend="anthropic",
        prompt_sha256="ab" * 32,
    )


def test_an_interaction_reads_back_as_it_was_recorded(store: SqlStore) -> None:
    first = store.record_interaction(_record("first"))
    second = store.record_interaction(_record())
    newest, oldest = store.interactions()
    assert (newest.id, oldest.id) == (second, first) and oldest.request == "first"
    assert newest.at == AT and newest.door == "cli" and newest.who == "octocat"
    assert newest.commands == ("/infra create bucket billing-exports cloud=aws region=eu-west-1 env=dev versioning=on",)
    assert newest.usage == Usage(600, 107, 2310, 2310) and newest.model_seconds == 1.2
    assert [call.ok for call in newest.calls] == [False, True]
    assert newest.cost_usd == estimate_cost_usd("claude-sonnet-4-6", Usage(600, 107, 2310, 2310))


def test_secrets_in_the_request_and_the_tool_arguments_are_never_stored(store: SqlStore) -> None:
    token = "ghp_" + "a" * 36
    store.record_interaction(_record(f"use my token {token} for the bucket"))
    [kept] = store.interactions()
    assert token not in kept.request and token not in str(kept.calls)


def test_the_cost_estimate_follows_the_model_family_price() -> None:
    usage = Usage(input_tokens=1_000_000, output_tokens=1_000_000, cache_read_tokens=1_000_000, cache_write_tokens=0)
    assert estimate_cost_usd("claude-sonnet-4-6", usage) == pytest.approx(3 + 15 + 0.3)
    assert estimate_cost_usd("claude-haiku-4-5", Usage(cache_write_tokens=1_000_000)) == pytest.approx(1.25)
    assert estimate_cost_usd("some-other-model", usage) is None

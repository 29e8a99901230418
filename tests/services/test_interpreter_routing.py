"""Routed tools (OLYMPUS_LLM_TOOLS=routed): the model chooses a domain first, then sees only that domain's tools."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from claude_replay import Replay
from fakes.recording_propose import RecordingPropose

from bot.adapters.claude import limits_from_environment
from bot.adapters.mcp_tools import McpModelTools
from bot.domain.interpretation import ModelLimits, ModelReply, Usage
from bot.errors import UserError
from bot.services.interpreter import NaturalRequest, interpret
from bot.tools.domain_servers import ToolSources, domain_servers
from bot.tools.filesystem_repo import FileSystemRepo
from bot.tools.gateway import build_gateway
from bot.tools.server import build_server

Cassette = Callable[[str], AbstractContextManager[Replay]]
AWS = [
    "create_s3_bucket",
    "create_ec2_instance",
    "create_lambda_function",
    "create_eks_cluster",
    "update_aws_resource",
    "destroy_aws_resource",
]
REQUEST = NaturalRequest(
    "octocat", "issue #7 of acme/infra", "We need a bucket for the billing exports, in Ireland, dev."
)


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[McpModelTools]:
    (tmp_path / "README.md").write_text("an empty repository\n")
    servers = domain_servers(
        FileSystemRepo(tmp_path), ToolSources(list_projects=lambda: [], propose=RecordingPropose())
    )
    with McpModelTools(build_gateway(servers)) as session:
        yield session


def names(sent: dict[str, Any]) -> list[str]:
    return [tool["name"] for tool in sent["tools"]]


def test_routed_the_model_sees_the_router_first_then_the_chosen_domains_tools(
    claude_cassette: Cassette, gateway: McpModelTools
) -> None:
    with claude_cassette("routed_bucket_in_ireland") as replay:
        result = interpret(REQUEST, replay.model, gateway, ModelLimits("claude-sonnet-4-6", tools="routed"))
    assert result.outcome == "proposed"
    assert [p.command for p in result.proposals] == [
        "/infra create bucket billing-exports cloud=aws region=eu-west-1 env=dev versioning=on"
    ]
    assert (result.tool_mode, result.domains, result.tool_calls) == ("routed", ("aws",), 2)
    first, second, third = replay.sent
    assert names(first) == ["choose_domain", "ask_user", "decline"]
    assert names(second) == ["choose_domain", *AWS, "ask_user", "decline"] == names(third)
    # The router's answer lists the domain's tools, which the next request offers with their MCP schemas.
    chosen = json.loads(second["messages"][-1]["content"][0]["content"])
    assert [tool["name"] for tool in chosen["tools"]] == AWS

    # All at once, the same request's first turn carries every domain's schemas: many more tokens.
    with claude_cassette("bucket_in_ireland") as everything:
        whole = interpret(REQUEST, everything.model, gateway, ModelLimits("claude-sonnet-4-6"))
    assert whole.tool_mode == "all" and whole.domains == ()
    offered = names(everything.sent[0])
    # 16 domain tools of aws, gcp and state, 7 of helm and argocd, ask_user and decline.
    assert "choose_domain" not in offered and len(offered) == 25
    routed_size, all_size = len(json.dumps(first["tools"])), len(json.dumps(everything.sent[0]["tools"]))
    assert routed_size * 4 < all_size, (routed_size, all_size)


def test_routed_with_tools_that_do_not_route_offers_them_all(claude_cassette: Cassette, tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("an empty repository\n")
    server = build_server(FileSystemRepo(tmp_path), lambda: [], propose=RecordingPropose())
    with McpModelTools(server) as tools, claude_cassette("bucket_in_ireland") as replay:
        result = interpret(REQUEST, replay.model, tools, ModelLimits("claude-sonnet-4-6", tools="routed"))
    assert result.outcome == "proposed" and result.tool_mode == "all"
    assert "destroy_resource" in names(replay.sent[0])


def test_the_setting_picks_the_mode() -> None:
    assert limits_from_environment({}).tools == "all"
    assert limits_from_environment({"OLYMPUS_LLM_TOOLS": "routed"}).tools == "routed"
    with pytest.raises(UserError, match="OLYMPUS_LLM_TOOLS"):
        limits_from_environment({"OLYMPUS_LLM_TOOLS": "some"})


class _Recording:
    """A model that answers at once, keeping the tools each turn offered."""

    backend = "anthropic"

    def __init__(self) -> None:
        self.offered: list[list[str]] = []

    def reply(self, *, system: str, tools: Any, messages: Any, limits: ModelLimits) -> ModelReply:
        self.offered.append([tool.name for tool in tools])
        return ModelReply("Which env?", (), "end_turn", Usage(), "claude-sonnet-4-6")


def test_a_continued_conversation_keeps_the_domain_it_chose(gateway: McpModelTools) -> None:
    history = [
        {"role": "user", "content": "a bucket in europe"},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t1", "name": "choose_domain", "input": {"domain": "gcp"}}],
        },
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "{}"}]},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t2", "name": "ask_user", "input": {"question": "Name?"}}],
        },
    ]
    model = _Recording()
    result = interpret(REQUEST, model, gateway, ModelLimits("m", tools="routed"), history=history)
    assert result.tool_mode == "routed" and result.domains == ("gcp",)
    assert model.offered == [
        [
            "choose_domain",
            "create_gcs_bucket",
            "create_gke_cluster",
            "update_gcp_resource",
            "destroy_gcp_resource",
            "ask_user",
            "decline",
        ]
    ]

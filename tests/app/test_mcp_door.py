"""The /mcp door on its own: what it asks GitHub, how long it trusts the answer, and what it says when it cannot ask."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from mcp.server.mcpserver import MCPServer
from starlette.testclient import TestClient

from bot.adapters.github.identity import TokenRefused
from bot.domain.mcp_access import Access
from bot.entrypoints.mcp_http import McpGatewayPorts, McpHttpDoor
from bot.ports import CodeHostError

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "probe", "version": "1"}},
}
HEADERS = {"Accept": "application/json, text/event-stream", "Authorization": "Bearer tok-ana"}


class GitHubAnswers:
    """Whose each token is and the permissions, as GitHub would say; counts how often it was asked."""

    def __init__(self) -> None:
        self.tokens = {"tok-ana": "ana"}
        self.permissions = {("acme/infra", "ana"): "write"}
        self.asked: list[str] = []
        self.served: list[Access] = []
        self.failure: Exception | None = None

    def login_of(self, token: str) -> str:
        self.asked.append("user")
        if self.failure is not None:
            raise self.failure
        if token not in self.tokens:
            raise TokenRefused("401")
        return self.tokens[token]

    def permission_of(self, repo: str, login: str) -> str:
        self.asked.append("permission")
        return self.permissions.get((repo, login), "none")

    def endpoint_for(self, access: Access) -> MCPServer:
        self.served.append(access)
        return MCPServer(name="olympus", version="1")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def door(github: GitHubAnswers, clock: Clock, mode: Any = "propose") -> TestClient:
    ports = McpGatewayPorts(github.login_of, github.permission_of, github.endpoint_for)
    return TestClient(McpHttpDoor(ports, mode, cache_seconds=60, clock=clock))


def test_github_is_asked_once_a_minute_so_a_revoked_token_stops_working_within_one() -> None:
    github, clock = GitHubAnswers(), Clock()
    client = door(github, clock)
    for _ in range(3):
        assert client.post("/?repo=acme/infra", json=INITIALIZE, headers=HEADERS).status_code == 200
    assert github.asked == ["user", "permission"]
    del github.tokens["tok-ana"]  # revoked on GitHub
    clock.now = 61
    refused = client.post("/?repo=acme/infra", json=INITIALIZE, headers=HEADERS)
    assert refused.status_code == 401 and "not expired" in refused.json()["error"]["message"]


def test_a_lowered_permission_takes_effect_after_the_cache() -> None:
    github, clock = GitHubAnswers(), Clock()
    client = door(github, clock)
    client.post("/?repo=acme/infra", json=INITIALIZE, headers=HEADERS)
    github.permissions[("acme/infra", "ana")] = "read"
    clock.now = 61
    client.post("/?repo=acme/infra", json=INITIALIZE, headers=HEADERS)
    assert [access.read_only for access in github.served] == [False, True]


@pytest.mark.parametrize(
    ("failure", "status", "words"),
    [
        (requests.ConnectionError("refused"), 503, "could not be reached to check your token"),
        (CodeHostError("read", "HTTP 502 after 5 attempts"), 503, "could not be reached to check your permission"),
        (CodeHostError("find the installation", "it does not exist", status=404), 404, "not installed on acme/infra"),
    ],
)
def test_github_out_of_reach_is_a_503_and_no_installation_a_404(failure: Exception, status: int, words: str) -> None:
    github, clock = GitHubAnswers(), Clock()
    github.failure = failure
    answer = door(github, clock).post("/?repo=acme/infra", json=INITIALIZE, headers=HEADERS)
    assert answer.status_code == status and words in answer.json()["error"]["message"]
    assert not github.served


def test_a_door_that_is_off_is_never_made() -> None:
    with pytest.raises(ValueError, match="not mounted"):
        door(GitHubAnswers(), Clock(), mode="off")

"""The MCP gateway over streamable HTTP at /mcp, as `olympus serve` runs it, driven with the `mcp` SDK's client.

GitHub is the double (held to its OpenAPI description): it says whose each token is and what they may do on the
repository. The checks of deliverable 7 (test_mcp_contract.py holds them in memory and over stdio) are made again
here, over HTTP, and the door's own: bearer tokens, Origin, the repository, read-only.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import anyio
import httpx
import jsonschema
import pytest
from chaos_world import Replica
from claude_replay import ReplayServer
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.types import CallToolResult, TextContent

REPO = "acme/infra"
COMMAND = "/infra create bucket billing-exports cloud=aws region=eu-west-1 env=dev versioning=on"
ALLOWED_ORIGIN = "https://inspector.example.com"
VARIABLES = 'variable "region" {\n  type    = string\n  default = "eu-west-1"\n}\n'
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "probe", "version": "1"}},
}


def start_serve(fake_github: Any, tmp_path: Path, **extra: str) -> Replica:
    """`olympus serve` with the gateway in propose mode, for private acme/infra: ana writes, rex reads, zed nothing."""
    files = {"README.md": "# infra\n", "infra/aws/envs/dev/variables.tf": VARIABLES}
    fake_github.add_repo(REPO, files=files, private=True)  # a stranger can read a public one
    fake_github.set_permission(REPO, "ana", "write")
    fake_github.set_permission(REPO, "rex", "read")
    key_file = tmp_path / "app.pem"
    key_file.write_text(fake_github.private_key_pem)
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "OLYMPUS_LLM_"))},
        "OLYMPUS_WEBHOOK_SECRET": "mcp-http-test",
        "OLYMPUS_APP_ID": str(fake_github.app_id),
        "OLYMPUS_PRIVATE_KEY_FILE": str(key_file),
        "OLYMPUS_DATABASE_URL": f"sqlite:///{tmp_path / 'olympus.db'}",
        "OLYMPUS_GITHUB_API_URL": fake_github.base_url,
        "OLYMPUS_DATA_DIR": str(tmp_path / "data"),
        "OLYMPUS_SCANNERS": "none",
        "OLYMPUS_MCP_HTTP": "propose",
        "OLYMPUS_MCP_ALLOWED_ORIGINS": ALLOWED_ORIGIN + "/",
        **extra,
    }
    replica = Replica("serve", tmp_path, environment)
    replica.start()
    try:
        replica.wait_ready()
    except BaseException:
        replica.stop()
        raise
    return replica


@pytest.fixture
def served(fake_github: Any, tmp_path: Path) -> Iterator[Replica]:
    replica = start_serve(fake_github, tmp_path)
    yield replica
    replica.stop()


def mcp_url(replica: Replica, repo: str = REPO) -> str:
    return f"{replica.url}/mcp?repo={repo}"


def session(url: str, token: str) -> Client:
    http = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
    return Client(streamable_http_client(url, http_client=http))


def text_of(result: CallToolResult) -> str:
    [block] = result.content
    assert isinstance(block, TextContent)
    return block.text


def test_the_gateway_over_http_is_mcp_to_the_letter(served: Replica, fake_github: Any) -> None:
    token = fake_github.user_token("ana")

    async def main() -> tuple[Any, dict[str, Any], list[CallToolResult]]:
        async with session(mcp_url(served), token) as client:
            tools = {tool.name: tool for tool in (await client.list_tools()).tools}
            results = [
                await client.call_tool("create_s3_bucket", {"name": "logs-archive"}),
                await client.call_tool("create_s3_bucket", {"name": "logs-archive", "region": "us-east-1"}),
                await client.call_tool("create_s3_bucket", {"name": "logs-archive", "colour": "blue"}),
                await client.call_tool("create_lambda_function", {"memory_mb": "lots"}),
                await client.call_tool("list_projects", {}),
            ]
            return client.server_info, tools, results

    info, tools, (created, refused, unknown, mistyped, projects) = anyio.run(main)

    assert info is not None and info.version == metadata.version("olympus-bot")
    assert {"choose_domain", "create_s3_bucket", "update_aws_resource", "list_locks", "ping"} <= set(tools)
    assert all(tool.input_schema["additionalProperties"] is False for tool in tools.values())
    output_schema = tools["create_s3_bucket"].output_schema
    assert output_schema is not None and output_schema.get("properties")
    jsonschema.validate(created.structured_content, output_schema)
    # The repository is read from GitHub at its default branch: the env pins eu-west-1, so that is the default.
    assert created.structured_content is not None and "(eu-west-1)" in created.structured_content["title"]
    assert refused.is_error and refused.structured_content is not None
    assert refused.structured_content["location"] == "infra/aws/envs/dev/variables.tf:1"
    assert json.loads(text_of(refused)) == refused.structured_content
    assert unknown.is_error and "unknown argument `colour`" in text_of(unknown)
    assert mistyped.is_error and re.search(r"^- missing argument `name`: ", text_of(mistyped), re.M)
    assert not projects.is_error and projects.structured_content is not None


def test_a_reader_gets_only_the_tools_that_read(served: Replica, fake_github: Any) -> None:
    token = fake_github.user_token("rex")

    async def main() -> tuple[set[str], CallToolResult]:
        async with session(mcp_url(served), token) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
            return names, await client.call_tool("create_s3_bucket", {"name": "logs-archive"})

    names, attempt = anyio.run(main)
    assert names == {"choose_domain", "list_projects", "get_plan_summary", "list_locks", "list_managed_resources",
                     "ping", "metrics"}  # fmt: skip
    assert attempt.is_error and "create_s3_bucket" in text_of(attempt)


def test_the_door_checks_origin_token_repository_and_permission_first(served: Replica, fake_github: Any) -> None:
    ana, zed = fake_github.user_token("ana"), fake_github.user_token("zed")
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}

    def post(url: str, **extra: str) -> httpx.Response:
        return httpx.post(url, json=INITIALIZE, headers={**headers, **extra}, timeout=30)

    url = mcp_url(served)
    no_token = post(url)
    assert no_token.status_code == 401 and no_token.headers["www-authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in no_token.json()["error"]["message"]
    assert post(url, Authorization="Bearer ghp_not-a-token").status_code == 401
    # An installation token is the App's, no person's: GitHub does not answer GET /user for it.
    assert post(url, Authorization=f"Bearer {fake_github.actions_token()}").status_code == 401
    rebinding = post(url, Authorization=f"Bearer {ana}", Origin=served.url)
    assert rebinding.status_code == 403 and "OLYMPUS_MCP_ALLOWED_ORIGINS" in rebinding.json()["error"]["message"]
    assert post(url, Authorization=f"Bearer {ana}", Origin="https://evil.example").status_code == 403
    assert post(url, Authorization=f"Bearer {ana}", Origin=ALLOWED_ORIGIN).status_code == 200
    assert post(f"{served.url}/mcp", Authorization=f"Bearer {ana}").status_code == 400
    assert post(mcp_url(served, "acme/../etc"), Authorization=f"Bearer {ana}").status_code == 400
    elsewhere = post(mcp_url(served, "acme/elsewhere"), Authorization=f"Bearer {ana}")
    assert elsewhere.status_code == 404 and "not installed on acme/elsewhere" in elsewhere.json()["error"]["message"]
    stranger = post(url, Authorization=f"Bearer {zed}")
    assert stranger.status_code == 403 and "zed may not read acme/infra" in stranger.json()["error"]["message"]
    answered = post(url, Authorization=f"Bearer {ana}")
    assert answered.status_code == 200 and answered.json()["result"]["serverInfo"]["name"] == "olympus"
    log = served.log.read_text()
    assert "MCP POST by ana on acme/infra (propose)" in log
    assert ana not in log and zed not in log  # tokens are never logged


def test_interpret_request_is_the_interpreter_every_door_uses(fake_github: Any, tmp_path: Path) -> None:
    with ReplayServer("bucket_in_ireland") as claude:
        replica = start_serve(fake_github, tmp_path, **claude.env())
        try:

            async def main(token: str, ask: bool) -> tuple[set[str], CallToolResult | None]:
                async with session(mcp_url(replica), token) as client:
                    names = {tool.name for tool in (await client.list_tools()).tools}
                    if not ask:
                        return names, None
                    words = "We need a bucket for the billing exports, in Ireland, dev."
                    return names, await client.call_tool("interpret_request", {"request": words})

            reader_tools, _ = anyio.run(main, fake_github.user_token("rex"), False)
            writer_tools, answer = anyio.run(main, fake_github.user_token("ana"), True)
        finally:
            replica.stop()
    assert "interpret_request" in writer_tools and "interpret_request" not in reader_tools
    assert answer is not None and not answer.is_error, answer
    assert answer.structured_content == {
        "outcome": "proposed",
        "text": "Proposed an S3 bucket billing-exports in eu-west-1 for dev.",
        "commands": [COMMAND],
        "model": "claude-sonnet-4-6",
    }
    # The model was offered the gateway's tools, not interpret_request itself.
    offered = {tool["name"] for tool in claude.sent[0]["tools"]}
    assert "create_s3_bucket" in offered and "interpret_request" not in offered

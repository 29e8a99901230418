"""The CLI's in-process tool calls answer exactly as the MCP server does through the SDK's client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from fakes.recording_propose import RecordingPropose
from mcp import Client

from bot.tools.calls import argument_model
from bot.tools.change_tools import change_tools
from bot.tools.filesystem_repo import FileSystemRepo
from bot.tools.in_process import ToolCallError, call_in_process
from bot.tools.proposal_tools import proposal_tools
from bot.tools.server import build_server

PROJECTS = [{"name": "aws-dev", "dir": "infra/aws/envs/dev", "workspace": "default"}]
SUMMARY = {
    "project": "aws-dev",
    "change": "infra/create-bucket-logs-dev",
    "commit": "0" * 40,
    "plan_sha256": "1" * 64,
    "counts": {"add": 1, "change": 0, "destroy": 0, "replace": 0, "import": 0, "move": 0, "forget": 0},
    "markdown": "1 to add",
}
SUMMARIES: dict[str, dict[str, Any]] = {"aws-dev": SUMMARY, "broken": {"project": "broken"}}

CALLS: list[tuple[str, dict[str, Any]]] = [
    # valid, with and without defaults
    ("create_s3_bucket", {"name": "logs-archive", "region": "eu-west-1"}),
    ("create_s3_bucket", {"name": "logs", "versioning": False, "env": "prod"}),
    ("create_gcs_bucket", {"name": "media_assets", "location": "eur4"}),
    ("create_ec2_instance", {"name": "web-1", "instance_type": "m7g.large", "region": "eu-central-1"}),
    ("create_lambda_function", {"name": "resize", "runtime": "nodejs22.x", "memory_mb": 512}),
    ("destroy_resource", {"cloud": "gcp", "kind": "bucket", "name": "old-media", "env": "prod"}),
    ("update_resource", {"cloud": "aws", "kind": "function", "name": "resize", "memory_mb": 512, "env": "prod"}),
    ("update_resource", {"cloud": "gcp", "kind": "bucket", "name": "media", "versioning": False}),
    ("update_resource", {"cloud": "aws", "kind": "instance", "name": "web-1", "instance_type": "t3.large"}),
    # values as text, as some clients send them: validation reads them the same way
    ("create_lambda_function", {"name": "resize", "memory_mb": "512", "timeout_s": "30"}),
    ("create_s3_bucket", {"name": "logs", "versioning": "false"}),
    ("create_lambda_function", {"name": "resize", "memory_mb": "[512]"}),
    # a refused change is an error result that carries the refusal
    ("create_s3_bucket", {"name": "taken-name"}),
    ("destroy_resource", {"cloud": "aws", "kind": "bucket", "name": "taken-x"}),
    ("update_resource", {"cloud": "aws", "kind": "function", "name": "taken-f", "timeout_s": 60}),
    # region left out: the env's, which this repository's dev env pins
    ("create_s3_bucket", {"name": "logs"}),
    ("create_lambda_function", {"name": "resize", "env": "prod"}),
    ("create_s3_bucket", {"name": "logs", "region": None}),
    # invalid by Olympus's rules
    ("create_s3_bucket", {"name": "Logs_Archive"}),
    ("create_s3_bucket", {"name": "-Bad", "region": "mars", "env": "9"}),
    ("create_ec2_instance", {"name": "web", "instance_type": "huge"}),
    ("create_lambda_function", {"name": "f", "timeout_s": 901}),
    ("destroy_resource", {"cloud": "gcp", "kind": "function", "name": "f"}),
    ("update_resource", {"cloud": "aws", "kind": "function", "name": "f"}),
    ("update_resource", {"cloud": "aws", "kind": "bucket", "name": "b", "runtime": "java21", "memory_mb": 64}),
    ("update_resource", {"cloud": "aws", "kind": "function", "name": "f", "region": "eu-west-1", "memroy_mb": 1}),
    # invalid by type, missing, unknown
    ("destroy_resource", {"cloud": "azure", "kind": "bucket", "name": "x"}),
    ("create_lambda_function", {"name": "f", "memory_mb": "lots"}),
    ("create_s3_bucket", {}),
    ("create_s3_bucket", {"name": ["logs"]}),
    ("create_s3_bucket", {"name": "logs", "colour": "blue"}),
    ("create_s3_bucket", {"name": "logs", "regoin": "eu-west-1", "versoning": False}),
    ("create_s3_bucket", {"name": "logs", "\u202eevil`": 1}),
    ("create_s3_bucket", {"name": 5, "versioning": "maybe", "region": ["eu-west-1"]}),
    ("create_lambda_function", {"name": "f", "memory_mb": 1.5, "timeout_s": None}),
    ("destroy_resource", {"kind": "database"}),
    ("list_projects", {"all": True}),
    ("create_database", {"name": "db"}),
    # the read tools
    ("list_projects", {}),
    ("get_plan_summary", {"project": "aws-dev"}),
    ("get_plan_summary", {"project": "nope"}),
    ("get_plan_summary", {"project": "broken"}),  # a summary of another shape: the output check refuses it
]


def through_mcp(server: Any, name: str, arguments: dict[str, Any]) -> tuple[Any, ...]:
    async def main() -> Any:
        async with Client(server) as client:
            return await client.call_tool(name, arguments)

    result = anyio.run(main)
    if result.is_error:
        return "error", " ".join(getattr(block, "text", "") for block in result.content), result.structured_content
    return "result", result.structured_content


def in_process(tools: Any, name: str, arguments: dict[str, Any]) -> tuple[Any, ...]:
    try:
        return "result", call_in_process(tools, name, arguments)
    except ToolCallError as failed:
        return "error", str(failed), failed.refusal
    except Exception:  # a crash: the SDK tells the client no more than this
        return "error", f"Error executing tool {name}", None


@pytest.fixture
def repo(tmp_path: Path) -> FileSystemRepo:
    (tmp_path / "README.md").write_text("hello\n")
    dev = tmp_path / "infra" / "aws" / "envs" / "dev"
    dev.mkdir(parents=True)
    (dev / "variables.tf").write_text('variable "region" {\n  type    = string\n  default = "eu-west-2"\n}\n')
    return FileSystemRepo(tmp_path)


@pytest.mark.parametrize(("name", "arguments"), CALLS, ids=[f"{name}-{i}" for i, (name, _) in enumerate(CALLS)])
def test_same_answer_as_the_mcp_server(repo: FileSystemRepo, name: str, arguments: dict[str, Any]) -> None:
    over_mcp, here = RecordingPropose(), RecordingPropose()
    expected = through_mcp(build_server(repo, lambda: PROJECTS, SUMMARIES.get, propose=over_mcp), name, arguments)
    got = in_process(change_tools(repo, lambda: PROJECTS, SUMMARIES.get, propose=here), name, arguments)
    assert got == expected
    assert here.requests == over_mcp.requests


def test_same_answer_with_the_real_change_generator(tmp_path: Path) -> None:
    repo = FileSystemRepo(tmp_path)
    for name, arguments, outcome in [
        ("create_s3_bucket", {"name": "logs-archive", "region": "eu-west-1"}, "result"),
        ("create_lambda_function", {"name": "resize"}, "result"),
        ("destroy_resource", {"cloud": "aws", "kind": "bucket", "name": "nope"}, "error"),  # refused: no such bucket
    ]:
        expected = through_mcp(build_server(repo), name, arguments)
        assert expected[0] == outcome and expected[-1], expected
        assert in_process(change_tools(repo), name, arguments) == expected


def test_the_argument_models_are_the_input_schemas_the_server_lists(repo: FileSystemRepo) -> None:
    async def listing() -> Any:
        async with Client(build_server(repo)) as client:
            return await client.list_tools()

    listed = {tool.name: tool.input_schema for tool in anyio.run(listing).tools}
    tools = proposal_tools(repo)
    assert set(listed) == set(tools)
    for name, tool in tools.items():
        assert argument_model(tool.fn).model_json_schema(by_alias=True) == listed[name], name

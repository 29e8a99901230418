"""The MCP server to the letter: closed and typed schemas with the domain's limits, refusals as errors, plain words.

Each is driven through the SDK's client (in memory, and once over stdio as `olympus mcp` serves it), and where the CLI
calls the same tool in-process, that call is held to the same answer. The sections follow the issue's items; the
first, serverInfo.version, is tested in test_mcp_server.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import anyio
import jsonschema
import pytest
from fakes.recording_propose import RecordingPropose
from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult, TextContent, Tool

from bot.adapters.localgit import LocalGit
from bot.changes.resource_kinds import DEFAULT_REGIONS
from bot.domain.commands import DEFAULT_OPTIONS, LAMBDA_RUNTIMES
from bot.domain.commands.kinds import MEMORY_MB, TIMEOUT_S
from bot.domain.commands.requests import env_problems
from bot.domain.models import ChangeSet, FileChange, Refusal, ResourceKind, ResourceRequest
from bot.domain.naming import EC2_NAME_MAX, LAMBDA_NAME_MAX, S3_NAME_MAX
from bot.domain.regions import AWS_REGIONS, DEFAULT_REGION, GCS_LOCATIONS
from bot.errors import UserError
from bot.ports import RepoReader
from bot.services.propose_change import change_or_refusal
from bot.services.tool_calls import call_tool, git_tool_caller
from bot.tools.change_tools import change_tools
from bot.tools.filesystem_repo import FileSystemRepo
from bot.tools.in_process import ToolCallError, call_in_process
from bot.tools.server import build_server

SUMMARY = {
    "project": "aws-dev",
    "change": "infra/create-bucket-logs-dev",
    "commit": "0" * 40,
    "plan_sha256": "1" * 64,
    "counts": {"add": 1, "change": 0, "destroy": 0, "replace": 0, "import": 0, "move": 0, "forget": 0},
    "markdown": "1 to add",
}
PROJECTS = [{"name": "aws-dev", "dir": "infra/aws/envs/dev", "workspace": "default"}]


class DeletingPropose(RecordingPropose):
    """Destroys by deleting the resource's file, as bot.changes.terraform does."""

    def __call__(self, repo: RepoReader, request: ResourceRequest) -> ChangeSet | Refusal:
        if request.action == "destroy":
            self.requests.append(request)
            path = f"infra/{request.cloud.value}/envs/{request.env}/{request.name}.tf"
            return ChangeSet(f"destroy {request.name}", "gone", (FileChange(path, ""),))
        return super().__call__(repo, request)


def pin_region(root: Path, cloud: str, env: str, region: str) -> None:
    """An env as bot/changes scaffolds it: its region is its `region` variable's default."""
    env_dir = root / "infra" / cloud / "envs" / env
    env_dir.mkdir(parents=True, exist_ok=True)
    (env_dir / "variables.tf").write_text(f'variable "region" {{\n  type    = string\n  default = "{region}"\n}}\n')


@pytest.fixture
def repo(tmp_path: Path) -> FileSystemRepo:
    (tmp_path / "README.md").write_text("hello\n")
    return FileSystemRepo(tmp_path)


@pytest.fixture
def propose() -> DeletingPropose:
    return DeletingPropose()


@pytest.fixture
def server(repo: FileSystemRepo, propose: DeletingPropose) -> Any:
    return build_server(repo, lambda: PROJECTS, {"aws-dev": SUMMARY}.get, propose=propose)


def listed(server: Any) -> dict[str, Tool]:
    async def main() -> Any:
        async with Client(server) as client:
            return await client.list_tools()

    return {tool.name: tool for tool in anyio.run(main).tools}


def call(server: Any, name: str, arguments: dict[str, Any]) -> CallToolResult:
    async def main() -> CallToolResult:
        async with Client(server) as client:
            return await client.call_tool(name, arguments)

    return anyio.run(main)


def text_of(result: CallToolResult) -> str:
    [block] = result.content
    assert isinstance(block, TextContent)
    return block.text


def error_text(result: CallToolResult) -> str:
    assert result.is_error and result.structured_content is None, result
    return text_of(result)


def in_process_error(repo: RepoReader, name: str, arguments: dict[str, Any], **tools: Any) -> ToolCallError:
    with pytest.raises(ToolCallError) as failed:
        call_in_process(change_tools(repo, **tools), name, arguments)
    return failed.value


# --- 2. unknown arguments ----------------------------------------------------------------------------------------


def test_every_input_schema_is_closed(server: Any) -> None:
    for name, tool in listed(server).items():
        assert tool.input_schema["additionalProperties"] is False, name


@pytest.mark.parametrize(
    ("name", "arguments", "expected"),
    [
        (
            "create_s3_bucket",
            {"name": "logs", "colour": "blue"},
            "unknown argument `colour`; create_s3_bucket takes `name`, `region`, `env` and `versioning`",
        ),
        (
            "create_s3_bucket",
            {"name": "logs", "regoin": "eu-west-1"},
            "unknown argument `regoin`; did you mean `region`?",
        ),
        ("list_projects", {"all": True}, "unknown argument `all`; list_projects takes no arguments"),
        # A key is the client's text: shown escaped, and with no backtick that could end the quote.
        ("create_s3_bucket", {"name": "logs", "\u202ex`": 1}, "unknown argument `\\u202ex'`;"),
    ],
)
def test_an_unknown_argument_is_an_error_that_names_it(
    repo: FileSystemRepo, server: Any, propose: DeletingPropose, name: str, arguments: dict[str, Any], expected: str
) -> None:
    text = error_text(call(server, name, arguments))
    assert text.startswith(f"Error executing tool {name}: invalid arguments:\n- ")
    assert expected in text
    assert str(in_process_error(repo, name, arguments, list_projects=lambda: PROJECTS)) == text
    assert propose.requests == []


# --- 3. typed output schemas ------------------------------------------------------------------------------------


def test_output_schemas_are_typed(server: Any) -> None:
    tools = listed(server)
    for name in (
        "create_s3_bucket",
        "create_gcs_bucket",
        "create_ec2_instance",
        "create_lambda_function",
        "update_resource",
    ):
        schema = tools[name].output_schema
        assert schema is not None and schema["title"] == "ChangeResult", name
    change = tools["destroy_resource"].output_schema
    assert change is not None
    assert set(change["required"]) == {"command", "title", "description", "unchanged", "files"}
    file = change["$defs"]["FileResult"]
    assert set(file["required"]) == {"path", "content", "deleted"} and file["additionalProperties"] is False
    assert "delete" in file["properties"]["deleted"]["description"]

    projects = tools["list_projects"].output_schema
    assert projects is not None and projects["properties"]["projects"]["type"] == "array"
    assert set(projects["$defs"]["ProjectResult"]["required"]) == {"name", "dir", "workspace"}
    summary = tools["get_plan_summary"].output_schema
    assert summary is not None
    assert set(summary["required"]) == {"project", "change", "commit", "plan_sha256", "counts", "markdown"}


@pytest.mark.parametrize(
    ("name", "arguments"),
    [
        ("create_s3_bucket", {"name": "logs-archive"}),
        ("create_gcs_bucket", {"name": "media", "location": "EU"}),
        ("create_ec2_instance", {"name": "web-1"}),
        ("create_lambda_function", {"name": "resize"}),
        ("destroy_resource", {"cloud": "aws", "kind": "bucket", "name": "old-logs"}),
        ("update_resource", {"cloud": "aws", "kind": "function", "name": "resize", "memory_mb": 512}),
        ("list_projects", {}),
        ("get_plan_summary", {"project": "aws-dev"}),
    ],
)
def test_structured_content_validates_against_the_output_schema(
    repo: FileSystemRepo, server: Any, name: str, arguments: dict[str, Any]
) -> None:
    # The SDK's client checks it too (ClientSession.validate_tool_result); this says so whatever the client does.
    result = call(server, name, arguments)
    assert not result.is_error, result
    schema = listed(server)[name].output_schema
    assert schema is not None
    jsonschema.validate(result.structured_content, schema)
    assert json.loads(text_of(result)) == result.structured_content
    got = call_in_process(
        change_tools(repo, lambda: PROJECTS, {"aws-dev": SUMMARY}.get, propose=DeletingPropose()), name, arguments
    )
    assert got == result.structured_content


def test_a_deleted_file_says_so(server: Any) -> None:
    result = call(server, "destroy_resource", {"cloud": "aws", "kind": "bucket", "name": "old-logs"})
    assert result.structured_content is not None
    assert result.structured_content["files"] == [
        {"path": "infra/aws/envs/dev/old-logs.tf", "content": "", "deleted": True}
    ]


def test_a_result_that_breaks_its_schema_is_never_sent(repo: FileSystemRepo) -> None:
    # A plan summary of another shape: the SDK refuses to send it, and tells the client no more than that.
    broken = build_server(repo, plan_summary=lambda project: {"project": project, "secret": "s3cr3t"})
    text = error_text(call(broken, "get_plan_summary", {"project": "aws-dev"}))
    assert text == "Error executing tool get_plan_summary"


# --- 4. the domain's limits in the input schemas -----------------------------------------------------------------


def test_input_schemas_carry_the_domains_limits(server: Any) -> None:
    tools = {name: tool.input_schema["properties"] for name, tool in listed(server).items()}
    function = tools["create_lambda_function"]
    assert (function["memory_mb"]["minimum"], function["memory_mb"]["maximum"]) == MEMORY_MB
    assert (function["timeout_s"]["minimum"], function["timeout_s"]["maximum"]) == TIMEOUT_S
    assert function["runtime"]["enum"] == list(LAMBDA_RUNTIMES)
    assert function["name"]["maxLength"] == LAMBDA_NAME_MAX
    assert tools["create_s3_bucket"]["name"]["maxLength"] == S3_NAME_MAX
    assert tools["create_ec2_instance"]["name"]["maxLength"] == EC2_NAME_MAX
    for name in ("create_s3_bucket", "create_ec2_instance", "create_lambda_function"):
        assert set(tools[name]["region"]["enum"]) == AWS_REGIONS, name
    assert set(tools["create_gcs_bucket"]["location"]["enum"]) == GCS_LOCATIONS
    [env_pattern] = {properties["env"]["pattern"] for properties in tools.values() if "env" in properties}
    for env in ("dev", "prod-eu", "e" * 32, "e" * 33, "Prod", "9", "dev\n", ""):
        assert (re.search(env_pattern, env) is not None) is not bool(env_problems(env)), env
    # The defaults are the domain's, which slash commands get too.
    assert function["runtime"]["default"] == DEFAULT_OPTIONS[ResourceKind.FUNCTION]["runtime"]
    assert str(function["memory_mb"]["default"]) == DEFAULT_OPTIONS[ResourceKind.FUNCTION]["memory_mb"]
    assert str(function["timeout_s"]["default"]) == DEFAULT_OPTIONS[ResourceKind.FUNCTION]["timeout_s"]
    instance_type = tools["create_ec2_instance"]["instance_type"]
    assert instance_type["default"] == DEFAULT_OPTIONS[ResourceKind.INSTANCE]["instance_type"]
    # update_resource takes the same limits, and no default: a setting left out stays as it is.
    update = tools["update_resource"]
    assert (update["memory_mb"]["minimum"], update["memory_mb"]["maximum"]) == MEMORY_MB
    assert (update["timeout_s"]["minimum"], update["timeout_s"]["maximum"]) == TIMEOUT_S
    assert update["runtime"]["enum"] == list(LAMBDA_RUNTIMES)
    assert update["instance_type"]["pattern"] == tools["create_ec2_instance"]["instance_type"]["pattern"]
    assert update["versioning"]["type"] == "boolean"
    assert not any("default" in update[key] for key in ("versioning", "instance_type", "runtime", "memory_mb"))


# Arguments on both sides of each limit: the schema and the server must agree on every one of them.
WITHIN_AND_BEYOND = [
    ("create_lambda_function", {"name": "f", "memory_mb": MEMORY_MB[0]}, True),
    ("create_lambda_function", {"name": "f", "memory_mb": MEMORY_MB[1]}, True),
    ("create_lambda_function", {"name": "f", "memory_mb": MEMORY_MB[0] - 1}, False),
    ("create_lambda_function", {"name": "f", "memory_mb": MEMORY_MB[1] + 1}, False),
    ("create_lambda_function", {"name": "f", "timeout_s": TIMEOUT_S[0] - 1}, False),
    ("create_lambda_function", {"name": "f", "timeout_s": TIMEOUT_S[1]}, True),
    ("create_lambda_function", {"name": "f", "timeout_s": TIMEOUT_S[1] + 1}, False),
    ("create_lambda_function", {"name": "f", "runtime": "java21"}, True),
    ("create_lambda_function", {"name": "f", "runtime": "python2.7"}, False),
    ("create_lambda_function", {"name": "f" * LAMBDA_NAME_MAX}, True),
    ("create_lambda_function", {"name": "f" * (LAMBDA_NAME_MAX + 1)}, False),
    ("create_s3_bucket", {"name": "l" * S3_NAME_MAX}, True),
    ("create_s3_bucket", {"name": "l" * (S3_NAME_MAX + 1)}, False),
    ("create_s3_bucket", {"name": "logs", "region": "eu-west-1"}, True),
    ("create_s3_bucket", {"name": "logs", "region": "eu-wset-1"}, False),
    ("create_s3_bucket", {"name": "logs", "env": "prod-eu"}, True),
    ("create_s3_bucket", {"name": "logs", "env": "Prod"}, False),
    ("create_s3_bucket", {"name": "logs", "env": "e" * 33}, False),
    ("create_s3_bucket", {"name": "logs", "env": "dev\n"}, False),
    ("create_ec2_instance", {"name": "w" * EC2_NAME_MAX}, True),
    ("create_ec2_instance", {"name": "w" * (EC2_NAME_MAX + 1)}, False),
    ("create_ec2_instance", {"name": "web", "instance_type": "c7g.2xlarge"}, True),
    ("create_ec2_instance", {"name": "web", "instance_type": "huge"}, False),
    ("create_ec2_instance", {"name": "web", "instance_type": "t3.micro\n"}, False),
    ("create_gcs_bucket", {"name": "media", "location": "europe-west1"}, True),
    ("create_gcs_bucket", {"name": "media", "location": "europe-west13"}, False),
    ("update_resource", {"cloud": "aws", "kind": "function", "name": "f", "memory_mb": MEMORY_MB[1]}, True),
    ("update_resource", {"cloud": "aws", "kind": "function", "name": "f", "memory_mb": MEMORY_MB[0] - 1}, False),
    ("update_resource", {"cloud": "aws", "kind": "function", "name": "f", "timeout_s": TIMEOUT_S[1] + 1}, False),
    ("update_resource", {"cloud": "aws", "kind": "function", "name": "f", "runtime": "python2.7"}, False),
    ("update_resource", {"cloud": "aws", "kind": "instance", "name": "web", "instance_type": "huge"}, False),
    ("update_resource", {"cloud": "aws", "kind": "instance", "name": "web", "instance_type": "t3.large"}, True),
    ("update_resource", {"cloud": "aws", "kind": "bucket", "name": "logs", "versioning": False, "env": "Prod"}, False),
]


@pytest.mark.parametrize(("name", "arguments", "valid"), WITHIN_AND_BEYOND)
def test_the_schema_and_the_server_agree_on_each_limit(
    server: Any, name: str, arguments: dict[str, Any], valid: bool
) -> None:
    schema = listed(server)[name].input_schema
    by_schema = jsonschema.Draft202012Validator(schema).is_valid(arguments)
    result = call(server, name, arguments)
    assert (by_schema, not result.is_error) == (valid, valid), text_of(result)


# --- 5. a left-out region is the env's ---------------------------------------------------------------------------


def test_the_region_has_no_fixed_default(server: Any) -> None:
    tools = listed(server)
    for name, key in [
        ("create_s3_bucket", "region"),
        ("create_ec2_instance", "region"),
        ("create_lambda_function", "region"),
        ("create_gcs_bucket", "location"),
    ]:
        schema = tools[name].input_schema
        assert key not in schema["required"] and "default" not in schema["properties"][key], name
        assert "the env's region" in schema["properties"][key]["description"], name


def test_a_left_out_region_is_the_one_the_env_pins(tmp_path: Path, propose: DeletingPropose) -> None:
    pin_region(tmp_path, "aws", "dev", "eu-west-1")
    pin_region(tmp_path, "gcp", "dev", "europe-west1")
    prod = tmp_path / "infra" / "aws" / "envs" / "prod"
    prod.mkdir(parents=True)
    (prod / "providers.tf").write_text('provider "aws" {\n  region = "ap-south-1"\n}\n')
    server = build_server(FileSystemRepo(tmp_path), propose=propose)

    for name, arguments in [
        ("create_s3_bucket", {"name": "logs"}),
        ("create_ec2_instance", {"name": "web", "env": "prod"}),
        ("create_lambda_function", {"name": "resize", "env": "staging"}),  # no such env yet: the cloud's default
        ("create_gcs_bucket", {"name": "media"}),
        ("create_s3_bucket", {"name": "logs", "region": "us-west-2"}),  # asked for: passed on, for the generator
    ]:
        assert not call(server, name, arguments).is_error
    assert [request.region for request in propose.requests] == [
        "eu-west-1",
        "ap-south-1",
        DEFAULT_REGION[propose.requests[2].cloud],
        "europe-west1",
        "us-west-2",
    ]
    here = DeletingPropose()
    call_in_process(change_tools(FileSystemRepo(tmp_path), propose=here), "create_s3_bucket", {"name": "logs"})
    assert here.requests == propose.requests[:1]


def test_the_domain_and_the_generator_default_to_the_same_regions() -> None:
    assert DEFAULT_REGIONS == DEFAULT_REGION


def test_with_the_real_generator_a_left_out_region_is_never_refused(tmp_path: Path) -> None:
    pin_region(tmp_path, "aws", "dev", "eu-west-1")
    server = build_server(FileSystemRepo(tmp_path))
    created = call(server, "create_lambda_function", {"name": "resize"})
    assert not created.is_error, created
    assert created.structured_content is not None and "(eu-west-1)" in created.structured_content["title"]
    elsewhere = call(server, "create_lambda_function", {"name": "resize", "region": "us-east-1"})
    assert elsewhere.is_error and elsewhere.structured_content is not None
    assert elsewhere.structured_content["message"] == "Env dev deploys to eu-west-1, not us-east-1."


# --- 6. a refused change is an error that carries the refusal -----------------------------------------------------

REFUSAL: dict[str, Any] = {
    "refused": True,
    "message": "bucket taken-logs already exists in dev",
    "hint": "choose another name",
    "location": "infra/aws/envs/dev/main.tf:12",
}


def test_a_refusal_is_an_error_result_with_the_structured_refusal(repo: FileSystemRepo, server: Any) -> None:
    result = call(server, "create_s3_bucket", {"name": "taken-logs"})
    assert result.is_error
    assert result.structured_content == REFUSAL
    assert json.loads(text_of(result)) == REFUSAL
    failed = in_process_error(repo, "create_s3_bucket", {"name": "taken-logs"}, propose=RecordingPropose())
    assert (str(failed), failed.refusal) == (text_of(result), REFUSAL)


def test_the_callers_still_read_a_refusal_as_a_refusal(repo: FileSystemRepo, tmp_path: Path) -> None:
    # The App's door: through the SDK's client.
    through_sdk = call_tool(build_server(repo, propose=RecordingPropose()), "create_s3_bucket", {"name": "taken-logs"})
    assert change_or_refusal(through_sdk) == Refusal(REFUSAL["message"], REFUSAL["hint"], REFUSAL["location"])
    # The CLI's door: in-process, over a git ref.
    git = LocalGit(tmp_path)
    git.git("init", "--quiet", "--initial-branch=main")
    git.git(
        "-c", "user.name=Mona", "-c", "user.email=mona@example.com", "commit", "--quiet", "--allow-empty", "-m", "a"
    )
    in_process = git_tool_caller(git)("main", "destroy_resource", {"cloud": "aws", "kind": "bucket", "name": "nope"})
    refusal = change_or_refusal(in_process)
    assert isinstance(refusal, Refusal) and refusal.message.startswith("There is no env dev")
    # Any other failure is still the user's mistake to fix.
    with pytest.raises(UserError) as mistake:
        call_tool(build_server(repo), "create_s3_bucket", {"name": "NO"})
    assert mistake.value.reference == "invalid-arguments"


# --- 7. argument errors in words ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "arguments", "expected"),
    [
        (
            "create_s3_bucket",
            {},
            "- missing argument `name`: the resource's name; it must follow the cloud's naming rules",
        ),
        (
            "create_lambda_function",
            {"name": "f", "memory_mb": "lots"},
            f'- argument `memory_mb` must be a whole number, not `"lots"`: memory in MB, from {MEMORY_MB[0]} to '
            f"{MEMORY_MB[1]}",
        ),
        (
            "create_s3_bucket",
            {"name": ["logs"]},
            "- argument `name` must be text, not a list: the resource's name; it must follow the cloud's naming rules",
        ),
        (
            "create_s3_bucket",
            {"name": "logs", "versioning": "maybe"},
            '- argument `versioning` must be true or false, not `"maybe"`: keep overwritten and deleted objects as '
            "noncurrent versions; false turns versioning off",
        ),
        (
            "destroy_resource",
            {"cloud": "azure", "kind": "bucket", "name": "x"},
            '- argument `cloud` must be one of `aws` or `gcp`, not `"azure"`: the cloud the resource is on',
        ),
        ("get_plan_summary", {}, "- missing argument `project`: a project name, as list_projects gives it"),
    ],
)
def test_a_missing_or_mistyped_argument_is_named_with_what_it_takes(
    repo: FileSystemRepo, server: Any, name: str, arguments: dict[str, Any], expected: str
) -> None:
    text = error_text(call(server, name, arguments))
    assert expected in text.splitlines(), text
    for jargon in ("pydantic", "Input should", "validation error", "type=", "[input_value"):
        assert jargon not in text
    assert str(in_process_error(repo, name, arguments)) == text


def test_every_argument_problem_is_listed_at_once(server: Any) -> None:
    text = error_text(call(server, "destroy_resource", {"kind": "database", "extra": 1}))
    assert text.splitlines()[1:] == [
        "- missing argument `cloud`: the cloud the resource is on",
        '- argument `kind` must be one of `bucket`, `instance` or `function`, not `"database"`: the kind of resource',
        "- missing argument `name`: the resource's name; it must follow the cloud's naming rules",
        "- unknown argument `extra`; destroy_resource takes `cloud`, `kind`, `name` and `env`",
    ]


# --- over stdio, as `olympus mcp` serves it (its version too; test_mcp_server.py holds it in memory) ------------------


def test_olympus_mcp_over_stdio(tmp_path: Path) -> None:
    repo = tmp_path / "infra-repo"
    pin_region(repo, "aws", "dev", "eu-west-1")
    git = ["git", "-C", str(repo)]
    subprocess.run([*git, "init", "--quiet", "--initial-branch=main"], check=True)
    subprocess.run([*git, "add", "--all"], check=True)
    author = ["-c", "user.name=Mona", "-c", "user.email=mona@example.com"]
    subprocess.run([*git, *author, "commit", "--quiet", "-m", "dev env"], check=True)
    # The whole environment: this checkout's `bot` first on the path, and the tests' own record key.
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "bot.entrypoints.cli", "mcp", "--repo", str(repo)],
        cwd=str(Path(__file__).resolve().parents[2]),
        env=dict(os.environ),
    )

    async def main() -> tuple[Any, dict[str, Tool], list[CallToolResult]]:
        async with Client(params) as client:
            tools = {tool.name: tool for tool in (await client.list_tools()).tools}
            results = [
                await client.call_tool("create_s3_bucket", {"name": "logs-archive"}),
                await client.call_tool("create_s3_bucket", {"name": "logs-archive", "region": "us-east-1"}),
                await client.call_tool("create_s3_bucket", {"name": "logs-archive", "colour": "blue"}),
                await client.call_tool("create_lambda_function", {"memory_mb": "lots"}),
            ]
            return client.server_info, tools, results

    info, tools, (created, refused, unknown, mistyped) = anyio.run(main)

    assert info is not None and info.version == metadata.version("olympus-bot")
    assert all(tool.input_schema["additionalProperties"] is False for tool in tools.values())
    assert tools["create_lambda_function"].input_schema["properties"]["memory_mb"]["maximum"] == MEMORY_MB[1]
    output_schema = tools["create_s3_bucket"].output_schema
    assert output_schema is not None
    jsonschema.validate(created.structured_content, output_schema)
    assert created.structured_content is not None and "(eu-west-1)" in created.structured_content["title"]
    assert refused.is_error and refused.structured_content is not None
    assert refused.structured_content["location"] == "infra/aws/envs/dev/variables.tf:1"
    assert json.loads(text_of(refused)) == refused.structured_content
    assert "unknown argument `colour`" in error_text(unknown)
    assert re.search(r"^- missing argument `name`: ", error_text(mistyped), re.M)
    assert '- argument `memory_mb` must be a whole number, not `"lots"`' in error_text(mistyped)

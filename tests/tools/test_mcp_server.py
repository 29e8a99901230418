"""The MCP change tools, called through the SDK's in-memory client, and the working-tree RepoReader."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Awaitable, Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import anyio
import pytest
from fakes.recording_propose import RecordingPropose
from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult, TextContent

import bot
from bot.domain.commands import Create, Destroy, Update, parse, to_tool_call
from bot.domain.models import Cloud, ResourceKind, ResourceRequest
from bot.tools.filesystem_repo import FileSystemRepo
from bot.tools.server import build_server, olympus_version, projects_in

CHANGE_TOOLS = {
    "create_s3_bucket",
    "create_gcs_bucket",
    "create_ec2_instance",
    "create_lambda_function",
    "create_eks_cluster",
    "create_gke_cluster",
    "update_resource",
    "destroy_resource",
    # the apps' change tools, so that every typed change command has its tool on this one server
    "create_app",
    "set_helm_values",
    "upgrade_chart",
}
READ_TOOLS = {"list_projects", "get_plan_summary"}
SUMMARY = {
    "project": "aws-dev",
    "change": "infra/create-bucket-logs-dev",
    "commit": "0" * 40,
    "plan_sha256": "1" * 64,
    "counts": {"add": 1, "change": 0, "destroy": 0, "replace": 0, "import": 0, "move": 0, "forget": 0},
    "markdown": "1 to add",
}


def run(server: Any, work: Callable[[Client], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with Client(server) as client:
            return await work(client)

    return anyio.run(main)


def call(server: Any, tool: str, arguments: dict[str, Any]) -> CallToolResult:
    result: CallToolResult = run(server, lambda client: client.call_tool(tool, arguments))
    return result


def error_text(result: CallToolResult) -> str:
    assert result.is_error, result
    assert result.structured_content is None
    block = result.content[0]
    assert isinstance(block, TextContent)
    return block.text


def refusal(result: CallToolResult) -> dict[str, Any]:
    """A refused change: an error result whose structured content is the refusal, and whose text is it as JSON."""
    assert result.is_error, result
    assert result.structured_content is not None and result.structured_content["refused"] is True, result
    [block] = result.content
    assert isinstance(block, TextContent) and json.loads(block.text) == result.structured_content
    return dict(result.structured_content)


@pytest.fixture
def repo(tmp_path: Path) -> FileSystemRepo:
    (tmp_path / "README.md").write_text("hello\n")
    return FileSystemRepo(tmp_path)


@pytest.fixture
def propose() -> RecordingPropose:
    return RecordingPropose()


@pytest.fixture
def server(repo: FileSystemRepo, propose: RecordingPropose) -> Any:
    projects = [{"name": "aws-dev", "dir": "infra/aws/envs/dev", "workspace": "default"}]
    return build_server(repo, lambda: projects, {"aws-dev": SUMMARY}.get, propose=propose)


def test_server_info_names_olympus_at_its_installed_version(server: Any) -> None:
    async def info(client: Client) -> Any:
        return client.server_info

    found = run(server, info)
    assert found is not None and found.name == "olympus"
    assert found.version == metadata.version("olympus-bot") != ""


def test_the_version_of_a_checkout_never_installed_is_the_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    assert olympus_version() == bot.__version__ != ""


def test_no_tool_imports_or_removes_state(server: Any) -> None:
    """`/infra import` and `state rm` change state outside any plan: people ask for them, never an LLM's tool call."""
    listing = run(server, lambda client: client.list_tools())
    for tool in listing.tools:
        text = " ".join([tool.name, tool.description or "", str(tool.input_schema)]).lower()
        assert "import" not in tool.name and "state" not in tool.name, tool.name
        assert "terraform import" not in text and "state rm" not in text, tool.name


def test_lists_every_tool_with_its_schema(server: Any) -> None:
    listing = run(server, lambda client: client.list_tools())
    tools = {tool.name: tool for tool in listing.tools}
    assert set(tools) == CHANGE_TOOLS | READ_TOOLS

    s3 = tools["create_s3_bucket"].input_schema
    assert s3["required"] == ["name"]
    assert "default" not in s3["properties"]["region"]  # the env's region: it depends on the repository
    assert "the env's region" in s3["properties"]["region"]["description"]
    assert s3["properties"]["versioning"]["default"] is True and s3["properties"]["versioning"]["type"] == "boolean"
    assert "default" not in tools["create_gcs_bucket"].input_schema["properties"]["location"]
    assert tools["create_ec2_instance"].input_schema["properties"]["instance_type"]["default"] == "t3.micro"
    function = tools["create_lambda_function"].input_schema["properties"]
    assert (function["runtime"]["default"], function["memory_mb"]["default"], function["timeout_s"]["default"]) == (
        "python3.12",
        128,
        10,
    )
    destroy = tools["destroy_resource"].input_schema
    assert set(destroy["required"]) == {"cloud", "kind", "name"}
    assert destroy["properties"]["cloud"]["enum"] == ["aws", "gcp"]
    assert destroy["properties"]["kind"]["enum"] == ["bucket", "instance", "function"]
    assert tools["get_plan_summary"].input_schema["required"] == ["project"]

    for name, tool in tools.items():
        assert tool.description, name
        assert tool.annotations is not None and tool.annotations.read_only_hint is True, name
        assert tool.output_schema is not None and tool.output_schema["type"] == "object", name
        assert tool.output_schema["properties"] and tool.output_schema["additionalProperties"] is False, name


def test_create_s3_bucket_returns_the_change_set(server: Any, propose: RecordingPropose) -> None:
    result = call(server, "create_s3_bucket", {"name": "logs-archive", "region": "eu-west-1"})
    assert not result.is_error
    assert result.structured_content == {
        "command": "/infra create bucket logs-archive cloud=aws region=eu-west-1 env=dev versioning=on",
        "title": "create bucket logs-archive",
        "description": "region eu-west-1",
        "unchanged": False,
        "files": [
            {"path": "infra/aws/envs/dev/logs-archive.tf", "content": "# logs-archive\nhello\n", "deleted": False}
        ],
    }
    assert propose.requests == [
        ResourceRequest(
            action="create",
            cloud=Cloud.AWS,
            kind=ResourceKind.BUCKET,
            name="logs-archive",
            env="dev",
            region="eu-west-1",
            options=(("versioning", "on"),),
        )
    ]


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        (
            "create_s3_bucket",
            {"name": "logs", "versioning": False, "env": "prod"},
            ResourceRequest(
                "create", Cloud.AWS, ResourceKind.BUCKET, "logs", "prod", "us-east-1", (("versioning", "off"),)
            ),
        ),
        (
            "create_gcs_bucket",
            {"name": "media_assets", "location": "eur4"},
            ResourceRequest(
                "create", Cloud.GCP, ResourceKind.BUCKET, "media_assets", "dev", "EUR4", (("versioning", "on"),)
            ),
        ),
        (
            "create_ec2_instance",
            {"name": "web-1", "instance_type": "m7g.large", "region": "eu-central-1"},
            ResourceRequest(
                "create",
                Cloud.AWS,
                ResourceKind.INSTANCE,
                "web-1",
                "dev",
                "eu-central-1",
                (("instance_type", "m7g.large"),),
            ),
        ),
        (
            "create_lambda_function",
            {"name": "resize", "runtime": "nodejs22.x", "memory_mb": 512},
            ResourceRequest(
                "create",
                Cloud.AWS,
                ResourceKind.FUNCTION,
                "resize",
                "dev",
                "us-east-1",
                (("memory_mb", "512"), ("runtime", "nodejs22.x"), ("timeout_s", "10")),
            ),
        ),
        (
            "destroy_resource",
            {"cloud": "gcp", "kind": "bucket", "name": "old-media", "env": "prod"},
            ResourceRequest("destroy", Cloud.GCP, ResourceKind.BUCKET, "old-media", "prod"),
        ),
        (
            "update_resource",
            {"cloud": "aws", "kind": "function", "name": "resize", "memory_mb": 512, "timeout_s": 30},
            ResourceRequest(
                "update",
                Cloud.AWS,
                ResourceKind.FUNCTION,
                "resize",
                options=(("memory_mb", "512"), ("timeout_s", "30")),
            ),
        ),
        (
            "update_resource",
            {"cloud": "gcp", "kind": "bucket", "name": "media", "env": "prod", "versioning": False},
            ResourceRequest(
                "update", Cloud.GCP, ResourceKind.BUCKET, "media", "prod", options=(("versioning", "off"),)
            ),
        ),
    ],
)
def test_each_change_tool_builds_its_request(
    server: Any, propose: RecordingPropose, tool: str, arguments: dict[str, Any], expected: ResourceRequest
) -> None:
    result = call(server, tool, arguments)
    assert not result.is_error, result
    assert result.structured_content is not None and result.structured_content["title"].endswith(expected.name)
    assert propose.requests == [expected]


@pytest.mark.parametrize(
    "line",
    [
        "/infra create bucket logs-archive region=eu-west-1 versioning=off env=prod",
        "/infra create bucket media cloud=gcp region=europe-west1",
        "/infra create instance web-1 type=c7g.2xlarge",
        "/infra create function resize runtime=java21 memory=1024 timeout=900 region=ap-south-1",
        "/infra destroy instance web-1 env=staging",
        "/infra destroy bucket media cloud=gcp",
        "/infra update instance web-1 type=t3.large",
        "/infra update function resize memory=512 timeout=30 runtime=python3.12 env=prod",
        "/infra update bucket media versioning=off cloud=gcp env=staging",
    ],
)
def test_slash_commands_and_tools_build_the_same_request(server: Any, propose: RecordingPropose, line: str) -> None:
    command = parse(line)
    assert isinstance(command, Create | Update | Destroy)
    tool, arguments = to_tool_call(command)
    result = call(server, tool, dict(arguments))
    assert not result.is_error, result
    assert propose.requests == [command.request]


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        ("create_s3_bucket", {"name": "Logs_Archive"}, "S3 bucket names must be lowercase"),
        ("create_s3_bucket", {"name": "logs", "region": "eu-wset-1"}, "did you mean `eu-west-1`?"),
        ("create_s3_bucket", {"name": "lo\u200bgs"}, "U+200B (ZERO WIDTH SPACE)"),
        ("create_gcs_bucket", {"name": "g00gle-logs"}, '"google"'),
        ("create_gcs_bucket", {"name": "logs", "location": "europe-west13"}, "did you mean `europe-west3`?"),
        ("create_ec2_instance", {"name": "web 1"}, "U+0020 (SPACE)"),
        ("create_ec2_instance", {"name": "web", "instance_type": "huge"}, "`huge` is not an EC2 instance type"),
        ("create_lambda_function", {"name": "f", "runtime": "python2.7"}, "not a current Lambda runtime"),
        ("create_lambda_function", {"name": "f", "memory_mb": 64}, "from 128 to 10240, not `64`"),
        ("create_lambda_function", {"name": "f", "timeout_s": 901}, "from 1 to 900, not `901`"),
        ("create_lambda_function", {"name": "f", "env": "Prod"}, "`Prod` is not an environment name"),
        ("destroy_resource", {"cloud": "gcp", "kind": "function", "name": "f"}, "functions on AWS only"),
        ("update_resource", {"cloud": "aws", "kind": "function", "name": "f"}, "needs at least one setting"),
        ("update_resource", {"cloud": "aws", "kind": "bucket", "name": "b", "memory_mb": 512}, "not a setting of a"),
        ("update_resource", {"cloud": "aws", "kind": "function", "name": "f", "runtime": "py3"}, "not a current"),
    ],
)
def test_invalid_arguments_are_tool_errors_that_say_what_is_wrong(
    server: Any, propose: RecordingPropose, tool: str, arguments: dict[str, Any], expected: str
) -> None:
    text = error_text(call(server, tool, arguments))
    assert "invalid arguments:\n- " in text
    assert expected in text
    assert propose.requests == []


def test_every_problem_is_listed(server: Any) -> None:
    text = error_text(call(server, "create_s3_bucket", {"name": "-Bad", "region": "mars", "env": "9"}))
    assert text.count("\n- ") == 4
    for part in (
        "must be lowercase",
        "must start with a lowercase letter or digit",
        "`9` is not an environment",
        "`mars`",
    ):
        assert part in text


@pytest.mark.parametrize(
    ("tool", "arguments", "field"),
    [
        ("destroy_resource", {"cloud": "azure", "kind": "bucket", "name": "x"}, "cloud"),
        ("destroy_resource", {"cloud": "aws", "kind": "database", "name": "x"}, "kind"),
        ("create_lambda_function", {"name": "f", "memory_mb": "lots"}, "memory_mb"),
        ("create_s3_bucket", {}, "name"),
    ],
)
def test_arguments_of_the_wrong_type_are_tool_errors(
    server: Any, propose: RecordingPropose, tool: str, arguments: dict[str, Any], field: str
) -> None:
    assert field in error_text(call(server, tool, arguments))
    assert propose.requests == []


def test_refusal_is_an_error_with_the_structured_refusal(server: Any) -> None:
    result = call(server, "create_s3_bucket", {"name": "taken-name"})
    assert refusal(result) == {
        "refused": True,
        "message": "bucket taken-name already exists in dev",
        "hint": "choose another name",
        "location": "infra/aws/envs/dev/main.tf:12",
    }


def test_read_only_tools(server: Any) -> None:
    listed = call(server, "list_projects", {})
    assert listed.structured_content == {
        "projects": [{"name": "aws-dev", "dir": "infra/aws/envs/dev", "workspace": "default"}]
    }
    summary = call(server, "get_plan_summary", {"project": "aws-dev"})
    assert summary.structured_content == SUMMARY
    assert "no plan is recorded for project 'nope'" in error_text(call(server, "get_plan_summary", {"project": "nope"}))


def test_read_only_tools_without_sources(repo: FileSystemRepo, propose: RecordingPropose) -> None:
    bare = build_server(repo, propose=propose)
    assert call(bare, "list_projects", {}).structured_content == {"projects": []}
    assert "no plan is recorded" in error_text(call(bare, "get_plan_summary", {"project": "x"}))


def test_projects_in_a_working_tree(tmp_path: Path) -> None:
    for directory in ("infra/aws/envs/dev", "infra/aws/envs/prod", "infra/modules/bucket"):
        (tmp_path / directory).mkdir(parents=True)
        (tmp_path / directory / "main.tf").write_text("terraform {}\n")
    assert projects_in(FileSystemRepo(tmp_path)) == [
        {"name": "infra/aws/envs/dev", "dir": "infra/aws/envs/dev", "workspace": "default"},
        {"name": "infra/aws/envs/prod", "dir": "infra/aws/envs/prod", "workspace": "default"},
    ]


# --- the real change generator, once bot.changes.terraform exists -----------------------------------------

HAS_TERRAFORM_CHANGES = importlib.util.find_spec("bot.changes.terraform") is not None


needs_terraform_changes = pytest.mark.skipif(not HAS_TERRAFORM_CHANGES, reason="bot.changes.terraform is missing")


def write_files(root: Path, content: dict[str, Any]) -> None:
    for file in content["files"]:
        target = root / file["path"]
        if file["deleted"]:
            assert file["content"] == ""
            target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(file["content"])


@needs_terraform_changes
@pytest.mark.parametrize(
    ("tool", "arguments", "env_dir", "call_file"),
    [
        ("create_s3_bucket", {"name": "logs-archive"}, "infra/aws/envs/dev", "logs_archive.tf"),
        ("create_gcs_bucket", {"name": "media", "env": "prod"}, "infra/gcp/envs/prod", "media.tf"),
        ("create_ec2_instance", {"name": "web-1"}, "infra/aws/envs/dev", "web_1.tf"),
        ("create_lambda_function", {"name": "resize"}, "infra/aws/envs/dev", "resize.tf"),
    ],
)
def test_real_propose_writes_terraform_for_every_kind(
    tmp_path: Path, tool: str, arguments: dict[str, Any], env_dir: str, call_file: str
) -> None:
    result = call(build_server(FileSystemRepo(tmp_path)), tool, arguments)
    assert not result.is_error, result
    content = result.structured_content
    assert content is not None and content["unchanged"] is False and content["title"]
    paths = [file["path"] for file in content["files"]]
    assert all(path.startswith("infra/") and path.endswith(".tf") for path in paths), paths
    assert any(path.startswith(env_dir + "/") and path.endswith(call_file) for path in paths), paths


@needs_terraform_changes
def test_real_propose_unchanged_refused_and_destroyed(tmp_path: Path) -> None:
    server = build_server(FileSystemRepo(tmp_path))
    first = call(server, "create_s3_bucket", {"name": "logs-archive", "region": "eu-west-1"})
    assert first.structured_content is not None
    write_files(tmp_path, first.structured_content)

    again = call(server, "create_s3_bucket", {"name": "logs-archive", "region": "eu-west-1"})
    assert again.structured_content is not None
    assert again.structured_content["unchanged"] is True and again.structured_content["files"] == []

    different = call(server, "create_s3_bucket", {"name": "logs-archive", "region": "eu-west-1", "versioning": False})
    refused = refusal(different)
    assert "logs-archive" in refused["message"] and refused["hint"]
    assert refused["location"].startswith("infra/aws/envs/dev/")

    refusal(call(server, "destroy_resource", {"cloud": "aws", "kind": "bucket", "name": "nope"}))

    destroyed = call(server, "destroy_resource", {"cloud": "aws", "kind": "bucket", "name": "logs-archive"})
    assert not destroyed.is_error and destroyed.structured_content is not None
    assert [(file["content"], file["deleted"]) for file in destroyed.structured_content["files"]] == [("", True)]
    write_files(tmp_path, destroyed.structured_content)
    refusal(call(server, "destroy_resource", {"cloud": "aws", "kind": "bucket", "name": "logs-archive"}))


@needs_terraform_changes
def test_real_propose_updates_what_create_wrote(tmp_path: Path) -> None:
    server = build_server(FileSystemRepo(tmp_path))
    missing = refusal(
        call(
            server,
            "update_resource",
            {"cloud": "aws", "kind": "instance", "name": "web-1", "instance_type": "t3.large"},
        )
    )
    assert "/infra create instance web-1 env=dev" in missing["hint"]
    created = call(server, "create_ec2_instance", {"name": "web-1"})
    assert created.structured_content is not None
    write_files(tmp_path, created.structured_content)

    arguments = {"cloud": "aws", "kind": "instance", "name": "web-1", "instance_type": "t3.large"}
    updated = call(server, "update_resource", arguments)
    content = updated.structured_content
    assert not updated.is_error and content is not None, updated
    assert content["command"] == "/infra update instance web-1 type=t3.large env=dev"
    assert [file["path"] for file in content["files"]] == ["infra/aws/envs/dev/ec2_instance_web_1.tf"]
    assert 'instance_type = "t3.large"' in content["files"][0]["content"]
    write_files(tmp_path, content)
    again = call(server, "update_resource", arguments)
    assert again.structured_content is not None and again.structured_content["unchanged"] is True


# --- stdio ---------------------------------------------------------------------------------------------------


def test_serve_stdio_answers_a_real_client(tmp_path: Path) -> None:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text("terraform {}\n")
    code = (
        "import sys; from pathlib import Path; from bot.tools.server import serve_stdio; serve_stdio(Path(sys.argv[1]))"
    )
    params = StdioServerParameters(command=sys.executable, args=["-c", code, str(tmp_path)], cwd=str(Path.cwd()))

    async def work(client: Client) -> tuple[set[str], CallToolResult, CallToolResult]:
        listing = await client.list_tools()
        projects = await client.call_tool("list_projects", {})
        invalid = await client.call_tool("create_s3_bucket", {"name": "NO"})
        return {tool.name for tool in listing.tools}, projects, invalid

    names, projects, invalid = run(params, work)
    assert names == CHANGE_TOOLS | READ_TOOLS
    assert projects.structured_content == {"projects": [{"name": "infra", "dir": "infra", "workspace": "default"}]}
    assert "S3 bucket names must be lowercase" in error_text(invalid)


# --- FileSystemRepo ------------------------------------------------------------------------------------------


def test_filesystem_repo_lists_and_reads(tmp_path: Path) -> None:
    for path in (
        "b.tf",
        "infra/a.tf",
        "infra/sub/c.tf",
        ".git/config",
        "infra/.terraform/providers/x",
        ".github/w.yml",
    ):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(path)
    repo = FileSystemRepo(tmp_path)
    assert repo.list_files() == [".github/w.yml", "b.tf", "infra/a.tf", "infra/sub/c.tf"]
    assert repo.list_files("infra/") == ["infra/a.tf", "infra/sub/c.tf"]
    assert repo.read_text("infra/sub/c.tf") == "infra/sub/c.tf"
    assert repo.read_text("missing.tf") is None
    assert repo.read_text("infra") is None


def test_filesystem_repo_never_reads_outside_its_root(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    (root / "dirlink").symlink_to(tmp_path)
    repo = FileSystemRepo(root)
    for path in ("../secret.txt", str(tmp_path / "secret.txt"), "link.txt", "dirlink/secret.txt", "", "a\x00b"):
        assert repo.read_text(path) is None, path
    assert repo.list_files() == []

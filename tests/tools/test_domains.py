"""The domain MCP servers, the gateway over them, ping and metrics: through mcp.Client, in memory and over stdio."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from fakes.recording_propose import RecordingPropose
from mcp import Client, StdioServerParameters
from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult

from bot.changes.resource_kinds import SPECS
from bot.domain.models import Cloud, ResourceKind
from bot.model_ports import DOMAIN_META, ROUTER_META
from bot.tools.change_tools import change_tools
from bot.tools.cloud_destroy import CLOUD_KINDS
from bot.tools.domain_servers import ToolSources, domain_servers
from bot.tools.domains import DOMAINS, LEGACY_ONLY, MAX_TOOLS
from bot.tools.endpoint import build_endpoint
from bot.tools.filesystem_repo import FileSystemRepo
from bot.tools.gateway import ROUTER_TOOL, build_gateway
from bot.tools.health import Check
from bot.tools.tool_metrics import ToolMetrics

EXPECTED = {
    "aws": {
        "create_s3_bucket",
        "create_ec2_instance",
        "create_lambda_function",
        "create_eks_cluster",
        "update_aws_resource",
        "destroy_aws_resource",
    },
    "gcp": {"create_gcs_bucket", "create_gke_cluster", "update_gcp_resource", "destroy_gcp_resource"},
    "helm": {"set_helm_values", "upgrade_chart", "render_release", "list_releases"},
    "argocd": {"create_app", "list_applications", "get_application_status"},
    "state": {"list_projects", "get_plan_summary", "list_locks", "list_managed_resources", "ping", "metrics"},
}
LOCK = {
    "dir": "infra/aws/envs/dev",
    "workspace": "default",
    "holder": "infra/create-bucket-logs-dev",
    "acquired_at": "",
}


def run(server: Any, work: Callable[[Client], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with Client(server) as client:
            return await work(client)

    return anyio.run(main)


def listing(server: Any) -> list[Any]:
    async def work(client: Client) -> list[Any]:
        return list((await client.list_tools()).tools)

    result: list[Any] = run(server, work)
    return result


def call(server: Any, name: str, arguments: dict[str, Any]) -> CallToolResult:
    async def work(client: Client) -> CallToolResult:
        return await client.call_tool(name, arguments)

    result: CallToolResult = run(server, work)
    return result


def text(result: CallToolResult) -> str:
    return " ".join(getattr(block, "text", "") for block in result.content)


def sources(**probes: Callable[[], Check]) -> ToolSources:
    return ToolSources(list_projects=lambda: [], locks=lambda: [LOCK], probes=probes, propose=RecordingPropose())


def test_each_domain_server_lists_its_own_tools_at_most_eight(tmp_path: Path) -> None:
    servers = domain_servers(FileSystemRepo(tmp_path), sources())
    assert set(servers) == {"aws", "gcp", "helm", "argocd", "state"}
    for name, each in servers.items():
        tools = listing(each.server)
        assert len(tools) <= MAX_TOOLS
        assert {tool.name for tool in tools} == EXPECTED[name]
        assert all(tool.meta == {DOMAIN_META: name} for tool in tools)
        assert all(tool.annotations.read_only_hint is True for tool in tools)
    # The state server only reads: nothing in it proposes a change (no destructive or idempotent change hints).
    state = listing(servers["state"].server)
    assert all(tool.annotations.destructive_hint is None for tool in state)


def test_every_tool_is_in_one_domain_except_the_legacy_destroy(tmp_path: Path) -> None:
    grouped = [name for domain in DOMAINS for name in domain.tools]
    assert len(grouped) == len(set(grouped))
    # A new change tool (update_resource) fails this until its name is added to a domain in bot/tools/domains.py.
    assert set(change_tools(FileSystemRepo(tmp_path))) - LEGACY_ONLY <= set(grouped)


def test_each_cloud_destroy_offers_that_clouds_kinds() -> None:
    for cloud in Cloud:
        assert set(CLOUD_KINDS[cloud]) == {kind for (on, kind) in SPECS if on is cloud}


def test_a_cloud_destroy_fixes_its_cloud(tmp_path: Path) -> None:
    propose = RecordingPropose()
    servers = domain_servers(FileSystemRepo(tmp_path), ToolSources(propose=propose))
    schema = {tool.name: tool.input_schema for tool in listing(servers["gcp"].server)}["destroy_gcp_resource"]
    assert schema["properties"]["kind"]["enum"] == ["bucket"] and "cloud" not in schema["properties"]
    result = call(servers["gcp"].server, "destroy_gcp_resource", {"kind": "bucket", "name": "old-exports"})
    assert not result.is_error and result.structured_content is not None
    assert result.structured_content["command"] == "/infra destroy bucket old-exports cloud=gcp env=dev"
    assert [(r.action, r.cloud, r.kind) for r in propose.requests] == [("destroy", Cloud.GCP, ResourceKind.BUCKET)]


def test_the_gateway_serves_every_domains_tools_under_their_names_and_the_router(tmp_path: Path) -> None:
    servers = domain_servers(FileSystemRepo(tmp_path), sources())
    gateway = build_gateway(servers)
    tools = {tool.name: tool for tool in listing(gateway)}
    assert set(tools) == {ROUTER_TOOL} | set().union(*EXPECTED.values())
    assert tools[ROUTER_TOOL].meta == {ROUTER_META: True}
    assert tools[ROUTER_TOOL].input_schema["properties"]["domain"]["enum"] == ["aws", "gcp", "helm", "argocd", "state"]
    # One line per domain in the router's description.
    assert [line.split(":")[0] for line in tools[ROUTER_TOOL].description.splitlines()[1:]] == [
        "- aws",
        "- gcp",
        "- helm",
        "- argocd",
        "- state",
    ]
    direct = {tool.name: tool for each in servers.values() for tool in listing(each.server)}
    for name, tool in direct.items():
        assert (tools[name].input_schema, tools[name].output_schema) == (tool.input_schema, tool.output_schema)
        assert (tools[name].annotations, tools[name].meta) == (tool.annotations, tool.meta)


def test_the_gateway_forwards_results_refusals_and_mistakes_as_the_domain_answers_them(tmp_path: Path) -> None:
    servers = domain_servers(FileSystemRepo(tmp_path), sources())
    gateway = build_gateway(servers)
    aws = servers["aws"].server
    for name, arguments in [
        ("create_s3_bucket", {"name": "billing-exports", "region": "eu-west-1"}),
        ("create_s3_bucket", {"name": "taken-logs"}),
        ("create_s3_bucket", {"name": "NO", "regoin": "eu-west-1"}),
    ]:
        through, direct = call(gateway, name, arguments), call(aws, name, arguments)
        assert (through.is_error, through.structured_content, text(through)) == (
            direct.is_error,
            direct.structured_content,
            text(direct),
        )
    mistake = call(gateway, "create_s3_bucket", {"name": "NO"})
    assert text(mistake).count("Error executing tool") == 1
    assert call(gateway, "list_locks", {}).structured_content == {"locks": [LOCK]}


def test_choose_domain_lists_that_domains_tools(tmp_path: Path) -> None:
    gateway = build_gateway(domain_servers(FileSystemRepo(tmp_path), sources()))
    chosen = call(gateway, ROUTER_TOOL, {"domain": "gcp"})
    assert chosen.structured_content is not None
    assert [tool["name"] for tool in chosen.structured_content["tools"]] == [
        "create_gcs_bucket",
        "create_gke_cluster",
        "update_gcp_resource",
        "destroy_gcp_resource",
    ]
    wrong = call(gateway, ROUTER_TOOL, {"domain": "azure"})
    assert wrong.is_error and "the domains are aws, gcp, helm, argocd, state" in text(wrong)


def test_ping_says_which_check_is_missing_and_never_raises(tmp_path: Path) -> None:
    def broken() -> Check:
        raise OSError("network is unreachable\nmore detail")

    probes = {
        "terraform": lambda: Check(False, "no terraform or tofu on PATH"),
        "aws_credentials": lambda: Check(True, "from AWS_PROFILE"),
        "github": broken,
    }
    server = domain_servers(FileSystemRepo(tmp_path), sources(**probes))["state"].server
    result = call(server, "ping", {})
    assert not result.is_error
    assert result.structured_content == {
        "ok": False,
        "checks": [
            {"name": "terraform", "status": "missing", "reason": "no terraform or tofu on PATH"},
            {"name": "aws_credentials", "status": "ok", "reason": "from AWS_PROFILE"},
            {"name": "github", "status": "missing", "reason": "network is unreachable"},
        ],
    }


def test_local_probes_say_what_is_missing(tmp_path: Path) -> None:
    from bot.adapters.health_probes import aws_credentials, gcp_credentials, github_reachable

    assert aws_credentials({}, tmp_path)() == Check(
        False, "no AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID, or run `aws configure`"
    )
    assert aws_credentials({"AWS_PROFILE": "dev"}, tmp_path)().ok
    assert not gcp_credentials({"GOOGLE_APPLICATION_CREDENTIALS": str(tmp_path / "none.json")}, tmp_path)().ok
    # Nothing listens on port 9 ("discard"): unreachable, said in a line, not raised.
    unreachable = github_reachable("http://127.0.0.1:9", timeout=2)()
    assert not unreachable.ok and unreachable.reason.startswith("cannot reach http://127.0.0.1:9")
    assert not github_reachable("file:///etc/passwd")().ok


def test_metrics_count_each_servers_calls_through_the_gateway_too(tmp_path: Path) -> None:
    metrics: dict[str, ToolMetrics] = {}
    servers = domain_servers(FileSystemRepo(tmp_path), sources(), metrics=metrics)
    gateway = build_gateway(servers, metrics)

    async def work(client: Client) -> Any:
        await client.call_tool(ROUTER_TOOL, {"domain": "aws"})
        await client.call_tool("create_s3_bucket", {"name": "billing-exports"})
        await client.call_tool("create_s3_bucket", {"name": "taken-logs"})
        await client.call_tool("create_s3_bucket", {"name": "NO"})
        await client.call_tool("list_projects", {})
        return (await client.call_tool("metrics", {})).structured_content

    counted = run(gateway, work)
    assert set(counted["servers"]) == {"aws", "gcp", "helm", "argocd", "state", "gateway"}
    s3 = counted["servers"]["aws"]["create_s3_bucket"]
    assert (s3["calls"], s3["errors"]) == (3, 2) and s3["seconds"] >= 0
    assert counted["servers"]["state"]["list_projects"]["calls"] == 1
    assert counted["servers"]["gateway"][ROUTER_TOOL]["calls"] == 1
    assert counted["servers"]["gcp"] == {}


def test_managed_resources_are_the_generated_module_calls(tmp_path: Path) -> None:
    env = tmp_path / "infra" / "aws" / "envs" / "dev"
    env.mkdir(parents=True)
    (env / "s3_bucket_logs.tf").write_text(
        'module "s3_bucket_logs" {\n  source      = "../../modules/s3_bucket"\n  bucket_name = "logs"\n}\n'
    )
    (env / "lambda_function_resize.tf").write_text(
        'module "lambda_function_resize" {\n  source        = "../../modules/lambda_function"\n'
        '  function_name = "resize"\n}\n'
    )
    # Written by hand, not by Olympus: not listed.
    (env / "main.tf").write_text('resource "aws_s3_bucket" "manual" {\n  bucket = "manual"\n}\n')
    server = domain_servers(FileSystemRepo(tmp_path), sources())["state"].server
    result = call(server, "list_managed_resources", {})
    assert result.structured_content == {
        "resources": [
            {
                "cloud": "aws",
                "kind": "bucket",
                "name": "logs",
                "env": "dev",
                "address": "module.s3_bucket_logs",
                "location": "infra/aws/envs/dev/s3_bucket_logs.tf:1",
            },
            {
                "cloud": "aws",
                "kind": "function",
                "name": "resize",
                "env": "dev",
                "address": "module.lambda_function_resize",
                "location": "infra/aws/envs/dev/lambda_function_resize.tf:1",
            },
        ]
    }


def test_build_endpoint_serves_the_gateway_or_one_domain(tmp_path: Path) -> None:
    repo = FileSystemRepo(tmp_path)
    assert {tool.name for tool in listing(build_endpoint(repo, sources(), "gcp"))} == EXPECTED["gcp"]
    assert isinstance(build_endpoint(repo, sources()), MCPServer)
    assert ROUTER_TOOL in {tool.name for tool in listing(build_endpoint(repo, sources()))}


def test_the_gateway_and_one_domain_answer_over_stdio(tmp_path: Path) -> None:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text("terraform {}\n")
    code = (
        "import sys; from pathlib import Path; from bot.tools.filesystem_repo import FileSystemRepo; "
        "from bot.tools.server import projects_in; from bot.tools.domain_servers import ToolSources; "
        "from bot.tools.endpoint import build_endpoint; repo = FileSystemRepo(Path(sys.argv[1])); "
        "build_endpoint(repo, ToolSources(list_projects=lambda: projects_in(repo)), sys.argv[2]).run('stdio')"
    )

    def served(domain: str) -> tuple[set[str], Any]:
        args = ["-c", code, str(tmp_path), domain]
        params = StdioServerParameters(command=sys.executable, args=args, cwd=str(Path.cwd()))

        async def work(client: Client) -> tuple[set[str], Any]:
            names = {tool.name for tool in (await client.list_tools()).tools}
            if "list_projects" not in names:
                return names, None
            return names, (await client.call_tool("list_projects", {})).structured_content

        result: tuple[set[str], Any] = run(params, work)
        return result

    names, projects = served("all")
    assert names == {ROUTER_TOOL} | set().union(*EXPECTED.values())
    assert projects == {"projects": [{"name": "infra", "dir": "infra", "workspace": "default"}]}
    assert served("aws") == (EXPECTED["aws"], None)


def test_olympus_mcp_takes_a_domain(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from bot.entrypoints import cli, local_commands

    served: list[tuple[Path, str]] = []
    monkeypatch.setattr(local_commands, "serve_mcp", lambda repo, domain: served.append((repo, domain)) or 0)
    runner = CliRunner()
    assert runner.invoke(cli.app, ["mcp", "--repo", "r", "--domain", "state"]).exit_code == 0
    assert runner.invoke(cli.app, ["mcp", "--repo", "r"]).exit_code == 0
    assert served == [(Path("r"), "state"), (Path("r"), "all")]
    wrong = runner.invoke(cli.app, ["mcp", "--domain", "azure"])
    # Rich wraps the message in a box: compare its words.
    words = " ".join(wrong.output.replace("\u2502", " ").split())
    assert wrong.exit_code != 0 and "all, aws, gcp, helm, argocd, state" in words


def test_each_clouds_update_offers_that_clouds_settings_and_carries_its_cloud(tmp_path: Path) -> None:
    servers = domain_servers(FileSystemRepo(tmp_path), sources())
    aws = {tool.name: tool.input_schema for tool in listing(servers["aws"].server)}["update_aws_resource"]
    gcp = {tool.name: tool.input_schema for tool in listing(servers["gcp"].server)}["update_gcp_resource"]
    assert "cloud" not in aws["properties"] and aws["properties"]["kind"]["enum"] == ["bucket", "instance", "function"]
    assert set(gcp["properties"]) == {"name", "versioning", "env"} and "versioning" in gcp["required"]
    updated = call(servers["gcp"].server, "update_gcp_resource", {"name": "old-exports", "versioning": False})
    assert updated.structured_content is not None and not updated.is_error
    assert updated.structured_content["command"] == "/infra update bucket old-exports versioning=off cloud=gcp env=dev"

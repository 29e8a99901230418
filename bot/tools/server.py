"""The MCP server of change tools: each validates its arguments and proposes a ChangeSet; none runs Terraform."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from bot.domain.commands import Invalid, build_request
from bot.domain.models import ChangeSet, Cloud, Refusal, ResourceKind, ResourceRequest
from bot.domain.projects import ProjectConfigError, discover_projects
from bot.domain.repo_config import ConfigErrors, load_repo_config
from bot.ports import RepoReader
from bot.tools.filesystem_repo import FileSystemRepo
from bot.tools.results import change_result

__all__ = ["SERVER_NAME", "ProposeFn", "build_server", "projects_in", "serve_stdio"]

SERVER_NAME = "olympus"
ProposeFn = Callable[[RepoReader, ResourceRequest], ChangeSet | Refusal]

_INSTRUCTIONS = (
    "Olympus proposes infrastructure changes as files for a pull request. The create_* and destroy_resource "
    "tools return the files of a proposed change (or a refusal that says why and how to fix it); they never "
    "apply anything. Plans and applies happen in the pull request, after review."
)
# Change tools only compute files from the repository; asking twice gives the same answer.
_CHANGE = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
_READ = ToolAnnotations(read_only_hint=True, open_world_hint=False)

Name = Annotated[str, Field(description="The resource's name; it must follow the cloud's naming rules.")]
Env = Annotated[str, Field(description="The environment: a lowercase letter, then letters, digits or hyphens.")]
AwsRegion = Annotated[str, Field(description="An AWS region, e.g. us-east-1 or eu-west-1.")]
GcsLocation = Annotated[
    str,
    Field(
        description="A Cloud Storage location: US, EU, ASIA, a dual-region such as EUR4, or a region such as "
        "europe-west1."
    ),
]


def build_server(
    repo: RepoReader,
    list_projects: Callable[[], list[dict[str, Any]]] | None = None,
    plan_summary: Callable[[str], dict[str, Any] | None] | None = None,
    *,
    propose: ProposeFn | None = None,
) -> MCPServer:
    """An MCP server whose change tools read `repo`; `propose` defaults to bot.changes.terraform.propose."""
    server: MCPServer = MCPServer(name=SERVER_NAME, instructions=_INSTRUCTIONS)

    def proposed(built: ResourceRequest | Invalid) -> dict[str, Any]:
        if isinstance(built, Invalid):
            raise ToolError("invalid arguments:\n" + "\n".join(f"- {problem}" for problem in built.problems))
        return change_result((propose or _terraform_propose())(repo, built))

    def create(
        cloud: Cloud, kind: ResourceKind, name: str, region: str, env: str, options: dict[str, str]
    ) -> dict[str, Any]:
        return proposed(build_request("create", cloud, kind, name, region=region, env=env, options=options))

    @server.tool(annotations=_CHANGE)
    def create_s3_bucket(
        name: Name, region: AwsRegion = "us-east-1", env: Env = "dev", versioning: bool = True
    ) -> dict[str, Any]:
        """Propose an S3 bucket (private, encrypted, versioned unless versioning is false)."""
        options = {"versioning": "on" if versioning else "off"}
        return create(Cloud.AWS, ResourceKind.BUCKET, name, region, env, options)

    @server.tool(annotations=_CHANGE)
    def create_gcs_bucket(
        name: Name,
        location: GcsLocation = "US",
        env: Env = "dev",
        versioning: bool = True,
    ) -> dict[str, Any]:
        """Propose a Google Cloud Storage bucket (uniform access, public access prevented)."""
        options = {"versioning": "on" if versioning else "off"}
        return create(Cloud.GCP, ResourceKind.BUCKET, name, location, env, options)

    @server.tool(annotations=_CHANGE)
    def create_ec2_instance(
        name: Name,
        instance_type: Annotated[str, Field(description="An EC2 instance type, e.g. t3.micro.")] = "t3.micro",
        region: AwsRegion = "us-east-1",
        env: Env = "dev",
    ) -> dict[str, Any]:
        """Propose an EC2 instance, named by its Name tag."""
        options = {"instance_type": instance_type}
        return create(Cloud.AWS, ResourceKind.INSTANCE, name, region, env, options)

    @server.tool(annotations=_CHANGE)
    def create_lambda_function(
        name: Name,
        runtime: Annotated[str, Field(description="A current Lambda runtime, e.g. python3.12.")] = "python3.12",
        region: AwsRegion = "us-east-1",
        env: Env = "dev",
        memory_mb: Annotated[int, Field(description="Memory in MB, 128 to 10240.")] = 128,
        timeout_s: Annotated[int, Field(description="Timeout in seconds, 1 to 900.")] = 10,
    ) -> dict[str, Any]:
        """Propose an AWS Lambda function."""
        options = {"runtime": runtime, "memory_mb": str(memory_mb), "timeout_s": str(timeout_s)}
        return create(Cloud.AWS, ResourceKind.FUNCTION, name, region, env, options)

    @server.tool(annotations=_CHANGE)
    def destroy_resource(
        cloud: Literal["aws", "gcp"],
        kind: Literal["bucket", "instance", "function"],
        name: Name,
        env: Env = "dev",
    ) -> dict[str, Any]:
        """Propose removing a resource that Olympus manages (its definition leaves the repository)."""
        return proposed(build_request("destroy", Cloud(cloud), ResourceKind(kind), name, env=env))

    @server.tool(name="list_projects", annotations=_READ)
    def projects() -> dict[str, Any]:
        """The Terraform projects (root modules) Olympus plans and applies, with their directories."""
        return {"projects": list_projects() if list_projects else []}

    @server.tool(annotations=_READ)
    def get_plan_summary(
        project: Annotated[str, Field(description="A project name, as list_projects gives it.")],
    ) -> dict[str, Any]:
        """The summary of the latest saved plan of one project: what it adds, changes and destroys."""
        summary = plan_summary(project) if plan_summary else None
        if summary is None:
            raise ToolError(
                f"no plan is recorded for project {project[:100]!r}; run `/infra plan -p PROJECT` in its pull "
                "request, or call list_projects for the project names"
            )
        return summary

    return server


def serve_stdio(
    repo_root: Path,
    list_projects: Callable[[], list[dict[str, Any]]] | None = None,
    plan_summary: Callable[[str], dict[str, Any] | None] | None = None,
) -> None:
    """Serve the tools over stdin/stdout for a local MCP client, reading the working tree at repo_root.

    Without `list_projects`, the projects are those of the working tree (its `.olympus.yaml`, or discovered).
    """
    repo = FileSystemRepo(repo_root)
    build_server(repo, list_projects or (lambda: projects_in(repo)), plan_summary).run("stdio")


def projects_in(repo: RepoReader) -> list[dict[str, Any]]:
    """The repository's projects as list_projects reports them: name, dir and workspace."""
    config = load_repo_config(repo.read_text)
    if isinstance(config, ConfigErrors):
        raise ToolError(config.render())
    try:
        projects = discover_projects(repo.list_files(), repo.read_text, config)
    except ProjectConfigError as error:
        raise ToolError(str(error)) from error
    return [{"name": project.name, "dir": project.dir, "workspace": project.workspace} for project in projects]


def _terraform_propose() -> ProposeFn:
    # Imported on first use: the change generators load their templates, which a listing of tools never needs.
    module = importlib.import_module("bot.changes.terraform")
    propose: ProposeFn = module.propose
    return propose

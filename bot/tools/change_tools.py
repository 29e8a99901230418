"""The change tools as plain typed functions: the MCP server registers them, the CLI calls them in-process."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field

from bot.domain.commands import Create, Destroy, Invalid, build_request, render_command
from bot.domain.models import ChangeSet, Cloud, Refusal, ResourceKind, ResourceRequest
from bot.ports import RepoReader
from bot.tools.results import change_result

__all__ = ["ProposeFn", "Tool", "ToolRefused", "change_tools"]

ProposeFn = Callable[[RepoReader, ResourceRequest], ChangeSet | Refusal]

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


class ToolRefused(Exception):
    """A tool refuses its arguments; the message says why. The MCP server reports it as a ToolError."""


@dataclass(frozen=True)
class Tool:
    """One tool: its MCP name, the function (its signature is the input schema, its docstring the description),
    and whether it proposes a change (else it only reads)."""

    name: str
    fn: Callable[..., dict[str, Any]]
    changes: bool


def change_tools(
    repo: RepoReader,
    list_projects: Callable[[], list[dict[str, Any]]] | None = None,
    plan_summary: Callable[[str], dict[str, Any] | None] | None = None,
    *,
    propose: ProposeFn | None = None,
) -> dict[str, Tool]:
    """The tools over `repo`, by name; `propose` defaults to bot.changes.terraform.propose."""

    def proposed(built: ResourceRequest | Invalid) -> dict[str, Any]:
        if isinstance(built, Invalid):
            raise ToolRefused("invalid arguments:\n" + "\n".join(f"- {problem}" for problem in built.problems))
        # The command a person would type for the same change: what an interpreted request is shown and run as.
        command = render_command(Create(built) if built.action == "create" else Destroy(built))
        return change_result((propose or _terraform_propose())(repo, built), command=command)

    def create(
        cloud: Cloud, kind: ResourceKind, name: str, region: str, env: str, options: dict[str, str]
    ) -> dict[str, Any]:
        return proposed(build_request("create", cloud, kind, name, region=region, env=env, options=options))

    def create_s3_bucket(
        name: Name, region: AwsRegion = "us-east-1", env: Env = "dev", versioning: bool = True
    ) -> dict[str, Any]:
        """Propose an S3 bucket (private, encrypted, versioned unless versioning is false)."""
        options = {"versioning": "on" if versioning else "off"}
        return create(Cloud.AWS, ResourceKind.BUCKET, name, region, env, options)

    def create_gcs_bucket(
        name: Name,
        location: GcsLocation = "US",
        env: Env = "dev",
        versioning: bool = True,
    ) -> dict[str, Any]:
        """Propose a Google Cloud Storage bucket (uniform access, public access prevented)."""
        options = {"versioning": "on" if versioning else "off"}
        return create(Cloud.GCP, ResourceKind.BUCKET, name, location, env, options)

    def create_ec2_instance(
        name: Name,
        instance_type: Annotated[str, Field(description="An EC2 instance type, e.g. t3.micro.")] = "t3.micro",
        region: AwsRegion = "us-east-1",
        env: Env = "dev",
    ) -> dict[str, Any]:
        """Propose an EC2 instance, named by its Name tag."""
        options = {"instance_type": instance_type}
        return create(Cloud.AWS, ResourceKind.INSTANCE, name, region, env, options)

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

    def destroy_resource(
        cloud: Literal["aws", "gcp"],
        kind: Literal["bucket", "instance", "function"],
        name: Name,
        env: Env = "dev",
    ) -> dict[str, Any]:
        """Propose removing a resource that Olympus manages (its definition leaves the repository)."""
        return proposed(build_request("destroy", Cloud(cloud), ResourceKind(kind), name, env=env))

    def projects() -> dict[str, Any]:
        """The Terraform projects (root modules) Olympus plans and applies, with their directories."""
        return {"projects": list_projects() if list_projects else []}

    def get_plan_summary(
        project: Annotated[str, Field(description="A project name, as list_projects gives it.")],
    ) -> dict[str, Any]:
        """The summary of the latest saved plan of one project: what it adds, changes and destroys."""
        summary = plan_summary(project) if plan_summary else None
        if summary is None:
            raise ToolRefused(
                f"no plan is recorded for project {project[:100]!r}; run `/infra plan -p PROJECT` in its pull "
                "request, or call list_projects for the project names"
            )
        return summary

    changing = (create_s3_bucket, create_gcs_bucket, create_ec2_instance, create_lambda_function, destroy_resource)
    tools = [Tool(fn.__name__, fn, changes=True) for fn in changing]
    tools += [Tool("list_projects", projects, changes=False), Tool("get_plan_summary", get_plan_summary, False)]
    return {tool.name: tool for tool in tools}


def _terraform_propose() -> ProposeFn:
    # Imported on first use: the change generators load their templates, which a listing of tools never needs.
    module = importlib.import_module("bot.changes.terraform")
    propose: ProposeFn = module.propose
    return propose

"""The change tools as plain typed functions: the MCP server registers them, the CLI calls them in-process."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from bot.domain.commands import Create, Destroy, Invalid, Update, build_request, render_command
from bot.domain.models import ChangeSet, Cloud, Refusal, ResourceKind, ResourceRequest
from bot.ports import RepoReader
from bot.tools.env_region import env_region
from bot.tools.parameters import (
    DEFAULT_CIDR,
    DEFAULT_EKS_NODE_TYPE,
    DEFAULT_EKS_VERSION,
    DEFAULT_ENV,
    DEFAULT_GKE_MACHINE_TYPE,
    DEFAULT_INSTANCE_TYPE,
    DEFAULT_MEMORY_MB,
    DEFAULT_NODE_MAX,
    DEFAULT_NODE_MIN,
    DEFAULT_RUNTIME,
    DEFAULT_TIMEOUT_S,
    DEFAULT_VERSIONING,
    AwsRegion,
    Cidr,
    CloudName,
    ClusterName,
    EksNodeType,
    Env,
    FunctionName,
    GcpRegion,
    GcsLocation,
    GcsName,
    GkeMachineType,
    InstanceName,
    InstanceType,
    KindName,
    KubernetesVersion,
    MemoryMb,
    Name,
    NewInstanceType,
    NewMemoryMb,
    NewRuntime,
    NewTimeoutS,
    NewVersioning,
    NodeMax,
    NodeMin,
    ProjectName,
    Runtime,
    S3Name,
    TimeoutS,
    Versioning,
)
from bot.tools.results import (
    ChangeResult,
    PlanSummaryResult,
    ProjectsResult,
    RefusalResult,
    change_result,
)

__all__ = ["ChangeRefused", "ProposeFn", "Tool", "ToolRefused", "change_tools", "invalid_arguments"]

ProposeFn = Callable[[RepoReader, ResourceRequest], ChangeSet | Refusal]


class ToolRefused(Exception):
    """The call cannot be carried out as asked; the message, the text of MCP's error result, says why."""


class ChangeRefused(ToolRefused):
    """The change generator refuses the change (a name taken, an env that deploys elsewhere): an error result whose
    structured content is the refusal, and whose text is the same refusal as JSON."""

    def __init__(self, refusal: RefusalResult) -> None:
        super().__init__(refusal.model_dump_json(indent=2))
        self.refusal = refusal

    @property
    def structured(self) -> dict[str, Any]:
        return self.refusal.model_dump(mode="json")


def invalid_arguments(problems: Iterable[str]) -> ToolRefused:
    """Every problem of a call's arguments, one a line, as one refusal."""
    return ToolRefused("invalid arguments:\n" + "\n".join(f"- {problem}" for problem in problems))


@dataclass(frozen=True)
class Tool:
    """One tool: its MCP name, the function (its signature is the input schema, its docstring the description, its
    return type the output schema), and whether it proposes a change (else it only reads)."""

    name: str
    fn: Callable[..., BaseModel]
    changes: bool


def change_tools(
    repo: RepoReader,
    list_projects: Callable[[], list[dict[str, Any]]] | None = None,
    plan_summary: Callable[[str], dict[str, Any] | None] | None = None,
    *,
    propose: ProposeFn | None = None,
) -> dict[str, Tool]:
    """The tools over `repo`, by name; `propose` defaults to bot.changes.terraform.propose."""

    def proposed(built: ResourceRequest | Invalid) -> ChangeResult:
        if isinstance(built, Invalid):
            raise invalid_arguments(built.problems)
        # The command a person would type for the same change: what an interpreted request is shown and run as.
        change = Create(built) if built.action == "create" else Update(built) if built.action == "update" else None
        command = render_command(change or Destroy(built))
        result = change_result((propose or _terraform_propose())(repo, built), command=command)
        if isinstance(result, RefusalResult):
            raise ChangeRefused(result)
        return result

    def create(
        cloud: Cloud, kind: ResourceKind, name: str, region: str | None, env: str, options: dict[str, str]
    ) -> ChangeResult:
        chosen = region or env_region(repo, cloud, kind, name, env)
        return proposed(build_request("create", cloud, kind, name, region=chosen, env=env, options=options))

    def create_s3_bucket(
        name: S3Name, region: AwsRegion = None, env: Env = DEFAULT_ENV, versioning: Versioning = DEFAULT_VERSIONING
    ) -> ChangeResult:
        """Propose an S3 bucket (private, encrypted, versioned unless versioning is false)."""
        options = {"versioning": "on" if versioning else "off"}
        return create(Cloud.AWS, ResourceKind.BUCKET, name, region, env, options)

    def create_gcs_bucket(
        name: GcsName,
        location: GcsLocation = None,
        env: Env = DEFAULT_ENV,
        versioning: Versioning = DEFAULT_VERSIONING,
    ) -> ChangeResult:
        """Propose a Google Cloud Storage bucket (uniform access, public access prevented)."""
        options = {"versioning": "on" if versioning else "off"}
        return create(Cloud.GCP, ResourceKind.BUCKET, name, location, env, options)

    def create_ec2_instance(
        name: InstanceName,
        instance_type: InstanceType = DEFAULT_INSTANCE_TYPE,
        region: AwsRegion = None,
        env: Env = DEFAULT_ENV,
    ) -> ChangeResult:
        """Propose an EC2 instance, named by its Name tag."""
        options = {"instance_type": instance_type}
        return create(Cloud.AWS, ResourceKind.INSTANCE, name, region, env, options)

    def create_lambda_function(
        name: FunctionName,
        runtime: Runtime = DEFAULT_RUNTIME,
        region: AwsRegion = None,
        env: Env = DEFAULT_ENV,
        memory_mb: MemoryMb = DEFAULT_MEMORY_MB,
        timeout_s: TimeoutS = DEFAULT_TIMEOUT_S,
    ) -> ChangeResult:
        """Propose an AWS Lambda function."""
        options = {"runtime": runtime, "memory_mb": str(memory_mb), "timeout_s": str(timeout_s)}
        return create(Cloud.AWS, ResourceKind.FUNCTION, name, region, env, options)

    def create_eks_cluster(
        name: ClusterName,
        kubernetes_version: KubernetesVersion = DEFAULT_EKS_VERSION,
        node_type: EksNodeType = DEFAULT_EKS_NODE_TYPE,
        node_min: NodeMin = DEFAULT_NODE_MIN,
        node_max: NodeMax = DEFAULT_NODE_MAX,
        cidr: Cidr = DEFAULT_CIDR,
        region: AwsRegion = None,
        env: Env = DEFAULT_ENV,
    ) -> ChangeResult:
        """Propose an EKS cluster (private endpoint, encrypted secrets, managed nodes) and the VPC it needs."""
        options = {
            "kubernetes_version": kubernetes_version,
            "node_type": node_type,
            "node_min": str(node_min),
            "node_max": str(node_max),
            "cidr": cidr,
        }
        return create(Cloud.AWS, ResourceKind.CLUSTER, name, region, env, options)

    def create_gke_cluster(
        name: ClusterName,
        node_type: GkeMachineType = DEFAULT_GKE_MACHINE_TYPE,
        node_min: NodeMin = DEFAULT_NODE_MIN,
        node_max: NodeMax = DEFAULT_NODE_MAX,
        cidr: Cidr = DEFAULT_CIDR,
        region: GcpRegion = None,
        env: Env = DEFAULT_ENV,
    ) -> ChangeResult:
        """Propose a private GKE cluster (Workload Identity, shielded nodes, network policy) and the VPC it needs."""
        options = {"node_type": node_type, "node_min": str(node_min), "node_max": str(node_max), "cidr": cidr}
        # A GKE cluster names its own region (like a bucket's location); left out, the domain's default applies.
        return proposed(
            build_request(
                "create", Cloud.GCP, ResourceKind.CLUSTER, name, region=region or "", env=env, options=options
            )
        )

    def destroy_resource(cloud: CloudName, kind: KindName, name: Name, env: Env = DEFAULT_ENV) -> ChangeResult:
        """Propose removing a resource that Olympus manages (its definition leaves the repository)."""
        return proposed(build_request("destroy", cloud, kind, name, env=env))

    def update_resource(
        cloud: CloudName,
        kind: KindName,
        name: Name,
        env: Env = DEFAULT_ENV,
        versioning: NewVersioning = None,
        instance_type: NewInstanceType = None,
        runtime: NewRuntime = None,
        memory_mb: NewMemoryMb = None,
        timeout_s: NewTimeoutS = None,
    ) -> ChangeResult:
        """Propose changing settings of a resource that Olympus manages, in place; give at least one setting (a
        bucket's versioning, an instance's instance_type, a function's runtime, memory_mb or timeout_s)."""
        given = {
            "versioning": None if versioning is None else ("on" if versioning else "off"),
            "instance_type": instance_type,
            "runtime": runtime,
            "memory_mb": None if memory_mb is None else str(memory_mb),
            "timeout_s": None if timeout_s is None else str(timeout_s),
        }
        options = {key: value for key, value in given.items() if value is not None}
        if not options:
            raise invalid_arguments([f"update_resource needs at least one setting to change: {_SETTINGS[kind]}"])
        return proposed(build_request("update", cloud, kind, name, env=env, options=options))

    def projects() -> ProjectsResult:
        """The Terraform projects (root modules) Olympus plans and applies, with their directories."""
        return ProjectsResult.model_validate({"projects": list_projects() if list_projects else []})

    def get_plan_summary(project: ProjectName) -> PlanSummaryResult:
        """The summary of the latest saved plan of one project: what it adds, changes and destroys."""
        summary = plan_summary(project) if plan_summary else None
        if summary is None:
            raise ToolRefused(
                f"no plan is recorded for project {project[:100]!r}; run `/infra plan -p PROJECT` in its pull "
                "request, or call list_projects for the project names"
            )
        return PlanSummaryResult.model_validate(summary)

    changing = (
        create_s3_bucket,
        create_gcs_bucket,
        create_ec2_instance,
        create_lambda_function,
        create_eks_cluster,
        create_gke_cluster,
        update_resource,
        destroy_resource,
    )
    tools = [Tool(fn.__name__, fn, changes=True) for fn in changing]
    tools += [Tool("list_projects", projects, changes=False), Tool("get_plan_summary", get_plan_summary, False)]
    return {tool.name: tool for tool in tools}


# What update_resource can change, per kind, in its own argument names.
_SETTINGS = {
    ResourceKind.BUCKET: "`versioning`",
    ResourceKind.INSTANCE: "`instance_type`",
    ResourceKind.FUNCTION: "`runtime`, `memory_mb` or `timeout_s`",
    ResourceKind.CLUSTER: "none: a cluster is changed by editing its module call in a pull request",
}


def _terraform_propose() -> ProposeFn:
    # Imported on first use: the change generators load their templates, which a listing of tools never needs.
    module = importlib.import_module("bot.changes.terraform")
    propose: ProposeFn = module.propose
    return propose

"""destroy_resource with its cloud fixed: one destroy tool in each cloud's server, offering that cloud's kinds only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import Field, WithJsonSchema

from bot.domain.models import Cloud, ResourceKind
from bot.tools.change_tools import Tool
from bot.tools.parameters import DEFAULT_ENV, Env, Name
from bot.tools.results import ChangeResult

__all__ = ["CLOUD_KINDS", "cloud_destroy_tools"]

# The kinds the change generators make for each cloud (bot/changes/resource_kinds.SPECS; a test holds the two
# together). Written out here: the generators load their templates, which a listing of tools never needs.
CLOUD_KINDS: Mapping[Cloud, tuple[ResourceKind, ...]] = {
    Cloud.AWS: (ResourceKind.BUCKET, ResourceKind.INSTANCE, ResourceKind.FUNCTION),
    Cloud.GCP: (ResourceKind.BUCKET,),
}


def _kinds_of(cloud: Cloud) -> WithJsonSchema:
    # Inline, as parameters.KindName's: only the kinds this cloud's generators make.
    return WithJsonSchema({"type": "string", "enum": [kind.value for kind in CLOUD_KINDS[cloud]]})


_KIND = Field(description="The kind of resource.")
AwsKind = Annotated[ResourceKind, _kinds_of(Cloud.AWS), _KIND]
GcpKind = Annotated[ResourceKind, _kinds_of(Cloud.GCP), _KIND]


def cloud_destroy_tools(tools: Mapping[str, Tool]) -> dict[str, Tool]:
    """destroy_aws_resource and destroy_gcp_resource, each calling `tools`' destroy_resource with its cloud."""
    destroy = tools["destroy_resource"].fn

    def destroy_aws_resource(kind: AwsKind, name: Name, env: Env = DEFAULT_ENV) -> ChangeResult:
        """Propose removing an AWS resource that Olympus manages (its definition leaves the repository)."""
        result = destroy(cloud=Cloud.AWS, kind=kind, name=name, env=env)
        return ChangeResult.model_validate(result)

    def destroy_gcp_resource(kind: GcpKind, name: Name, env: Env = DEFAULT_ENV) -> ChangeResult:
        """Propose removing a Google Cloud resource that Olympus manages (its definition leaves the repository)."""
        result = destroy(cloud=Cloud.GCP, kind=kind, name=name, env=env)
        return ChangeResult.model_validate(result)

    return {fn.__name__: Tool(fn.__name__, fn, changes=True) for fn in (destroy_aws_resource, destroy_gcp_resource)}

"""update_resource with its cloud fixed: one update tool in each cloud's server, offering that cloud's settings only."""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.models import Cloud, ResourceKind
from bot.tools.change_tools import Tool
from bot.tools.cloud_destroy import AwsKind
from bot.tools.parameters import (
    DEFAULT_ENV,
    Env,
    Name,
    NewInstanceType,
    NewMemoryMb,
    NewRuntime,
    NewTimeoutS,
    NewVersioning,
)
from bot.tools.results import ChangeResult

__all__ = ["cloud_update_tools"]


def cloud_update_tools(tools: Mapping[str, Tool]) -> dict[str, Tool]:
    """update_aws_resource and update_gcp_resource, each calling `tools`' update_resource with its cloud."""
    update = tools["update_resource"].fn

    def update_aws_resource(
        kind: AwsKind,
        name: Name,
        env: Env = DEFAULT_ENV,
        versioning: NewVersioning = None,
        instance_type: NewInstanceType = None,
        runtime: NewRuntime = None,
        memory_mb: NewMemoryMb = None,
        timeout_s: NewTimeoutS = None,
    ) -> ChangeResult:
        """Propose changing settings of an AWS resource that Olympus manages, in place; give at least one setting (a
        bucket's versioning, an instance's instance_type, a function's runtime, memory_mb or timeout_s)."""
        result = update(
            cloud=Cloud.AWS,
            kind=kind,
            name=name,
            env=env,
            versioning=versioning,
            instance_type=instance_type,
            runtime=runtime,
            memory_mb=memory_mb,
            timeout_s=timeout_s,
        )
        return ChangeResult.model_validate(result)

    def update_gcp_resource(name: Name, versioning: NewVersioning, env: Env = DEFAULT_ENV) -> ChangeResult:
        """Propose changing a Cloud Storage bucket that Olympus manages, in place: its versioning."""
        result = update(cloud=Cloud.GCP, kind=ResourceKind.BUCKET, name=name, env=env, versioning=versioning)
        return ChangeResult.model_validate(result)

    return {fn.__name__: Tool(fn.__name__, fn, changes=True) for fn in (update_aws_resource, update_gcp_resource)}

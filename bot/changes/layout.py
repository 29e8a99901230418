"""Where a request's files live in the platform teams' layout, and which region its resource lands in."""

from __future__ import annotations

from dataclasses import dataclass

from bot.changes import locate
from bot.changes.locate import TfDir
from bot.changes.resource_kinds import DEFAULT_REGIONS, PROVIDER_NAMES, KindSpec
from bot.domain.models import Cloud, Refusal, ResourceRequest
from bot.domain.naming import slug


@dataclass(frozen=True)
class Layout:
    """Where one request's files live.

    infra/<cloud>/modules/<module>/                the kind's shared module
    infra/<cloud>/envs/<env>/<module>_<slug>.tf    the resource's own `module "<module>_<slug>"` call
    """

    spec: KindSpec
    request: ResourceRequest

    @property
    def cloud_dir(self) -> str:
        return f"infra/{self.request.cloud.value}"

    @property
    def envs_dir(self) -> str:
        return f"{self.cloud_dir}/envs"

    @property
    def env_dir(self) -> str:
        return f"{self.envs_dir}/{self.request.env}"

    @property
    def module_dir(self) -> str:
        return f"{self.cloud_dir}/modules/{self.spec.module}"

    @property
    def module_source(self) -> str:
        return f"../../modules/{self.spec.module}"

    @property
    def module_name(self) -> str:
        return f"{self.spec.module}_{slug(self.request.name)}"

    @property
    def call_path(self) -> str:
        return f"{self.env_dir}/{self.module_name}.tf"


def resource_region(layout: Layout, env: TfDir) -> str | Refusal:
    """The region a request's resource lands in: the request's, checked against the env's, or the env's."""
    request = layout.request
    declared = locate.variable(env, "region")
    default, location = declared if declared else (None, "")
    env_region = default.string() if default is not None else None
    if env_region is None:
        provider_region = locate.provider_attribute(env, PROVIDER_NAMES[request.cloud], "region")
        if provider_region is not None and provider_region[0].string():
            env_region, location = provider_region[0].string(), provider_region[1]
    # AWS resources land in the provider's region; a GCS bucket names its own location, so it may differ.
    if request.region and env_region and request.region != env_region and request.cloud is Cloud.AWS:
        return Refusal(
            message=f"Env {request.env} deploys to {env_region}, not {request.region}.",
            hint=f"Ask again with region={env_region}, or in an env whose region is {request.region}.",
            location=location,
        )
    return request.region or env_region or DEFAULT_REGIONS[request.cloud]

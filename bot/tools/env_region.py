"""The region an env's Terraform pins: what a create tool's region is when the caller leaves it out."""

from __future__ import annotations

from bot.domain.commands.requests import env_problems
from bot.domain.models import Cloud, Refusal, ResourceKind, ResourceRequest
from bot.ports import RepoReader

__all__ = ["env_region"]


def env_region(repo: RepoReader, cloud: Cloud, kind: ResourceKind, name: str, env: str) -> str:
    """The region the change generator gives a request that names none: the env's (its `region` variable's default,
    else its provider's `region`), else the cloud's default; "" when the env cannot be read, for the domain's default.

    Asked of the generator's own reader (bot/changes/layout.py), so the default a tool applies is the one the generated
    Terraform deploys to, and never the region the generator would then refuse as not the env's.
    """
    if env_problems(env):
        return ""  # not an env name: the domain's check says so, and no directory is read for it
    # Imported on first use, as the generator is (change_tools._terraform_propose): a listing of tools never needs it.
    from bot.changes import locate
    from bot.changes.clusters import cluster_spec
    from bot.changes.layout import Layout, resource_region
    from bot.changes.resource_kinds import spec_for

    spec = spec_for(cloud, kind) or cluster_spec(cloud, kind)
    if spec is None:
        return ""
    layout = Layout(spec, ResourceRequest("create", cloud, kind, name, env))
    tf_dir = locate.read_dir(repo, layout.env_dir)
    if isinstance(tf_dir, Refusal):
        return ""  # a file Terraform cannot read either: the generator refuses the request and says which
    region = resource_region(layout, tf_dir)
    return "" if isinstance(region, Refusal) else region

"""The resources Olympus manages in a repository: the module calls it generated in each env's directory."""

from __future__ import annotations

from bot.domain.models import Refusal
from bot.ports import RepoReader
from bot.tools.change_tools import ToolRefused
from bot.tools.state_results import ManagedResource

__all__ = ["managed_resources"]


def managed_resources(repo: RepoReader) -> list[ManagedResource]:
    """Every generated module call (its `source` the kind's shared module, bot/changes/layout.py) with its name;
    ToolRefused when an env's Terraform cannot be read."""
    # Imported on first use, as the generators are: a listing of tools never needs them.
    from bot.changes import locate
    from bot.changes.resource_kinds import SPECS

    found: list[ManagedResource] = []
    dirs: dict[str, locate.TfDir] = {}
    for spec in SPECS.values():
        # Layout: infra/<cloud>/envs/<env>/<module>_<slug>.tf calls ../../modules/<module>.
        source = f"../../modules/{spec.module}"
        for env_dir in locate.child_dirs(repo, f"infra/{spec.cloud.value}/envs"):
            if env_dir not in dirs:
                read = locate.read_dir(repo, env_dir)
                if isinstance(read, Refusal):
                    raise ToolRefused(read.message)
                dirs[env_dir] = read
            for file, block in dirs[env_dir].blocks("module"):
                called = block.attributes.get("source")
                named = block.attributes.get(spec.name_argument)
                if not block.labels or called is None or called.string() != source or named is None:
                    continue
                found.append(
                    ManagedResource(
                        cloud=spec.cloud.value,
                        kind=spec.kind.value,
                        name=named.string() or "",
                        env=env_dir.rsplit("/", 1)[-1],
                        address=f"module.{block.labels[0]}",
                        location=f"{file.path}:{block.line}",
                    )
                )
    return sorted(found, key=lambda resource: (resource.cloud, resource.env, resource.kind, resource.name))

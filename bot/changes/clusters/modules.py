"""The network and cluster modules' files, written once into infra/<cloud>/modules/, for the env's provider."""

from __future__ import annotations

from dataclasses import dataclass

from bot.changes import hcl_render
from bot.changes.clusters.rendering import render
from bot.changes.clusters.spec import NETWORK_MODULE
from bot.changes.provider_pins import ProviderChoice
from bot.changes.resource_kinds import PROVIDER_NAMES
from bot.changes.scaffold import MODULE_REQUIRED_VERSION
from bot.domain.models import Cloud, FileChange

__all__ = ["ModuleChoice", "module_choice", "module_files"]


@dataclass(frozen=True)
class ModuleChoice:
    """How one module's templates render for a provider version, and the versions the result works with."""

    constraint: str
    context: dict[str, object]


def module_choice(cloud: Cloud, module: str, provider: ProviderChoice) -> ModuleChoice:
    if cloud is Cloud.GCP:
        # deletion_protection and the logging/monitoring config blocks as written here need google >= 5.
        return ModuleChoice(">= 5.0", {})
    if module == NETWORK_MODULE:
        # An EIP's `vpc = true` is deprecated in hashicorp/aws 5 for `domain = "vpc"`, which 3.x does not know.
        if provider.major >= 5:
            return ModuleChoice(">= 5.0", {"eip_domain": True})
        return ModuleChoice(">= 3.38, < 5.0", {"eip_domain": False})
    return ModuleChoice(">= 3.38", {})


def module_files(cloud: Cloud, module: str, provider: ProviderChoice, module_dir: str) -> tuple[FileChange, ...]:
    """main.tf, variables.tf, outputs.tf and versions.tf of the `module` (network, eks or gke) of `cloud`."""
    choice = module_choice(cloud, module, provider)
    base = f"{cloud.value}/{module}"
    versions = hcl_render.render(
        "terraform/versions.tf.j2",
        {
            "required_version": MODULE_REQUIRED_VERSION,
            "provider_name": PROVIDER_NAMES[cloud],
            "provider_source": provider.source,
            "provider_constraint": choice.constraint,
        },
    )
    return (
        FileChange(f"{module_dir}/main.tf", render(f"{base}/main.tf.j2", choice.context)),
        FileChange(f"{module_dir}/variables.tf", render(f"{base}/variables.tf.j2", {})),
        FileChange(f"{module_dir}/outputs.tf", render(f"{base}/outputs.tf.j2", {})),
        FileChange(f"{module_dir}/versions.tf", versions),
    )

"""The files Olympus writes once: an env's root-module skeleton and a kind's reusable module."""

from __future__ import annotations

from dataclasses import dataclass

from bot.changes.hcl_render import render
from bot.changes.provider_pins import ProviderChoice
from bot.changes.resource_kinds import PROVIDER_NAMES, KindSpec
from bot.domain.backends import BACKEND_FILE, BackendSettings, backend_hcl
from bot.domain.models import Cloud, FileChange

DEFAULT_REQUIRED_VERSION = ">= 1.6"
MODULE_REQUIRED_VERSION = ">= 1.3"
LAMBDA_PACKAGES_FILE = "lambda_packages.tf"
LAMBDA_PACKAGE_VARIABLE = "lambda_package_bucket"

_TEMPLATES = "terraform"


@dataclass(frozen=True)
class ModuleVariant:
    """Which template of a module suits the provider, and the provider versions that template works with."""

    main_template: str
    constraint: str
    style: str  # one line for reviewers: how the module configures things with this provider


def module_variant(spec: KindSpec, provider: ProviderChoice) -> ModuleVariant:
    base = f"{_TEMPLATES}/modules/{spec.cloud.value}/{spec.module}"
    if spec.module == "s3_bucket":
        if provider.major < 4:
            return ModuleVariant(
                f"{base}/main_v3.tf.j2",
                ">= 3.38, < 4.0",
                "hashicorp/aws < 4: versioning, encryption, logging and lifecycle are inline blocks of aws_s3_bucket",
            )
        return ModuleVariant(
            f"{base}/main_v4.tf.j2",
            ">= 4.0",
            "hashicorp/aws >= 4: versioning, encryption, logging and lifecycle are separate aws_s3_bucket_* resources",
        )
    if spec.cloud is Cloud.GCP:
        return ModuleVariant(f"{base}/main.tf.j2", ">= 5.0", "")
    return ModuleVariant(f"{base}/main.tf.j2", ">= 3.38", "")


def module_files(spec: KindSpec, provider: ProviderChoice, module_dir: str) -> tuple[FileChange, ...]:
    """main.tf, variables.tf, outputs.tf and versions.tf of a kind's module, for this provider version."""
    variant = module_variant(spec, provider)
    base = f"{_TEMPLATES}/modules/{spec.cloud.value}/{spec.module}"
    versions = render(
        f"{_TEMPLATES}/versions.tf.j2",
        {
            "required_version": MODULE_REQUIRED_VERSION,
            "provider_name": PROVIDER_NAMES[spec.cloud],
            "provider_source": spec.provider.source,
            "provider_constraint": variant.constraint,
        },
    )
    return (
        FileChange(f"{module_dir}/main.tf", render(variant.main_template, {})),
        FileChange(f"{module_dir}/variables.tf", render(f"{base}/variables.tf.j2", {})),
        FileChange(f"{module_dir}/outputs.tf", render(f"{base}/outputs.tf.j2", {})),
        FileChange(f"{module_dir}/versions.tf", versions),
    )


def env_files(
    cloud: Cloud,
    env: str,
    env_dir: str,
    region: str,
    provider: ProviderChoice,
    required_version: str | None,
    backend: BackendSettings | None = None,
) -> tuple[FileChange, ...]:
    """versions.tf, providers.tf, backend.tf (partial) and variables.tf of a new env's root module, and its
    backend.hcl when the repository says where state lives (`olympus init`)."""
    base = f"{_TEMPLATES}/env/{cloud.value}"
    stored = backend if backend is not None and not backend.is_sandbox else None
    # State may live in another cloud than the env's resources: the backend block follows the settings.
    backend_cloud = {"s3": "aws", "gcs": "gcp"}[stored.type] if stored else cloud.value
    versions = render(
        f"{_TEMPLATES}/versions.tf.j2",
        {
            "required_version": required_version or DEFAULT_REQUIRED_VERSION,
            "provider_name": PROVIDER_NAMES[cloud],
            "provider_source": provider.source,
            "provider_constraint": provider.constraint,
        },
    )
    files = (
        FileChange(f"{env_dir}/versions.tf", versions),
        FileChange(f"{env_dir}/providers.tf", render(f"{base}/providers.tf.j2", {"env": env})),
        FileChange(f"{env_dir}/backend.tf", render(f"{_TEMPLATES}/env/{backend_cloud}/backend.tf.j2", {})),
        FileChange(f"{env_dir}/variables.tf", render(f"{base}/variables.tf.j2", {"region": region})),
    )
    if stored is None:
        return files
    return (*files, FileChange(f"{env_dir}/{BACKEND_FILE}", backend_hcl(stored, env_dir)))


def lambda_packages_file(env_dir: str) -> FileChange:
    """The env variable naming the bucket CI uploads Lambda packages to, added with an env's first function."""
    return FileChange(f"{env_dir}/{LAMBDA_PACKAGES_FILE}", render(f"{_TEMPLATES}/env/aws/lambda_packages.tf.j2", {}))


def module_call(
    module_name: str,
    source: str,
    arguments: tuple[tuple[str, object], ...],
    checkov_skips: tuple[tuple[str, str], ...] = (),
    trivy_ignores: tuple[tuple[str, str], ...] = (),
) -> str:
    """One `module` block calling a kind's module, with any inline scanner skips and their reasons."""
    for check_id, reason in (*checkov_skips, *trivy_ignores):
        # Skips are Olympus's own fixed texts; a line break would end the comment and start configuration.
        if "\n" in check_id + reason or "\r" in check_id + reason:
            raise ValueError(f"a scanner skip must stay on one line: {check_id!r}")
    comments = [f"{check_id}: {reason}" for check_id, reason in trivy_ignores]
    return render(
        f"{_TEMPLATES}/module_call.tf.j2",
        {
            "comments": comments,
            "trivy_ignores": [check_id for check_id, _reason in trivy_ignores],
            "module_name": module_name,
            "checkov_skips": list(checkov_skips),
            "source": source,
            "arguments": list(arguments),
        },
    )

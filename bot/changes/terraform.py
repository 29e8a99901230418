"""Request → ChangeSet for Terraform: one module call per resource in its env, modules and envs scaffolded once.

Layout (the platform teams' convention):
    infra/<cloud>/modules/<module>/   main.tf, variables.tf, outputs.tf, versions.tf; written only when missing
    infra/<cloud>/envs/<env>/         versions.tf, providers.tf, backend.tf (partial), variables.tf when new,
                                      then `<module>_<slug>.tf` holding `module "<module>_<slug>"` per resource

ChangeSet convention: `FileChange(path, content="")` (DELETE) means "delete this file"; destroy is exactly that,
for the resource's module-call file. Update (update.py) rewrites that call's given arguments in place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.changes import change_text, clusters, locate
from bot.changes.access_logging import access_logging
from bot.changes.destroy import DELETE, destroy
from bot.changes.hcl_render import Reference
from bot.changes.layout import Layout, resource_region
from bot.changes.locate import Definition, TfDir
from bot.changes.provider_pins import ProviderChoice, choose, narrow
from bot.changes.resource_kinds import spec_for
from bot.changes.resource_options import VERSIONING_SKIPS, OptionProblem, Settings, settings_for
from bot.changes.scaffold import (
    LAMBDA_PACKAGE_VARIABLE,
    env_files,
    lambda_packages_file,
    module_call,
    module_files,
    module_variant,
)
from bot.changes.update import update
from bot.changes.version_constraints import Version
from bot.domain.backends import BackendSettings
from bot.domain.models import ChangeSet, Cloud, FileChange, Refusal, ResourceKind, ResourceRequest
from bot.domain.repo_config import CONFIG_PATH, ConfigErrors, load_repo_config
from bot.ports import RepoReader

__all__ = ["DELETE", "Installable", "propose"]

# The provider versions the configured Terraform can install, by source ("hashicorp/aws" → [(3, 39, 0)]).
Installable = Callable[[str], Sequence[Version]]

_SAFE_SEGMENT = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_LOG_TARGET_SKIPS = {
    Cloud.AWS: (("CKV_AWS_145", "log bucket: S3 server access log delivery writes only to SSE-S3 buckets"),),
    Cloud.GCP: (),
}


def propose(repo: RepoReader, request: ResourceRequest, installable: Installable | None = None) -> ChangeSet | Refusal:
    """The files that create, update or destroy `request`'s resource, or why Olympus will not.

    `installable` lists the provider versions the configured Terraform can install (source → versions); a new env
    whose repository pins nothing targets the newest of them.
    """
    if request.kind is ResourceKind.CLUSTER:
        # A cluster is two modules (its network and itself): its own package generates it.
        return clusters.propose(repo, request, installable)
    spec = spec_for(request.cloud, request.kind)
    if spec is None:
        supported = ", ".join(f"{kind.value}" for cloud, kind in _supported() if cloud is request.cloud)
        return Refusal(
            message=f"Olympus does not generate {request.kind.value}s on {request.cloud.value} yet.",
            hint=f"On {request.cloud.value} it creates: {supported}.",
        )
    if not _SAFE_SEGMENT.match(request.env):
        return Refusal(
            message=f"{request.env!r} is not an env name.",
            hint="Env names are lowercase letters, digits, - and _, like dev or prod-eu.",
        )
    layout = Layout(spec, request)
    env = locate.read_dir(repo, layout.env_dir)
    if isinstance(env, Refusal):
        return env
    if request.action == "create":
        return _create(repo, layout, env, installable)
    if request.action == "update":
        return update(repo, layout, env)
    if request.action == "destroy":
        return destroy(repo, layout, env)
    return Refusal(message=f"Unknown action {request.action!r}.", hint="Ask to create, update or destroy a resource.")


def _supported() -> list[tuple[Cloud, ResourceKind]]:
    return [(cloud, kind) for cloud in Cloud for kind in ResourceKind if spec_for(cloud, kind) is not None]


# -- create ----------------------------------------------------------------------------------------------------


def _create(repo: RepoReader, layout: Layout, env: TfDir, installable: Installable | None) -> ChangeSet | Refusal:
    spec, request = layout.spec, layout.request
    siblings = _sibling_envs(repo, layout)
    module_dir = locate.read_dir(repo, layout.module_dir)
    if isinstance(module_dir, Refusal):
        return module_dir
    backend = _configured_backend(repo)
    if isinstance(backend, Refusal):
        return backend
    source = spec.provider.source
    provider = _provider(layout, env, module_dir, siblings, (lambda: installable(source)) if installable else None)
    if isinstance(provider, Refusal):
        return provider
    region = resource_region(layout, env)
    if isinstance(region, Refusal):
        return region
    existing = locate.module_call(env, layout.module_name)
    settings = settings_for(spec, request, provider)
    if isinstance(settings, OptionProblem):
        if existing is not None and not request.options:
            # Asking again for something that exists, with no settings: nothing to default, nothing to change.
            return _already_there(layout, existing, (), region)
        return Refusal(message=settings.message, hint=settings.hint)
    if existing is not None:
        return _already_there(layout, existing, settings.requested, region)
    if repo.read_text(layout.call_path) is not None:
        return Refusal(
            message=f"{layout.call_path} already exists but does not call module {layout.module_name}.",
            hint="Rename or remove that file, or pick another name.",
            location=layout.call_path,
        )
    taken = _name_taken(layout, env, siblings)
    if taken is not None:
        return taken

    call = _call(layout, env, settings, region)
    files: list[FileChange] = []
    if not env.exists:
        required = next((version for sibling in siblings if (version := locate.required_version(sibling))), None)
        files += env_files(request.cloud, request.env, layout.env_dir, region, provider, required, backend)
    if module_dir.exists:
        missing = _missing_variables(module_dir, call.arguments)
        if missing is not None:
            return missing
    else:
        files += module_files(spec, provider, layout.module_dir)
    files += call.extra_files

    content = module_call(
        layout.module_name, layout.module_source, call.arguments, call.checkov_skips, call.trivy_ignores
    )
    files.append(FileChange(layout.call_path, content))
    variant = module_variant(spec, provider)
    module_text = next((f.content for f in files if f.path == f"{layout.module_dir}/main.tf"), None)
    if module_text is None:
        module_text = repo.read_text(f"{layout.module_dir}/main.tf") or ""
    return ChangeSet(
        title=change_text.title("Create", spec, request, region),
        description=change_text.create_description(
            spec=spec,
            request=request,
            region=region,
            provider=provider,
            style=variant.style if not module_dir.exists else "",
            notes=call.notes,
            files=files,
            module_dir=layout.module_dir,
            skips=change_text.inline_skips(content) + change_text.inline_skips(module_text),
        ),
        files=tuple(files),
    )


@dataclass(frozen=True)
class _Call:
    """What goes into the resource's module call, the env files it needs, and what reviewers should know."""

    arguments: tuple[tuple[str, object], ...]
    checkov_skips: tuple[tuple[str, str], ...] = ()
    trivy_ignores: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    extra_files: tuple[FileChange, ...] = ()


def _call(layout: Layout, env: TfDir, settings: Settings, region: str) -> _Call:
    spec, request = layout.spec, layout.request
    arguments: list[tuple[str, object]] = [(spec.name_argument, request.name)]
    if spec.cloud is Cloud.GCP:
        arguments.append(("location", region))
    arguments += settings.arguments
    checkov_skips: list[tuple[str, str]] = []
    trivy_ignores: list[tuple[str, str]] = []
    notes = list(settings.notes)
    extra_files: list[FileChange] = []
    if dict(settings.arguments).get("versioning") is False:
        checks, ignores = VERSIONING_SKIPS[spec.cloud]
        checkov_skips += checks
        trivy_ignores += ignores
    if request.kind is ResourceKind.BUCKET:
        logging = access_logging(layout, env)
        arguments += logging.arguments
        checkov_skips += _LOG_TARGET_SKIPS[spec.cloud] if logging.is_target else ()
        notes.append(logging.note)
    if request.kind is ResourceKind.FUNCTION:
        arguments += [
            ("package_s3_bucket", Reference(f"var.{LAMBDA_PACKAGE_VARIABLE}")),
            ("package_s3_key", f"{request.name}/package.zip"),
        ]
        if locate.variable(env, LAMBDA_PACKAGE_VARIABLE) is None:
            extra_files.append(lambda_packages_file(layout.env_dir))
        notes.append(
            f"Code: CI uploads the package to s3://<{LAMBDA_PACKAGE_VARIABLE}>/{request.name}/package.zip before "
            f"the apply (Lambda reads it when it creates the function); set {LAMBDA_PACKAGE_VARIABLE} for the env."
        )
    return _Call(tuple(arguments), tuple(checkov_skips), tuple(trivy_ignores), tuple(notes), tuple(extra_files))


def _configured_backend(repo: RepoReader) -> BackendSettings | None | Refusal:
    """Where `.olympus.yaml` says state lives (None: nowhere); a broken file is refused with its mistakes."""
    config = load_repo_config(repo.read_text)
    if isinstance(config, ConfigErrors):
        return Refusal(
            message="The repository configuration has mistakes:\n" + config.render(),
            hint="Fix each one in .olympus.yaml, then ask again.",
            location=CONFIG_PATH,
        )
    return config.backend if config is not None else None


def _provider(
    layout: Layout,
    env: TfDir,
    module_dir: TfDir,
    siblings: list[TfDir],
    installable: Callable[[], Sequence[Version]] | None,
) -> ProviderChoice | Refusal:
    policy = layout.spec.provider
    choice = choose(policy, env.parsed(), {sibling.path: sibling.parsed() for sibling in siblings}, installable)
    if isinstance(choice, Refusal) or not module_dir.exists:
        return choice
    # Terraform also honours the module's own constraint: the version must suit both.
    return narrow(choice, policy, module_dir.parsed())


def _sibling_envs(repo: RepoReader, layout: Layout) -> list[TfDir]:
    """The other envs of the same cloud that Olympus can read (an unreadable one is not this request's business)."""
    siblings: list[TfDir] = []
    for path in locate.child_dirs(repo, layout.envs_dir):
        if path == layout.env_dir:
            continue
        sibling = locate.read_dir(repo, path)
        if isinstance(sibling, TfDir) and sibling.exists:
            siblings.append(sibling)
    return siblings


def _already_there(
    layout: Layout, existing: Definition, requested: tuple[tuple[str, object], ...], region: str
) -> ChangeSet | Refusal:
    spec, request = layout.spec, layout.request
    name_attribute = existing.block.attributes.get(spec.name_argument)
    existing_name = name_attribute.string() if name_attribute else None
    if existing_name != request.name:
        return Refusal(
            message=(
                f"module {layout.module_name} already exists for "
                f"{existing_name or 'something else'}, not {request.name}."
            ),
            hint="Names that differ only in punctuation share a module name; pick a name that differs in letters.",
            location=existing.location,
        )
    differences = []
    for argument, wanted in requested:
        attribute = existing.block.attributes.get(argument)
        found = attribute.value if attribute is not None and attribute.is_literal else None
        if found != wanted:
            shown = attribute.expr if attribute is not None else "(not set)"
            differences.append(f"{argument} = {shown}, not {change_text.hcl_literal(wanted)}")
    if differences:
        return Refusal(
            message=(
                f"{spec.label} {request.name} already exists in {request.env} with different settings: "
                + "; ".join(differences)
                + "."
            ),
            hint=f"To change it, ask `/infra update {request.kind.value} {request.name} ...` with the settings to "
            f"change (or edit {existing.path} in a pull request).",
            location=existing.location,
        )
    return ChangeSet(
        title=change_text.title("Create", spec, request, region),
        description=change_text.unchanged_description(spec, request, existing.location),
        unchanged=True,
    )


def _name_taken(layout: Layout, env: TfDir, siblings: list[TfDir]) -> Refusal | None:
    spec, request = layout.spec, layout.request
    found = locate.named(env, spec.naming, request.name)
    if found:
        first = found[0]
        return Refusal(
            message=(
                f"{request.name} is already defined in {request.env} by {first.address} "
                f"({first.location}), outside Olympus's module call."
            ),
            hint="Manage it where it is, or pick another name.",
            location=first.location,
        )
    if spec.globally_unique:
        for sibling in siblings:
            elsewhere = locate.named(sibling, spec.naming, request.name)
            if elsewhere:
                return Refusal(
                    message=(
                        f"{spec.label} names are global, and {request.name} is already defined by "
                        f"{elsewhere[0].address} in {elsewhere[0].location}."
                    ),
                    hint="Pick another name, for example one that starts with the env's name.",
                    location=elsewhere[0].location,
                )
    return None


def _missing_variables(module_dir: TfDir, arguments: tuple[tuple[str, object], ...]) -> Refusal | None:
    missing = sorted({name for name, _value in arguments} - locate.declared_variables(module_dir))
    if not missing:
        return None
    return Refusal(
        message=f"{module_dir.path} exists but does not declare the variables Olympus passes: {', '.join(missing)}.",
        hint="Olympus scaffolds a module only when it is missing: add those variables, or move the module aside.",
        location=module_dir.files[0].path if module_dir.files else module_dir.path,
    )

"""Request → ChangeSet for Terraform: one module call per resource in its env, modules and envs scaffolded once.

Layout (the platform teams' convention):
    infra/<cloud>/modules/<module>/   main.tf, variables.tf, outputs.tf, versions.tf; written only when missing
    infra/<cloud>/envs/<env>/         versions.tf, providers.tf, backend.tf (partial), variables.tf when new,
                                      then `<module>_<slug>.tf` holding `module "<module>_<slug>"` per resource

ChangeSet convention: `FileChange(path, content="")` (DELETE) means "delete this file"; destroy is exactly that,
for the resource's module-call file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.changes import change_text, locate
from bot.changes.hcl_render import Reference
from bot.changes.locate import Definition, TfDir
from bot.changes.provider_pins import ProviderChoice, choose, narrow
from bot.changes.resource_kinds import DEFAULT_REGIONS, PROVIDER_NAMES, KindSpec, spec_for
from bot.changes.resource_options import OptionProblem, Settings, settings_for
from bot.changes.scaffold import (
    LAMBDA_PACKAGE_VARIABLE,
    env_files,
    lambda_packages_file,
    module_call,
    module_files,
    module_variant,
)
from bot.domain.models import ChangeSet, Cloud, FileChange, Refusal, ResourceKind, ResourceRequest
from bot.domain.naming import slug
from bot.ports import RepoReader

__all__ = ["DELETE", "propose"]

# The content of a FileChange that deletes its file.
DELETE = ""

_SAFE_SEGMENT = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# A bucket whose name says it holds logs receives the env's access logs (and does not log itself).
_LOG_WORDS = {"log", "logs", "logging", "accesslogs", "auditlogs"}
_LOG_OUTPUT = {Cloud.AWS: "bucket_id", Cloud.GCP: "bucket_name"}
_VERSIONING_SKIPS = {
    Cloud.AWS: ((("CKV_AWS_21", "versioning=off was requested"),), (("AVD-AWS-0090", "versioning=off was requested"),)),
    Cloud.GCP: ((("CKV_GCP_78", "versioning=off was requested"),), ()),
}
_LOG_TARGET_SKIPS = {
    Cloud.AWS: (("CKV_AWS_145", "log bucket: S3 server access log delivery writes only to SSE-S3 buckets"),),
    Cloud.GCP: (),
}


@dataclass(frozen=True)
class Target:
    """Where one request's files live."""

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


def propose(repo: RepoReader, request: ResourceRequest) -> ChangeSet | Refusal:
    """The files that create or destroy `request`'s resource, or why Olympus will not."""
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
    target = Target(spec, request)
    env = locate.read_dir(repo, target.env_dir)
    if isinstance(env, Refusal):
        return env
    if request.action == "create":
        return _create(repo, target, env)
    if request.action == "destroy":
        return _destroy(repo, target, env)
    return Refusal(message=f"Unknown action {request.action!r}.", hint="Ask to create or destroy a resource.")


def _supported() -> list[tuple[Cloud, ResourceKind]]:
    return [(cloud, kind) for cloud in Cloud for kind in ResourceKind if spec_for(cloud, kind) is not None]


# -- create ----------------------------------------------------------------------------------------------------


def _create(repo: RepoReader, target: Target, env: TfDir) -> ChangeSet | Refusal:
    spec, request = target.spec, target.request
    siblings = _sibling_envs(repo, target)
    module_dir = locate.read_dir(repo, target.module_dir)
    if isinstance(module_dir, Refusal):
        return module_dir
    provider = _provider(target, env, module_dir, siblings)
    if isinstance(provider, Refusal):
        return provider
    settings = settings_for(spec, request, provider)
    if isinstance(settings, OptionProblem):
        return Refusal(message=settings.message, hint=settings.hint)
    region = _region(target, env)
    if isinstance(region, Refusal):
        return region

    existing = locate.module_call(env, target.module_name)
    if existing is not None:
        return _already_there(target, existing, settings, region)
    if repo.read_text(target.call_path) is not None:
        return Refusal(
            message=f"{target.call_path} already exists but does not call module {target.module_name}.",
            hint="Rename or remove that file, or pick another name.",
            location=target.call_path,
        )
    taken = _name_taken(target, env, siblings)
    if taken is not None:
        return taken

    files: list[FileChange] = []
    notes = list(settings.notes)
    if not env.exists:
        required = next((version for sibling in siblings if (version := locate.required_version(sibling))), None)
        files += env_files(request.cloud, request.env, target.env_dir, region, provider, required)
    if module_dir.exists:
        missing = _missing_variables(module_dir, settings, target)
        if missing is not None:
            return missing
    else:
        files += module_files(spec, provider, target.module_dir)

    arguments: list[tuple[str, object]] = [(spec.name_argument, request.name)]
    if spec.cloud is Cloud.GCP:
        arguments.append(("location", region))
    arguments += settings.arguments
    checkov_skips: list[tuple[str, str]] = []
    trivy_ignores: list[tuple[str, str]] = []
    if dict(settings.arguments).get("versioning") is False:
        checks, ignores = _VERSIONING_SKIPS[spec.cloud]
        checkov_skips += checks
        trivy_ignores += ignores
    if request.kind is ResourceKind.BUCKET:
        logging = _access_logging(target, env)
        arguments += logging.arguments
        checkov_skips += _LOG_TARGET_SKIPS[spec.cloud] if logging.is_target else ()
        notes.append(logging.note)
    if request.kind is ResourceKind.FUNCTION:
        arguments += [
            ("package_s3_bucket", Reference(f"var.{LAMBDA_PACKAGE_VARIABLE}")),
            ("package_s3_key", f"{request.name}/package.zip"),
        ]
        if locate.variable(env, LAMBDA_PACKAGE_VARIABLE) is None:
            files.append(lambda_packages_file(target.env_dir))

    content = module_call(
        target.module_name, target.module_source, tuple(arguments), tuple(checkov_skips), tuple(trivy_ignores)
    )
    files.append(FileChange(target.call_path, content))
    variant = module_variant(spec, provider)
    module_text = next((f.content for f in files if f.path == f"{target.module_dir}/main.tf"), None)
    if module_text is None:
        module_text = repo.read_text(f"{target.module_dir}/main.tf") or ""
    return ChangeSet(
        title=change_text.title("Create", spec, request, region),
        description=change_text.create_description(
            spec=spec,
            request=request,
            region=region,
            provider=provider,
            style=variant.style if not module_dir.exists else "",
            notes=notes,
            files=files,
            new_env=not env.exists,
            module_dir=target.module_dir,
            skips=change_text.inline_skips(content) + change_text.inline_skips(module_text),
        ),
        files=tuple(files),
    )


def _provider(target: Target, env: TfDir, module_dir: TfDir, siblings: list[TfDir]) -> ProviderChoice | Refusal:
    policy = target.spec.provider
    choice = choose(policy, env.parsed(), {sibling.path: sibling.parsed() for sibling in siblings})
    if isinstance(choice, Refusal) or not module_dir.exists:
        return choice
    # Terraform also honours the module's own constraint: the version must suit both.
    return narrow(choice, policy, module_dir.parsed())


def _sibling_envs(repo: RepoReader, target: Target) -> list[TfDir]:
    """The other envs of the same cloud that Olympus can read (an unreadable one is not this request's business)."""
    siblings: list[TfDir] = []
    for path in locate.child_dirs(repo, target.envs_dir):
        if path == target.env_dir:
            continue
        sibling = locate.read_dir(repo, path)
        if isinstance(sibling, TfDir) and sibling.exists:
            siblings.append(sibling)
    return siblings


def _region(target: Target, env: TfDir) -> str | Refusal:
    """The env's region: what it declares, checked against what the request asks for."""
    request = target.request
    declared = locate.variable(env, "region")
    default, location = declared if declared else (None, "")
    env_region = default.string() if default is not None else None
    if env_region is None:
        provider_region = locate.provider_attribute(env, PROVIDER_NAMES[request.cloud], "region")
        if provider_region is not None and provider_region[0].string():
            env_region, location = provider_region[0].string(), provider_region[1]
    if request.region and env_region and request.region != env_region:
        return Refusal(
            message=f"Env {request.env} deploys to {env_region}, not {request.region}.",
            hint=f"Ask again with region={env_region}, or in an env whose region is {request.region}.",
            location=location,
        )
    return request.region or env_region or DEFAULT_REGIONS[request.cloud]


def _already_there(target: Target, existing: Definition, settings: Settings, region: str) -> ChangeSet | Refusal:
    spec, request = target.spec, target.request
    name_attribute = existing.block.attributes.get(spec.name_argument)
    existing_name = name_attribute.string() if name_attribute else None
    if existing_name != request.name:
        return Refusal(
            message=(
                f"module {target.module_name} already exists for "
                f"{existing_name or 'something else'}, not {request.name}."
            ),
            hint="Names that differ only in punctuation share a module name; pick a name that differs in letters.",
            location=existing.location,
        )
    differences = []
    for argument, wanted in settings.requested:
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
            hint=f"Olympus does not change existing resources: edit {existing.path} in a pull request.",
            location=existing.location,
        )
    return ChangeSet(
        title=change_text.title("Create", spec, request, region),
        description=change_text.unchanged_description(spec, request, existing.location),
        unchanged=True,
    )


def _name_taken(target: Target, env: TfDir, siblings: list[TfDir]) -> Refusal | None:
    spec, request = target.spec, target.request
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


def _missing_variables(module_dir: TfDir, settings: Settings, target: Target) -> Refusal | None:
    needed = {target.spec.name_argument} | {argument for argument, _value in settings.arguments}
    if target.spec.cloud is Cloud.GCP:
        needed.add("location")
    missing = sorted(needed - locate.declared_variables(module_dir))
    if not missing:
        return None
    return Refusal(
        message=(
            f"{module_dir.path} exists but does not declare the variables Olympus passes: {', '.join(missing)}."
        ),
        hint="Olympus scaffolds a module only when it is missing: add those variables, or move the module aside.",
        location=module_dir.files[0].path if module_dir.files else module_dir.path,
    )


@dataclass(frozen=True)
class _AccessLogging:
    arguments: tuple[tuple[str, object], ...]
    note: str
    is_target: bool = False


def looks_like_log_bucket(name: str) -> bool:
    return bool(_LOG_WORDS & set(re.split(r"[-_.]", name)))


def _access_logging(target: Target, env: TfDir) -> _AccessLogging:
    """A log bucket receives the env's access logs; any other bucket logs to the env's log bucket, if it has one."""
    request = target.request
    if looks_like_log_bucket(request.name):
        return _AccessLogging(
            (("access_log_target", True),),
            f"Access logs: {request.name} is named as a log bucket, so it receives the server access logs of "
            f"the env's other buckets and does not log itself (logs of logs would loop). "
            + (
                "Log delivery writes only to SSE-S3 buckets, so it uses SSE-S3 instead of a KMS key. "
                if request.cloud is Cloud.AWS
                else ""
            )
            + "Existing buckets are not changed: set their module's access_log_bucket to start logging.",
            is_target=True,
        )
    log_buckets = sorted(
        block.labels[0]
        for _file, block in env.blocks("module")
        if block.labels
        and (source := block.attributes.get("source")) is not None
        and source.string() == target.module_source
        and (flag := block.attributes.get("access_log_target")) is not None
        and flag.value is True
    )
    if log_buckets:
        reference = Reference(f"module.{log_buckets[0]}.{_LOG_OUTPUT[request.cloud]}")
        return _AccessLogging(
            (("access_log_bucket", reference),),
            f"Access logs: written to the env's log bucket ({reference.expression}).",
        )
    return _AccessLogging(
        (),
        f"Access logs: off — {request.env} has no log bucket yet. Ask for one (a bucket whose name contains "
        "`logs`) and later buckets log to it; the logging check is skipped inline with that reason.",
    )


# -- destroy ---------------------------------------------------------------------------------------------------


def _destroy(repo: RepoReader, target: Target, env: TfDir) -> ChangeSet | Refusal:
    spec, request = target.spec, target.request
    if not env.exists:
        envs = [path.rsplit("/", 1)[-1] for path in locate.child_dirs(repo, target.envs_dir)]
        return Refusal(
            message=f"There is no env {request.env} under {target.envs_dir}.",
            hint=f"Envs: {', '.join(envs)}." if envs else f"{target.envs_dir} holds no envs yet.",
        )
    call = locate.module_call(env, target.module_name)
    call_name = None
    if call is not None and (attribute := call.block.attributes.get(spec.name_argument)) is not None:
        call_name = attribute.string()
    if call is None or call_name != request.name:
        by_hand = locate.named(env, spec.naming, request.name)
        if by_hand:
            return Refusal(
                message=(
                    f"{spec.label} {request.name} is defined by {by_hand[0].address} in {by_hand[0].location}, "
                    "not by an Olympus module call; Olympus removes only the files it wrote."
                ),
                hint=f"Remove it from {by_hand[0].path} in a pull request.",
                location=by_hand[0].location,
            )
        existing = locate.names(env, spec.naming)
        listing = ", ".join(existing) if existing else "none"
        return Refusal(
            message=f"There is no {spec.label} {request.name} in {request.env}.",
            hint=f"{spec.plural} in {request.env}: {listing}.",
        )
    if call.path != target.call_path:
        return Refusal(
            message=(
                f"module {target.module_name} lives in {call.path}, not in its own file {target.call_path}; "
                "Olympus deletes only whole files it wrote."
            ),
            hint=f"Remove the module block from {call.path} in a pull request.",
            location=call.location,
        )
    users = locate.references(env, f"module.{target.module_name}", outside=call.path)
    if users:
        return Refusal(
            message=(
                f"{spec.label} {request.name} is still used: {', '.join(users)} "
                f"refer to module.{target.module_name}."
            ),
            hint="Remove those references first (for a log bucket: the access_log_bucket of buckets logging to it).",
            location=users[0],
        )
    region = _region(target, env)
    if isinstance(region, Refusal):
        return region
    return ChangeSet(
        title=change_text.title("Destroy", spec, request, region),
        description=change_text.destroy_description(spec, request, call.path, target.module_dir),
        files=(FileChange(call.path, DELETE),),
    )

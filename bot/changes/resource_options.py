"""Request options → module arguments, per kind: defaults, limits, and what the pinned provider accepts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.changes.provider_pins import ProviderChoice
from bot.changes.resource_kinds import KindSpec
from bot.changes.version_constraints import Version, format_version
from bot.domain.models import Cloud, ResourceKind, ResourceRequest

DEFAULT_INSTANCE_TYPE = "t3.micro"
DEFAULT_MEMORY_MB = 256
DEFAULT_TIMEOUT_S = 30
MEMORY_RANGE = (128, 10240)  # https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
TIMEOUT_RANGE = (1, 900)

# The scanner checks versioning=off fails, skipped inline with the reason: (Checkov skips, Trivy ignores) per cloud.
VERSIONING_SKIPS = {
    Cloud.AWS: ((("CKV_AWS_21", "versioning=off was requested"),), (("AVD-AWS-0090", "versioning=off was requested"),)),
    Cloud.GCP: ((("CKV_GCP_78", "versioning=off was requested"),), ()),
}

_OPTIONS_BY_KIND = {
    ResourceKind.BUCKET: ("versioning",),
    ResourceKind.INSTANCE: ("instance_type",),
    ResourceKind.FUNCTION: ("runtime", "memory_mb", "timeout_s"),
}

# Runtime → (handler of a fresh package, first hashicorp/aws release that accepts it). The provider checks
# `runtime` against the AWS SDK it was built with, so an older pin rejects newer runtimes at plan time.
# Runtimes AWS has deprecated are left out: https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
LAMBDA_RUNTIMES: dict[str, tuple[str, Version]] = {
    "python3.14": ("app.handler", (6, 20, 0)),
    "python3.13": ("app.handler", (5, 78, 0)),
    "python3.12": ("app.handler", (5, 31, 0)),
    "python3.11": ("app.handler", (5, 12, 0)),
    "python3.10": ("app.handler", (4, 65, 0)),
    "nodejs24.x": ("index.handler", (6, 20, 0)),
    "nodejs22.x": ("index.handler", (5, 78, 0)),
    "nodejs20.x": ("index.handler", (5, 31, 0)),
    "java25": ("example.Handler::handleRequest", (6, 20, 0)),
    "java21": ("example.Handler::handleRequest", (5, 31, 0)),
    "java17": ("example.Handler::handleRequest", (4, 65, 0)),
    "java11": ("example.Handler::handleRequest", (3, 0, 0)),
    "dotnet8": ("Function::Function.Handler::FunctionHandler", (5, 40, 0)),
    "ruby3.3": ("app.handler", (5, 44, 0)),
    "provided.al2023": ("bootstrap", (5, 31, 0)),
    "provided.al2": ("bootstrap", (3, 0, 0)),
}
# Newest first; the default is the newest of these the env's provider accepts.
DEFAULT_RUNTIMES = ("python3.13", "python3.12", "python3.11", "python3.10")

# Instance families that cannot be EBS-optimized, which the module requires.
_NOT_EBS_OPTIMIZABLE = {"t1", "t2", "m1", "m2", "m3", "c1", "c3", "r3", "i2", "hs1", "cc2", "cr1"}
_INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$")
_FAMILY = re.compile(r"^([a-z]+)(\d+)([a-z-]*)$")


@dataclass(frozen=True)
class Settings:
    """Module arguments for one request, which of them the request spelled out, and what to tell reviewers."""

    arguments: tuple[tuple[str, object], ...]
    # The arguments the request asked for explicitly; an existing resource is "the same" when these match.
    requested: tuple[tuple[str, object], ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class OptionProblem:
    """An option Olympus cannot honour: what is wrong and how to fix it."""

    message: str
    hint: str


def settings_for(spec: KindSpec, request: ResourceRequest, provider: ProviderChoice) -> Settings | OptionProblem:
    """The module arguments a request asks for, with defaults filled in and limits checked."""
    allowed = _OPTIONS_BY_KIND[spec.kind]
    unknown = sorted(key for key, _value in request.options if key not in allowed)
    if unknown:
        return OptionProblem(
            f"{', '.join(unknown)} does not apply to {spec.plural}.",
            f"{spec.plural} take: {', '.join(allowed)}.",
        )
    if spec.kind is ResourceKind.BUCKET:
        return _bucket(request)
    if spec.kind is ResourceKind.INSTANCE:
        return _instance(request)
    return _function(request, provider)


def _bucket(request: ResourceRequest) -> Settings | OptionProblem:
    text = request.option("versioning", "on")
    if text not in ("on", "off"):
        return OptionProblem(
            f"versioning={text} is not on or off.", "Ask for versioning=on (the default) or versioning=off."
        )
    versioning = text == "on"
    requested = (("versioning", versioning),) if "versioning" in dict(request.options) else ()
    note = (
        "Versioning: on — overwritten and deleted objects stay recoverable as noncurrent versions."
        if versioning
        else "Versioning: **off**, as requested (versioning=off): overwrites and deletes cannot be undone. "
        "The versioning checks are skipped inline with that reason."
    )
    return Settings((("versioning", versioning),), requested, (note,))


def architecture_of(instance_type: str) -> str:
    """arm64 for Graviton families (a1, t4g, m7g, c6gn, im4gn...), x86_64 for everything else."""
    family = instance_type.split(".", 1)[0]
    match = _FAMILY.match(family)
    if family == "a1" or (match is not None and "g" in match.group(3)):
        return "arm64"
    return "x86_64"


def _instance(request: ResourceRequest) -> Settings | OptionProblem:
    instance_type = request.option("instance_type", DEFAULT_INSTANCE_TYPE)
    if not _INSTANCE_TYPE.match(instance_type):
        return OptionProblem(
            f"instance_type={instance_type} is not an EC2 instance type.",
            "Use a type such as t3.micro, m7i.large or t4g.small.",
        )
    family = instance_type.split(".", 1)[0]
    if family in _NOT_EBS_OPTIMIZABLE:
        return OptionProblem(
            f"{instance_type} cannot be EBS-optimized, and Olympus instances are (Checkov CKV_AWS_135).",
            "Use a current generation instead, such as t3.micro or t4g.micro.",
        )
    architecture = architecture_of(instance_type)
    requested = (("instance_type", instance_type),) if "instance_type" in dict(request.options) else ()
    notes = (f"Instance type: {instance_type} ({architecture}), Amazon Linux 2023, the newest AMI Amazon publishes.",)
    return Settings((("instance_type", instance_type), ("architecture", architecture)), requested, notes)


def _function(request: ResourceRequest, provider: ProviderChoice) -> Settings | OptionProblem:
    accepted = [name for name, (_handler, oldest) in LAMBDA_RUNTIMES.items() if provider.at_least(oldest)]
    runtime = request.option("runtime") or next((name for name in DEFAULT_RUNTIMES if name in accepted), "")
    if not runtime:
        return OptionProblem(
            f"The env runs {provider.describe()}, which accepts no Python Lambda runtime that AWS still supports.",
            f"Ask for runtime={' or runtime='.join(accepted)}, or raise the {provider.source} pin to >= 5.31 "
            "(python3.12) and run `terraform init -upgrade`.",
        )
    if runtime not in LAMBDA_RUNTIMES:
        return OptionProblem(
            f"runtime={runtime} is not a Lambda runtime AWS supports.",
            f"Choose one of: {', '.join(LAMBDA_RUNTIMES)}.",
        )
    handler, oldest = LAMBDA_RUNTIMES[runtime]
    if runtime not in accepted:
        return OptionProblem(
            f"The env runs {provider.describe()}, which rejects runtime {runtime} "
            f"(it needs {provider.source} >= {format_version(oldest)}).",
            f"Ask for runtime={' or runtime='.join(accepted)}, or raise the pin and run `terraform init -upgrade`.",
        )
    numbers: dict[str, int] = {}
    for key, default, (low, high), unit in (
        ("memory_mb", DEFAULT_MEMORY_MB, MEMORY_RANGE, "MB"),
        ("timeout_s", DEFAULT_TIMEOUT_S, TIMEOUT_RANGE, "seconds"),
    ):
        text = request.option(key, str(default))
        if not text.isdigit() or not low <= int(text) <= high:
            return OptionProblem(
                f"{key}={text} is not a whole number from {low} to {high}.",
                f"Lambda allows {low} to {high} {unit}; the default is {default}.",
            )
        numbers[key] = int(text)
    explicit = dict(request.options)
    chosen: tuple[tuple[str, object], ...] = (("runtime", runtime), *numbers.items())
    requested = tuple((key, value) for key, value in chosen if key in explicit)
    notes = (
        f"Runtime {runtime}, handler `{handler}` (edit the module call if the package's entry point differs), "
        f"{numbers['memory_mb']} MB, timeout {numbers['timeout_s']} s.",
    )
    arguments = (
        ("runtime", runtime),
        ("handler", handler),
        ("memory_mb", numbers["memory_mb"]),
        ("timeout_s", numbers["timeout_s"]),
    )
    return Settings(arguments, requested, notes)

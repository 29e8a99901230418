"""Which provider version a Terraform env will run: lock files, `required_providers` constraints, defaults.

Terraform picks the version recorded in `.terraform.lock.hcl` when there is one, and otherwise the
newest release every constraint allows; generated code must suit that version (hashicorp/aws < 4
configures S3 inside `aws_s3_bucket`, >= 4 with separate `aws_s3_bucket_*` resources).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.changes.hcl_reader import Block
from bot.changes.version_constraints import (
    UNBOUNDED,
    Constraint,
    ConstraintError,
    Version,
    format_version,
    parse_version,
)
from bot.domain.models import Refusal

LOCK_FILE = ".terraform.lock.hcl"

_REGISTRY_HOSTS = ("registry.terraform.io/", "registry.opentofu.org/")


@dataclass(frozen=True)
class Pin:
    """One piece of evidence about a provider version: a lock entry or a constraint, and where it is."""

    location: str  # "infra/aws/envs/dev/versions.tf:7"
    constraint: Constraint | None = None
    locked: Version | None = None


@dataclass(frozen=True)
class ProviderChoice:
    """The provider version generated code targets, what to pin in a new env, and why."""

    source: str  # "hashicorp/aws"
    selected: Version  # exact when locked; otherwise the newest release the constraints allow
    locked: bool
    constraint: str  # the `version` to write into a new env's required_providers
    evidence: str  # for people: where the version came from
    location: str = ""  # the file and line of that evidence, when there is one

    @property
    def major(self) -> int:
        return self.selected[0]

    def at_least(self, version: Version) -> bool:
        return self.selected >= version

    def describe(self) -> str:
        if UNBOUNDED in self.selected:
            return f"the newest {self.source} {format_version(self.selected)} ({self.evidence})"
        return f"{self.source} {format_version(self.selected)} ({self.evidence})"


@dataclass(frozen=True)
class ProviderPolicy:
    """Per provider: what to pin when nothing is pinned, and the oldest version the templates support."""

    source: str
    default_constraint: str
    oldest_supported: Version
    why_oldest: str


def normalize_source(source: str) -> str:
    source = source.strip().lower()
    for host in _REGISTRY_HOSTS:
        if source.startswith(host):
            return source[len(host) :]
    return source


def pins_in(path: str, blocks: Iterable[Block], source: str) -> list[Pin]:
    """Constraints and lock entries for `source` in one parsed file (a .tf file or a lock file)."""
    local_name = source.split("/")[-1]
    pins: list[Pin] = []
    for block in blocks:
        if block.type == "provider" and block.labels and path.endswith(LOCK_FILE):
            version = block.attributes.get("version")
            text = version.string() if version else None
            if normalize_source(block.labels[0]) == source and text:
                pins.append(Pin(f"{path}:{block.line}", locked=_version_at(text, path, block.line)))
        elif block.type == "terraform":
            for required in block.child_blocks("required_providers"):
                for name, attribute in required.attributes.items():
                    text = _constraint_text(name, attribute.value, source, local_name)
                    if text is not None:
                        constraint = _constraint_at(text, path, attribute.line)
                        pins.append(Pin(f"{path}:{attribute.line}", constraint=constraint))
        elif block.type == "provider" and block.labels == (local_name,) and source.startswith("hashicorp/"):
            # Terraform < 0.13 style `provider "aws" { version = "..." }`, still honoured with a warning.
            version = block.attributes.get("version")
            text = version.string() if version else None
            if version and text:
                constraint = _constraint_at(text, path, version.line)
                pins.append(Pin(f"{path}:{version.line}", constraint=constraint))
    return pins


def _constraint_text(name: str, value: object, source: str, local_name: str) -> str | None:
    if isinstance(value, str):  # `aws = "~> 3.0"`, the pre-0.13 shorthand
        return value if name == local_name and source.startswith("hashicorp/") else None
    if not isinstance(value, dict):
        return None
    declared = value.get("source")
    declared_source = normalize_source(declared) if isinstance(declared, str) else f"hashicorp/{name}"
    if declared_source != source:
        return None
    version = value.get("version")
    return version if isinstance(version, str) else None


def _constraint_at(text: str, path: str, line: int) -> Constraint:
    try:
        return Constraint.parse(text)
    except ConstraintError as error:
        raise PinError(f"{path}:{line}", str(error)) from error


def _version_at(text: str, path: str, line: int) -> Version:
    try:
        return parse_version(text)[0]
    except ConstraintError as error:
        raise PinError(f"{path}:{line}", str(error)) from error


class PinError(Exception):
    """A constraint or lock entry that cannot be read, and where it is."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message


def choose(
    policy: ProviderPolicy,
    env_files: Mapping[str, Iterable[Block]],
    other_envs: Mapping[str, Mapping[str, Iterable[Block]]],
    installable: Callable[[], Sequence[Version]] | None = None,
) -> ProviderChoice | Refusal:
    """The version an env runs: its own lock, else its own constraints, else its sibling envs', else the newest
    version Terraform can install here (`installable`, asked only then), else the policy's default."""
    try:
        own = [pin for path, blocks in sorted(env_files.items()) for pin in pins_in(path, blocks, policy.source)]
        choice = (
            _from_own(policy, own)
            or _from_siblings(policy, other_envs)
            or _newest_installable(policy, installable() if installable else ())
            or _default(policy)
        )
    except PinError as error:
        return Refusal(
            message=f"Cannot read the {policy.source} version pin: {error.message}.",
            hint="Fix the constraint (for example `~> 5.0` or `>= 4.0, < 6`) and ask again.",
            location=error.location,
        )
    if isinstance(choice, Refusal):
        return choice
    if choice.selected < policy.oldest_supported:
        return Refusal(
            message=(
                f"This env runs {choice.describe()}; Olympus generates code for "
                f"{policy.source} >= {format_version(policy.oldest_supported)} ({policy.why_oldest})."
            ),
            hint=f"Raise the {policy.source} version pin (and run `terraform init -upgrade`), then ask again.",
            location=choice.location,
        )
    return choice


def _from_own(policy: ProviderPolicy, pins: list[Pin]) -> ProviderChoice | Refusal | None:
    constraints = [pin.constraint for pin in pins if pin.constraint is not None]
    where = ", ".join(f"`{pin.constraint.text}` ({pin.location})" for pin in pins if pin.constraint is not None)
    lock = next((pin for pin in pins if pin.locked is not None), None)
    if lock is not None and lock.locked is not None:
        if not all(constraint.allows(lock.locked) for constraint in constraints):
            return Refusal(
                message=(
                    f"{lock.location} locks {policy.source} {format_version(lock.locked)}, "
                    f"which this env's constraints do not allow: {where}."
                ),
                hint="Run `terraform init -upgrade` in the env and commit the new lock file, then ask again.",
                location=lock.location,
            )
        return ProviderChoice(
            source=policy.source,
            selected=lock.locked,
            locked=True,
            constraint=constraints[0].text if constraints else f"~> {lock.locked[0]}.{lock.locked[1]}",
            evidence=f"locked in {lock.location}",
            location=lock.location,
        )
    if not constraints:
        return None
    # Terraform takes the newest release that every constraint allows.
    newest = min(constraint.newest() for constraint in constraints)
    first = next(pin for pin in pins if pin.constraint is not None)
    if not all(constraint.allows(newest) for constraint in constraints):
        return Refusal(
            message=f"No {policy.source} version satisfies every constraint in this env: {where}.",
            hint="Make the constraints agree, then ask again.",
            location=first.location,
        )
    return ProviderChoice(
        source=policy.source,
        selected=newest,
        locked=False,
        constraint=constraints[0].text,
        evidence=f"pinned by `{constraints[0].text}` in {first.location}",
        location=first.location,
    )


def _from_siblings(
    policy: ProviderPolicy, other_envs: Mapping[str, Mapping[str, Iterable[Block]]]
) -> ProviderChoice | None:
    locks: list[tuple[Version, Pin, Constraint | None]] = []
    constraints: list[Pin] = []
    for _env, files in sorted(other_envs.items()):
        pins = [pin for path, blocks in sorted(files.items()) for pin in pins_in(path, blocks, policy.source)]
        env_constraint = next((pin.constraint for pin in pins if pin.constraint), None)
        for pin in pins:
            if pin.locked is not None:
                locks.append((pin.locked, pin, env_constraint))
            elif pin.constraint is not None:
                constraints.append(pin)
    if locks:
        # The most recent version the team already runs; keep new envs on its major and minor line.
        version, pin, constraint = max(locks, key=lambda item: item[0])
        keeps_line = constraint is not None and constraint.allows(version) and constraint.newest()[0] == version[0]
        written = constraint.text if keeps_line and constraint else f"~> {version[0]}.{version[1]}"
        return ProviderChoice(policy.source, version, True, written, f"locked in {pin.location}", pin.location)
    if constraints:
        first = constraints[0]
        assert first.constraint is not None
        return ProviderChoice(
            policy.source,
            first.constraint.newest(),
            False,
            first.constraint.text,
            f"pinned by `{first.constraint.text}` in {first.location}",
            first.location,
        )
    return None


def _newest_installable(policy: ProviderPolicy, versions: Sequence[Version]) -> ProviderChoice | None:
    """The newest installable release the templates support, up to the default's line (code is tested up to it)."""
    ceiling = Constraint.parse(policy.default_constraint).newest()
    usable = sorted(v for v in versions if policy.oldest_supported <= v <= ceiling)
    if not usable:
        return None
    newest = usable[-1]
    written = f"~> {newest[0]}.{newest[1]}"
    return ProviderChoice(
        policy.source,
        newest,
        False,
        written,
        f"nothing in the repository pins it; {format_version(newest)} is the newest the configured Terraform can "
        f"install, so Olympus pins `{written}`",
    )


def _default(policy: ProviderPolicy) -> ProviderChoice:
    constraint = Constraint.parse(policy.default_constraint)
    return ProviderChoice(
        policy.source,
        constraint.newest(),
        False,
        policy.default_constraint,
        f"nothing in the repository pins it; Olympus pins `{policy.default_constraint}`",
    )


def narrow(
    choice: ProviderChoice, policy: ProviderPolicy, module_files: Mapping[str, Iterable[Block]]
) -> ProviderChoice | Refusal:
    """The choice within a module's own constraint too, as Terraform intersects every module's constraints."""
    try:
        pins = [pin for path, blocks in sorted(module_files.items()) for pin in pins_in(path, blocks, policy.source)]
    except PinError as error:
        return Refusal(
            message=f"Cannot read the {policy.source} version pin: {error.message}.",
            hint="Fix the module's constraint and ask again.",
            location=error.location,
        )
    constraints = [(pin, pin.constraint) for pin in pins if pin.constraint is not None]
    if not constraints:
        return choice
    selected = choice.selected
    if not choice.locked:
        selected = min([selected, *(constraint.newest() for _pin, constraint in constraints)])
        own = Constraint.parse(choice.constraint) if choice.constraint else None
        if own is not None and not own.allows(selected):
            selected = choice.selected  # no overlap: reported below
    for pin, constraint in constraints:
        if not constraint.allows(selected):
            return Refusal(
                message=(
                    f"{pin.location} requires {policy.source} `{constraint.text}`, "
                    f"but this env runs {choice.describe()}."
                ),
                hint=(
                    "Olympus does not rewrite existing modules: bring the module's constraint (and code) and the "
                    "env's pin in line, then ask again."
                ),
                location=pin.location,
            )
    if selected == choice.selected:
        return choice
    return ProviderChoice(
        choice.source,
        selected,
        choice.locked,
        choice.constraint,
        f"{choice.evidence}, within the module's `{constraints[0][1].text}`",
        choice.location,
    )

"""`.olympus.yaml`'s `policies`: Olympus's default set (off, on, or on with parameters) and the repository's sets.

Without a `policies` section the default set runs advisory: its results are shown and nothing is held. With one,
every set blocks unless it says `blocking: false`. The sets and their Rego are read from the base branch, never
from the change being planned, so a pull request cannot turn off or rewrite the policies that judge it.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from bot.domain.models import Project

DEFAULT_SET: Final = "olympus"
DEFAULT_TIMEOUT_SECONDS: Final = 30.0
_SET_NAME: Final = r"^[a-z0-9][a-z0-9_-]{0,62}$"
# A user login or an org/team slug: who may `/infra approve_policies` a set's failures.
_OWNER: Final = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9][A-Za-z0-9_.-]{0,99})?$"
_PACKAGE: Final = r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$"
_OWNERS: Final = {"type": "array", "uniqueItems": True, "items": {"type": "string", "pattern": _OWNER}}
_STRINGS: Final = {"type": "array", "uniqueItems": True, "items": {"type": "string", "minLength": 1}}
TERRAFORM: Final = "terraform"
KUBERNETES: Final = "kubernetes"
_TARGETS: Final = {
    "type": "array",
    "uniqueItems": True,
    "minItems": 1,
    "items": {"enum": [TERRAFORM, KUBERNETES]},
    "description": "What the set judges: Terraform plans, applications' rendered manifests, or both.",
}

POLICIES_SCHEMA: dict[str, Any] = {
    "description": "Policy as code over every plan: Olympus's default set and the repository's own sets.",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "default": {
            "description": "Olympus's default set (policies/olympus): true, false, or its settings.",
            "anyOf": [
                {"type": "boolean"},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "enabled": {"type": "boolean"},
                        "blocking": {"type": "boolean"},
                        "owners": _OWNERS,
                        "targets": _TARGETS,
                        "parameters": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "required_tags": _STRINGS,
                                "allowed_providers": _STRINGS,
                                "allowed_regions": _STRINGS,
                                "instance_types": {"type": "object", "additionalProperties": _STRINGS},
                                "protected_tag": {"type": "string", "minLength": 1},
                            },
                        },
                    },
                },
            ],
        },
        "sets": {
            "description": "The repository's own policy sets: Rego files in its own folders.",
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "paths"],
                "properties": {
                    "name": {"type": "string", "pattern": _SET_NAME},
                    "paths": {**_STRINGS, "minItems": 1, "description": "Folders or .rego files, from the root."},
                    "projects": {**_STRINGS, "description": "Project names or dirs (globs); all when left out."},
                    "owners": _OWNERS,
                    "blocking": {"type": "boolean"},
                    "namespace": {"type": "string", "pattern": _PACKAGE},
                    "targets": _TARGETS,
                },
            },
        },
        "timeout_seconds": {"type": "number", "minimum": 1, "maximum": 600},
    },
}


@dataclass(frozen=True)
class PolicySet:
    """One policy set: where its Rego lives, which projects it judges, who may approve its failures."""

    name: str
    paths: tuple[str, ...]  # repository paths; the default set's are Olympus's own
    blocking: bool = True
    owners: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()  # globs over project names and dirs; empty: every project
    namespace: str = "main"
    parameters: Mapping[str, Any] = field(default_factory=dict)  # data.olympus.parameters
    builtin: bool = False  # Olympus's default set, shipped with Olympus
    targets: tuple[str, ...] = (TERRAFORM,)  # terraform plans, kubernetes manifests, or both

    def judges(self, project: Project) -> bool:
        """Whether this set applies to the project's Terraform plan."""
        if TERRAFORM not in self.targets:
            return False
        if not self.projects:
            return True
        return any(fnmatch.fnmatchcase(project.name, g) or fnmatch.fnmatchcase(project.dir, g) for g in self.projects)


@dataclass(frozen=True)
class PolicySettings:
    """The policy sets of one repository, and the time each evaluation may take."""

    sets: tuple[PolicySet, ...]
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS

    @property
    def off(self) -> bool:
        return not self.sets

    def named(self, name: str) -> PolicySet | None:
        return next((s for s in self.sets if s.name == name), None)


ADVISORY_DEFAULT: Final = PolicySettings((PolicySet(DEFAULT_SET, (), blocking=False, builtin=True),))


def policies_from_config(raw: Mapping[str, Any] | None) -> PolicySettings:
    """The settings of a schema-valid `policies` section; None (no section): the default set, advisory."""
    if raw is None:
        return ADVISORY_DEFAULT
    sets: list[PolicySet] = []
    default = raw.get("default", True)
    options: Mapping[str, Any] = default if isinstance(default, dict) else {"enabled": bool(default)}
    if options.get("enabled", True):
        sets.append(
            PolicySet(
                DEFAULT_SET,
                (),
                blocking=bool(options.get("blocking", True)),
                owners=tuple(options.get("owners") or ()),
                parameters=dict(options.get("parameters") or {}),
                builtin=True,
                targets=tuple(options.get("targets") or (TERRAFORM,)),
            )
        )
    for entry in raw.get("sets") or ():
        sets.append(
            PolicySet(
                str(entry["name"]),
                tuple(entry["paths"]),
                blocking=bool(entry.get("blocking", True)),
                owners=tuple(entry.get("owners") or ()),
                projects=tuple(entry.get("projects") or ()),
                namespace=str(entry.get("namespace", "main")),
                targets=tuple(entry.get("targets") or (TERRAFORM,)),
            )
        )
    timeout = float(raw.get("timeout_seconds", DEFAULT_TIMEOUT_SECONDS))
    return PolicySettings(tuple(sets), timeout)


def duplicate_set_names(raw: Mapping[str, Any]) -> list[str]:
    """Set names given twice, or the default set's name taken by a repository set (the schema cannot say)."""
    names = [str(entry.get("name")) for entry in raw.get("sets") or () if isinstance(entry, dict)]
    taken = {DEFAULT_SET} if raw.get("default", True) is not False else set()
    seen: set[str] = set()
    clashes: list[str] = []
    for name in names:
        if name in seen or name in taken:
            clashes.append(name)
        seen.add(name)
    return clashes

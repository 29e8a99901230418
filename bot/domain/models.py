"""Value types shared across the domain: change sets, projects, findings, runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Cloud(StrEnum):
    AWS = "aws"
    GCP = "gcp"


class ResourceKind(StrEnum):
    BUCKET = "bucket"
    INSTANCE = "instance"
    FUNCTION = "function"
    CLUSTER = "cluster"


@dataclass(frozen=True)
class FileChange:
    """One file to write, by path relative to the repository root; empty content means delete the file."""

    path: str
    content: str


@dataclass(frozen=True)
class ChangeSet:
    """What a tool proposes: files to write plus the words for the commit and the PR."""

    title: str
    description: str
    files: tuple[FileChange, ...] = ()
    # True when the repository already holds exactly this change (asking twice changes nothing).
    unchanged: bool = False


@dataclass(frozen=True)
class Refusal:
    """A request a tool will not carry out, with what is wrong and how to fix it."""

    message: str
    hint: str = ""
    # Where the conflicting definition lives, when there is one ("infra/aws/envs/dev/main.tf:12").
    location: str = ""


@dataclass(frozen=True)
class Project:
    """A Terraform root module Olympus plans and applies as one unit."""

    name: str
    dir: str  # relative to the repository root, "/"-separated, no trailing slash
    workspace: str = "default"
    when_modified: tuple[str, ...] = ("*.tf", "*.tfvars", ".terraform.lock.hcl")


class Severity(StrEnum):
    CRITICAL = "CRITICAL"
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"
    INFO = "INFO"

    @property
    def rank(self) -> int:
        return ["INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"].index(self.value)


@dataclass(frozen=True)
class Finding:
    """One scanner result, normalized across Checkov and Trivy."""

    rule_id: str
    severity: Severity
    title: str
    resource: str
    file: str  # relative to the repository root
    line: int
    link: str = ""
    tools: tuple[str, ...] = field(default=())
    # Other tools' ids for the same problem (a Trivy AVD id beside a Checkov CKV id).
    aliases: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class ResourceRequest:
    """A validated request to create, update or destroy one resource; the input of every change tool."""

    action: str  # "create" | "update" | "destroy"
    cloud: Cloud
    kind: ResourceKind
    name: str
    env: str = "dev"
    region: str = ""  # empty: the cloud's default (aws us-east-1, gcp US)
    # Kind-specific settings, sorted by key: versioning=on|off, instance_type, runtime, memory_mb, timeout_s;
    # an update holds only the settings it changes.
    options: tuple[tuple[str, str], ...] = ()

    def option(self, key: str, default: str = "") -> str:
        return dict(self.options).get(key, default)

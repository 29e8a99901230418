"""Where a repository's Terraform state lives: `.olympus.yaml`'s `backend`, and each env's `backend.hcl`.

Olympus writes Terraform's own partial backend configuration: the root module declares `backend "s3" {}` and the
settings sit in a `backend.hcl` beside it, passed as `terraform init -backend-config=backend.hcl`
(https://developer.hashicorp.com/terraform/language/backend#partial-configuration). `.olympus.yaml` keeps the
settings once, so every env Olympus scaffolds later gets its own `backend.hcl` with its own state key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "BACKEND_FILE",
    "BACKEND_SCHEMA",
    "REQUIRED_SETTINGS",
    "BackendSettings",
    "backend_from_config",
    "backend_hcl",
    "backend_yaml",
    "state_key",
]

BACKEND_FILE = "backend.hcl"
BackendType = Literal["s3", "gcs", "sandbox"]
# What Terraform refuses to init without, per backend type (the rest have defaults or come from the environment).
REQUIRED_SETTINGS: Mapping[str, tuple[str, ...]] = {"s3": ("bucket", "key", "region"), "gcs": ("bucket",)}

_NAME = r"^[a-z0-9][a-z0-9.\-_]{1,220}[a-z0-9]$"
_PREFIX = r"^[A-Za-z0-9][A-Za-z0-9._/\-]{0,200}$"
BACKEND_SCHEMA: dict[str, Any] = {
    "description": "Where Terraform state lives; `olympus init` writes it and each env's backend.hcl.",
    "type": "object",
    "additionalProperties": False,
    "required": ["type"],
    "properties": {
        "type": {"enum": ["s3", "gcs", "sandbox"]},
        "bucket": {"type": "string", "pattern": _NAME},
        "region": {"type": "string", "pattern": r"^[a-z]{2}(-[a-z]+)+-\d$"},
        "dynamodb_table": {"type": "string", "pattern": r"^[A-Za-z0-9_.\-]{3,255}$"},
        "key_prefix": {"type": "string", "pattern": _PREFIX},
        "prefix": {"type": "string", "pattern": _PREFIX},
    },
    "allOf": [
        {"if": {"properties": {"type": {"const": "s3"}}}, "then": {"required": ["bucket", "region"]}},
        {"if": {"properties": {"type": {"const": "gcs"}}}, "then": {"required": ["bucket"]}},
    ],
}


@dataclass(frozen=True)
class BackendSettings:
    """One repository's state location: an S3 bucket (and lock table), a GCS bucket, or the local sandbox's."""

    type: BackendType
    bucket: str = ""
    region: str = ""
    dynamodb_table: str = ""
    prefix: str = ""  # s3: the start of every state key; gcs: the start of every state prefix

    @property
    def is_sandbox(self) -> bool:
        return self.type == "sandbox"

    def describe(self) -> str:
        if self.type == "s3":
            lock = f", locks in DynamoDB table {self.dynamodb_table}" if self.dynamodb_table else ""
            return f"S3 bucket {self.bucket} in {self.region}{lock}"
        if self.type == "gcs":
            return f"GCS bucket {self.bucket}"
        return "the local sandbox's S3 emulator (state lasts as long as the emulator runs)"


def backend_from_config(data: Mapping[str, Any]) -> BackendSettings:
    """The settings of a `backend` mapping that passed BACKEND_SCHEMA."""
    kind = str(data["type"])
    prefix = str(data.get("key_prefix" if kind == "s3" else "prefix", ""))
    if kind == "s3":
        return BackendSettings(
            "s3", str(data["bucket"]), str(data["region"]), str(data.get("dynamodb_table", "")), prefix
        )
    if kind == "gcs":
        return BackendSettings("gcs", str(data["bucket"]), prefix=prefix)
    return BackendSettings("sandbox")


def state_key(settings: BackendSettings, env_dir: str) -> str:
    """The env's own place in the bucket: the prefix, then the env's directory, so no two envs share state."""
    path = "/".join(part for part in (settings.prefix.strip("/"), env_dir.strip("/")) if part)
    return f"{path}/terraform.tfstate" if settings.type == "s3" else path


def _hcl_string(value: str) -> str:
    # JSON's string escapes are HCL's for the characters these settings may hold.
    return json.dumps(value)


def backend_hcl(settings: BackendSettings, env_dir: str, *, native_s3_locking: bool = True) -> str:
    """The env's `backend.hcl`: the settings its partial `backend` block leaves out.

    Without a DynamoDB table, S3 locks state with a lock file next to it (`use_lockfile`, Terraform >= 1.10).
    """
    lines = [
        "# Where this env's Terraform state lives: Terraform's partial backend configuration, passed as",
        "# `terraform init -backend-config=backend.hcl` (written by `olympus init`).",
        "# https://developer.hashicorp.com/terraform/language/backend#partial-configuration",
    ]
    if settings.type == "s3":
        lines += [
            f"bucket  = {_hcl_string(settings.bucket)}",
            f"key     = {_hcl_string(state_key(settings, env_dir))}",
            f"region  = {_hcl_string(settings.region)}",
            "encrypt = true",
        ]
        if settings.dynamodb_table:
            lines.append(f"dynamodb_table = {_hcl_string(settings.dynamodb_table)}")
        elif native_s3_locking:
            lines.append("use_lockfile = true")
    elif settings.type == "gcs":
        lines += [f"bucket = {_hcl_string(settings.bucket)}", f"prefix = {_hcl_string(state_key(settings, env_dir))}"]
    else:
        raise ValueError("the sandbox's backend settings are written per run, never committed")
    return "\n".join(lines) + "\n"


def backend_yaml(settings: BackendSettings) -> str:
    """The `backend:` section of `.olympus.yaml` for these settings."""
    lines = ["backend:", f"  type: {settings.type}"]
    if settings.bucket:
        lines.append(f"  bucket: {settings.bucket}")
    if settings.region:
        lines.append(f"  region: {settings.region}")
    if settings.dynamodb_table:
        lines.append(f"  dynamodb_table: {settings.dynamodb_table}")
    if settings.prefix:
        lines.append(f"  {'key_prefix' if settings.type == 's3' else 'prefix'}: {settings.prefix}")
    return "\n".join(lines) + "\n"

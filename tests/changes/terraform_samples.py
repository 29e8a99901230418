"""Sample Terraform envs for the change-generator tests, in the shapes real repositories use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

AWS_VERSIONS_TF = """terraform {{
  required_version = ">= 1.6"

  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "{constraint}"
    }}
  }}
}}
"""
LOCK_FILE = """# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/hashicorp/aws" {{
  version     = "{version}"
  constraints = "{constraint}"
  hashes = [
    "zh:4b75e0a259b56d97e66b7d69f3f25bd4cc7be2440c0fe35529f46de7d40a49d3",
  ]
}}
"""
PROVIDERS_TF = """provider "aws" {
  region = var.region

  default_tags {
    tags = {
      managed-by = "olympus"
      env        = "dev"
    }
  }
}
"""
VARIABLES_TF = """variable "region" {
  description = "Default AWS region of this environment."
  type        = string
  default     = "eu-west-1"
}
"""
BACKEND_TF = """terraform {
  backend "s3" {}
}
"""


def aws_env_files(env: str = "dev", constraint: str | None = "3.39.0", locked: str | None = "3.39.0") -> dict[str, str]:
    """An existing AWS env like the demo repository's: pinned (and locked) to the offline provider by default."""
    base = f"infra/aws/envs/{env}"
    files = {
        f"{base}/providers.tf": PROVIDERS_TF.replace('"dev"', f'"{env}"'),
        f"{base}/variables.tf": VARIABLES_TF,
        f"{base}/backend.tf": BACKEND_TF,
    }
    if constraint is not None:
        files[f"{base}/versions.tf"] = AWS_VERSIONS_TF.format(constraint=constraint)
    if locked is not None:
        files[f"{base}/.terraform.lock.hcl"] = LOCK_FILE.format(version=locked, constraint=constraint or locked)
    return files


@dataclass(frozen=True)
class ScanResult:
    """One scanner's JSON output for one directory."""

    tool: str
    directory: Path
    data: Any

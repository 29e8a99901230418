"""A canary secret set through sensitive variables, the projects that carry it, and the check that it never shows."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

CANARY = "canary-7f3a9c1e-secret"
# What a copy cut short (to 200 characters of a progress line, to a comment's limit) would still hold.
FRAGMENT = "7f3a9c1e"

DEV = "infra/aws/envs/dev"
BROKEN = "infra/aws/envs/broken"

# In the demo's dev environment: the canary is marked where it is set (tags, input) and unmarked where Terraform
# copies it (tags_all, computed by the provider from tags; the output, through nonsensitive()).
CANARY_TF = """variable "canary" {
  type      = string
  sensitive = true
}

resource "aws_s3_bucket" "canary" {
  bucket = "olympus-canary-secrets"
  tags = {
    secret = var.canary
  }
}

resource "terraform_data" "canary" {
  input = var.canary
}

output "canary_echo" {
  value = nonsensitive(var.canary)
}
"""
# A tag added to the applied bucket: an update, so the comment lists tags_all's before and after.
CANARY_TF_UPDATED = CANARY_TF.replace("    secret = var.canary\n", '    secret = var.canary\n    team   = "platform"\n')
TFVARS = f'canary = "{CANARY}"\n'

# A project whose plan fails and whose error quotes the canary: no plan JSON says what is sensitive there.
BROKEN_TF = """variable "canary" {
  type      = string
  sensitive = true
}

resource "terraform_data" "broken" {
  lifecycle {
    precondition {
      condition     = length(nonsensitive(var.canary)) == 0
      error_message = "The canary is ${nonsensitive(var.canary)}."
    }
  }
}
"""


def environment_files(directory: str) -> dict[str, str]:
    """The demo's dev environment (backend, provider, versions) at another directory."""
    root = resources.files("bot.entrypoints") / "demo_seed" / "infra/aws/envs/dev"
    with resources.as_file(root) as path:
        return {f"{directory}/{p.name}": p.read_text() for p in path.iterdir() if p.is_file()}


def canary_files() -> dict[str, str]:
    """What a change carrying the canary adds to the demo repository."""
    return {
        f"{DEV}/canary.tf": CANARY_TF,
        f"{DEV}/terraform.tfvars": TFVARS,
        **environment_files(BROKEN),
        f"{BROKEN}/main.tf": BROKEN_TF,
        f"{BROKEN}/terraform.tfvars": TFVARS,
    }


def write_files(root: Path, files: dict[str, str]) -> None:
    for relative, content in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(content)


def assert_hidden(where: str, content: str | bytes) -> None:
    """The canary, or any piece of it long enough to recognize, is nowhere in content."""
    text = content.decode("utf-8", errors="replace") if isinstance(content, bytes) else content
    assert FRAGMENT not in text, f"the canary shows in {where}: …{_around(text)}…"


def database_bytes(path: Path) -> bytes:
    """A SQLite store as it lies on disk: the database file and its journals, every page (free ones too)."""
    return b"".join(p.read_bytes() for p in (path, *path.parent.glob(path.name + "-*")) if p.is_file())


def tags_update(secret: str = CANARY) -> dict[str, Any]:
    """The plan JSON of an aws_s3_bucket update as the AWS provider plans it: `tags` carries a sensitive variable
    and is marked; `tags_all` (computed from tags and default_tags) holds the same value, unmarked; an output
    echoes it through nonsensitive()."""
    before = {"bucket": "logs", "tags": {"secret": secret}, "tags_all": {"secret": secret, "env": "dev"}}
    after = {
        "bucket": "logs",
        "tags": {"secret": secret, "team": "platform"},
        "tags_all": {"secret": secret, "env": "dev", "team": "platform"},
    }
    return {
        "format_version": "1.2",
        "variables": {"canary": {"value": secret}},
        "resource_changes": [
            {
                "address": "aws_s3_bucket.logs",
                "mode": "managed",
                "type": "aws_s3_bucket",
                "name": "logs",
                "change": {
                    "actions": ["update"],
                    "before": before,
                    "after": after,
                    "after_unknown": {},
                    "before_sensitive": {"tags": {"secret": True}, "tags_all": {}},
                    "after_sensitive": {"tags": {"secret": True}, "tags_all": {}},
                },
            }
        ],
        "output_changes": {
            "echo": {"actions": ["create"], "before": None, "after": secret, "after_unknown": False},
        },
        "configuration": {"root_module": {"variables": {"canary": {"sensitive": True}}}},
    }


def plan_json(secret: str = CANARY) -> str:
    """tags_update as `terraform show -json` prints it: one line."""
    return json.dumps(tags_update(secret), separators=(",", ":"))


def _around(text: str) -> str:
    at = text.find(FRAGMENT)
    return text[max(at - 80, 0) : at + 40].replace("\n", "⏎")

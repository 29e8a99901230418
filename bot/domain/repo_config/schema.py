"""`.olympus.yaml`'s JSON Schema and the limits and names it is built from."""

from __future__ import annotations

from typing import Any

from bot.domain.backends import BACKEND_SCHEMA
from bot.domain.policies.config import POLICIES_SCHEMA

CONFIG_PATH = ".olympus.yaml"
CONFIG_VERSION = 1
DEFAULT_WORKSPACE = "default"
APPLY_REQUIREMENTS = ("approved", "mergeable", "undiverged")
# Commands that are off unless listed in `allow_commands`, as Atlantis's --allow-commands leaves import and state
# off by default. Olympus reads the list from the base branch, so a pull request cannot turn them on for itself.
ALLOWABLE_COMMANDS = ("import", "state_rm")
# The file arrives in pull requests, so it is untrusted: bound its size and how far YAML aliases may expand
# (a "billion laughs" document is small text but an exponential tree for the schema validator to walk).
MAX_CONFIG_CHARS = 256 * 1024
MAX_YAML_NODES = 20_000

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$"
# Terraform allows more in workspace names, but they end up in state keys, branch and check-run names.
WORKSPACE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,89}$"
VERSION_PATTERN = r"^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$"

REPO_CONFIG_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "urn:olympus:repo-config:1",
    "title": "Olympus repository configuration (.olympus.yaml)",
    "type": "object",
    "additionalProperties": False,
    "required": ["version"],
    "properties": {
        "version": {"const": CONFIG_VERSION, "description": "The format version; always 1."},
        "projects": {
            "description": "The Terraform root modules to plan and apply; without it Olympus finds them itself.",
            "type": "array",
            "minItems": 1,
            "items": {"$ref": "#/$defs/project"},
        },
        "backend": BACKEND_SCHEMA,
        "apply_requirements": {
            "description": "What a pull request needs before Olympus applies it.",
            "type": "array",
            "uniqueItems": True,
            "items": {"enum": list(APPLY_REQUIREMENTS)},
        },
        "allow_commands": {
            "description": "Commands that are off unless listed here (`/infra import`, `/infra state rm`).",
            "type": "array",
            "uniqueItems": True,
            "items": {"enum": list(ALLOWABLE_COMMANDS)},
        },
        "policies": POLICIES_SCHEMA,
        "parallel_plan": {
            "description": "At most this many projects planned at once (1: one after another); it can only "
            "lower the machine's OLYMPUS_PARALLEL_PLAN.",
            "type": "integer",
            "minimum": 1,
        },
        "drift": {
            "description": "The App's scheduled drift checks of this repository (OLYMPUS_DRIFT_INTERVAL).",
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "schedule": {"type": "boolean", "description": "false (or off): the schedule skips this repository."}
            },
        },
        "fixes": {
            "description": "The fix loop (docs/fixes.md): whether a failed plan, apply or sync is diagnosed by itself.",
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "auto": {
                    "type": "boolean",
                    "description": "true: a failed plan, apply or sync is diagnosed without `/infra diagnose` (a "
                    "model must be set up); false, the default: only when someone asks.",
                }
            },
        },
    },
    "$defs": {
        "project": {
            "type": "object",
            "additionalProperties": False,
            "required": ["dir"],
            # Either one workspace or a list of them, never both.
            "dependentSchemas": {"workspace": {"not": {"required": ["workspaces"]}}},
            "properties": {
                "name": {"type": "string", "pattern": NAME_PATTERN},
                "dir": {"type": "string", "minLength": 1, "description": "Relative to the repository root."},
                "workspace": {"type": "string", "pattern": WORKSPACE_PATTERN},
                "workspaces": {
                    "type": "array",
                    "minItems": 1,
                    "uniqueItems": True,
                    "items": {"type": "string", "pattern": WORKSPACE_PATTERN},
                },
                "when_modified": {
                    "description": "Globs relative to dir (`**` crosses directories, `../` reaches shared code).",
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": "string", "minLength": 1},
                },
                "terraform_version": {"type": "string", "pattern": VERSION_PATTERN},
            },
        }
    },
}

TOP_KEYS = tuple(REPO_CONFIG_SCHEMA["properties"])
PROJECT_KEYS = tuple(REPO_CONFIG_SCHEMA["$defs"]["project"]["properties"])

"""Schema errors said as a person would: what is wrong with which value, and an example of how to fix it."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import yaml

from bot.domain.repo_config.errors import ConfigError
from bot.domain.repo_config.schema import PROJECT_KEYS, REPO_CONFIG_SCHEMA, TOP_KEYS
from bot.domain.repo_config.yaml_nodes import located, location_of
from bot.domain.schema_check import satisfies

if TYPE_CHECKING:
    from jsonschema import ValidationError


_TYPE_WORDS = {
    "object": "a mapping (`key: value` lines)",
    "array": "a list",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}

_PATTERN_HINTS = {
    "name": "use letters, digits, `.`, `_`, `-` and `/` (at most 100), starting with a letter or digit",
    "workspace": "use letters, digits, `.`, `_` and `-` (at most 90), starting with a letter or digit",
    "workspaces": "use letters, digits, `.`, `_` and `-` (at most 90), starting with a letter or digit",
    "terraform_version": 'write an exact version such as "1.15.5"',
}

_EMPTY_LIST_HINTS = {
    "projects": "list at least one project, or remove `projects` to let Olympus find the root modules itself",
    "when_modified": 'list at least one glob, e.g. `["*.tf", "*.tfvars"]`, or remove it to use the default',
    "workspaces": "list at least one workspace, e.g. `[default]`",
}

_EXAMPLES = {
    "projects": "projects:\n  - dir: infra/aws/envs/dev",
    "version": "version: 1",
    "dir": "dir: infra/aws/envs/dev",
    "when_modified": 'when_modified: ["*.tf"]',
    "workspaces": "workspaces: [default, staging]",
    "apply_requirements": "apply_requirements: [approved]",
    "allow_commands": "allow_commands: [import, state_rm]",
    "parallel_plan": "parallel_plan: 4",
    "drift": "drift:\n  schedule: false",
    "fixes": "fixes:\n  auto: true",
}


def schema_errors(data: object, root: yaml.Node | None) -> list[ConfigError]:
    if satisfies(data, REPO_CONFIG_SCHEMA):
        return []
    # Only a file with mistakes pays for jsonschema's import: its errors are what the messages are made from.
    from jsonschema import Draft202012Validator

    errors: list[ConfigError] = []
    for error in Draft202012Validator(REPO_CONFIG_SCHEMA).iter_errors(data):
        errors += _translate(error, root)
    return errors


def _field_of(path: Sequence[str | int]) -> str:
    return next((step for step in reversed(path) if isinstance(step, str)), "")


def _subject(path: Sequence[str | int]) -> str:
    """How a message names the value at path: "`dir`", "each item of `projects`", "the file"."""
    if not path:
        return "the file"
    if isinstance(path[-1], int):
        return f"each item of `{_field_of(path)}`" if _field_of(path) else "each item"
    return f"`{path[-1]}`"


def _translate(error: ValidationError, root: yaml.Node | None) -> list[ConfigError]:
    path: tuple[str | int, ...] = tuple(error.absolute_path)
    instance = error.instance
    kind = error.validator
    if kind == "additionalProperties" and isinstance(instance, dict):
        allowed = tuple(error.schema.get("properties", {}))
        return [
            located(
                root,
                "unknown-key",
                (*path, str(extra)),
                f"unknown key `{extra}`",
                _unknown_key_hint(str(extra), allowed, in_project=allowed == PROJECT_KEYS),
                key=True,
            )
            for extra in instance
            if extra not in allowed
        ]
    if kind == "required" and isinstance(instance, dict):
        owner = f"`{location_of(path)}`" if path else "the file"
        return [
            located(
                root,
                "missing-key",
                (*path, name),
                f"`{name}` is missing from {owner}",
                f"add it: `{_EXAMPLES.get(name, name + ': ...')}`",
            )
            for name in error.validator_value
            if name not in instance
        ]
    if kind == "not" and isinstance(instance, dict) and {"workspace", "workspaces"} <= set(instance):
        return [
            located(
                root,
                "workspace-and-workspaces",
                (*path, "workspaces"),
                "both `workspace` and `workspaces` are set",
                "keep one: `workspace: NAME` for one workspace, `workspaces: [a, b]` for several",
                key=True,
            )
        ]
    message, hint, code = _describe(error, path)
    return [located(root, code, path, message, hint)]


def _describe(error: ValidationError, path: Sequence[str | int]) -> tuple[str, str, str]:
    """(message, hint, code) for one schema error about a value."""
    kind, instance, expected = error.validator, error.instance, error.validator_value
    field, subject = _field_of(path), _subject(path)
    if kind == "type":
        wanted = _TYPE_WORDS.get(str(expected), str(expected))
        hint = f"write it as {wanted}"
        if expected == "string" and isinstance(instance, bool):
            hint = 'YAML reads yes/no/on/off/true/false as booleans: put the value in quotes, e.g. "no"'
        elif expected == "string" and isinstance(instance, int | float):
            hint = f'put the value in quotes, e.g. "{instance}", so YAML keeps it as text'
        elif expected == "array" and isinstance(instance, str):
            hint = f'make it a list: `{field}: ["{instance}"]`'
        elif expected == "object" and field == "projects":
            hint = "write each project as `- dir: path/to/root` with its other settings indented under `dir`"
        elif expected == "object" and not path:
            hint = "start the file with `version: 1`, then the other settings as `key: value` lines"
        return f"{subject} must be {wanted}, not {_yaml_type(instance)}", hint, "wrong-type"
    if kind == "const" and field == "version":
        hint = "write `version: 1` without quotes" if instance == "1" else "Olympus reads version 1; set `version: 1`"
        return f"`version` must be 1, not {_yaml_type(instance)}", hint, "unsupported-version"
    if kind == "enum":
        choices = ", ".join(str(choice) for choice in expected)
        close = difflib.get_close_matches(str(instance), [str(c) for c in expected], n=1)
        hint = f"did you mean `{close[0]}`? " if close else ""
        return f"`{instance}` is not an accepted value", f"{hint}use one of: {choices}", "unknown-value"
    if kind == "minItems":
        hint = _EMPTY_LIST_HINTS.get(field, "add at least one item")
        return f"{subject} is an empty list", hint, "empty-list"
    if kind == "uniqueItems":
        return f"{subject} lists the same value twice", "remove the repeat", "duplicate-item"
    if kind == "pattern":
        hint = _PATTERN_HINTS.get(field, f"it must match {expected}")
        return f"`{instance}` is not a valid {field.replace('_', ' ')}", hint, "invalid-value"
    if kind == "minimum":
        example = _EXAMPLES.get(field, f"{field}: {expected}")
        hint = f"write a whole number of at least {expected}, e.g. `{example}`"
        return f"{subject} must be at least {expected}, not {instance}", hint, "invalid-value"
    if kind == "minLength":
        return f"{subject} is empty", "give it a value, or remove the line", "empty-value"
    return error.message, "see the `.olympus.yaml` reference in the docs", "invalid-value"


def _yaml_type(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f'the text "{value}"'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _unknown_key_hint(key: str, allowed: tuple[str, ...], *, in_project: bool) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    if in_project and key in TOP_KEYS:
        return f"`{key}` belongs at the top level of the file, not inside a project"
    if not in_project and key in PROJECT_KEYS:
        return f"`{key}` belongs inside a project: `projects:` then `- {key}: ...`"
    return "the accepted keys are " + ", ".join(f"`{name}`" for name in allowed)

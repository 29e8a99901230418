"""The repository's `.olympus.yaml`: its JSON Schema, parsing, and errors that say where and how to fix."""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

from bot.domain.backends import BACKEND_SCHEMA, BackendSettings, backend_from_config
from bot.domain.models import Project
from bot.domain.policies.config import (
    ADVISORY_DEFAULT,
    POLICIES_SCHEMA,
    PolicySettings,
    duplicate_set_names,
    policies_from_config,
)
from bot.domain.schema_check import satisfies

if TYPE_CHECKING:
    from jsonschema import ValidationError

__all__ = [
    "ALLOWABLE_COMMANDS",
    "APPLY_REQUIREMENTS",
    "CONFIG_PATH",
    "CONFIG_VERSION",
    "DEFAULT_WORKSPACE",
    "REPO_CONFIG_SCHEMA",
    "ConfigError",
    "ConfigErrors",
    "ProjectConfig",
    "RepoConfig",
    "dir_problem",
    "load_repo_config",
    "normalize_dir",
    "parse_repo_config",
]

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

_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$"
# Terraform allows more in workspace names, but they end up in state keys, branch and check-run names.
_WORKSPACE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,89}$"
_VERSION_PATTERN = r"^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$"

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
            "description": "The fix loop (docs/fixes.md): whether a failed plan or apply is diagnosed by itself.",
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "auto": {
                    "type": "boolean",
                    "description": "true: a failed plan or apply is diagnosed without `/infra diagnose` (a model must "
                    "be set up); false, the default: only when someone asks.",
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
                "name": {"type": "string", "pattern": _NAME_PATTERN},
                "dir": {"type": "string", "minLength": 1, "description": "Relative to the repository root."},
                "workspace": {"type": "string", "pattern": _WORKSPACE_PATTERN},
                "workspaces": {
                    "type": "array",
                    "minItems": 1,
                    "uniqueItems": True,
                    "items": {"type": "string", "pattern": _WORKSPACE_PATTERN},
                },
                "when_modified": {
                    "description": "Globs relative to dir (`**` crosses directories, `../` reaches shared code).",
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": "string", "minLength": 1},
                },
                "terraform_version": {"type": "string", "pattern": _VERSION_PATTERN},
            },
        }
    },
}

_TOP_KEYS = tuple(REPO_CONFIG_SCHEMA["properties"])
_PROJECT_KEYS = tuple(REPO_CONFIG_SCHEMA["$defs"]["project"]["properties"])


@dataclass(frozen=True)
class ConfigError:
    """One mistake in the configuration: a kebab-case code, where it is, what is wrong, how to fix it."""

    code: str
    location: str  # "projects[1].dir"; "" for the file as a whole
    message: str
    hint: str
    line: int | None = None  # 1-based, when the mistake can be pointed at
    column: int | None = None

    def __str__(self) -> str:
        where = CONFIG_PATH + (f":{self.line}" if self.line is not None else "")
        if self.location:
            where += f" {self.location}"
        return f"{where}: {self.message} ({self.code}). {self.hint}"


@dataclass(frozen=True)
class ConfigErrors:
    """Every mistake found in one configuration (never just the first)."""

    errors: tuple[ConfigError, ...]

    def render(self) -> str:
        return "\n".join(str(error) for error in self.errors)

    def __bool__(self) -> bool:
        return bool(self.errors)


@dataclass(frozen=True)
class ProjectConfig:
    """One `projects` entry, validated and normalised.

    Project names: an entry with a `name` and a single workspace is called by that name; otherwise each
    workspace's project is called `<name or dir>` for the "default" workspace and `<name or dir>@<workspace>`
    for the others, so names stay unique when one directory is planned in several workspaces.
    """

    dir: str  # normalised: "/"-separated, no "./" or trailing slash, "." for the repository root
    name: str | None = None
    workspaces: tuple[str, ...] = (DEFAULT_WORKSPACE,)
    when_modified: tuple[str, ...] = ()  # empty: Project's default globs
    terraform_version: str | None = None

    def projects(self) -> tuple[Project, ...]:
        several = len(self.workspaces) > 1
        made = []
        for workspace in self.workspaces:
            name = _project_name(self.name, self.dir, workspace, several)
            if self.when_modified:
                made.append(Project(name, self.dir, workspace, self.when_modified))
            else:
                made.append(Project(name, self.dir, workspace))
        return tuple(made)


@dataclass(frozen=True)
class RepoConfig:
    """A valid `.olympus.yaml`."""

    version: int = CONFIG_VERSION
    projects: tuple[ProjectConfig, ...] = ()
    apply_requirements: tuple[str, ...] = ()
    backend: BackendSettings | None = None  # where state lives (bot/domain/backends.py), set by `olympus init`
    allow_commands: tuple[str, ...] = ()  # of ALLOWABLE_COMMANDS
    parallel_plan: int | None = None  # at most this many projects planned at once; None: the machine's setting
    policies: PolicySettings = ADVISORY_DEFAULT  # the policy sets (bot/domain/policies/config.py)
    drift_schedule: bool = True  # `drift: {schedule: false}`: the App's scheduled drift checks skip the repository
    # `fixes: {auto: true}`: a failed plan or apply runs the fix loop by itself. Off by default: as with Atlantis or
    # Digger, nothing spends a model's tokens or comments a diagnosis unless the repository turned it on.
    fixes_auto: bool = False

    def allows(self, command: str) -> bool:
        """Whether an off-by-default command (`import`, `state_rm`) is turned on."""
        return command in self.allow_commands

    def listed_projects(self) -> tuple[Project, ...]:
        """Every configured project, one per directory and workspace, in file order."""
        return tuple(project for entry in self.projects for project in entry.projects())

    def terraform_version_for(self, project: Project) -> str | None:
        for entry in self.projects:
            if entry.dir == project.dir and project.workspace in entry.workspaces:
                return entry.terraform_version
        return None


def parse_repo_config(text: str) -> RepoConfig | ConfigErrors:
    """The configuration in text, or every mistake in it; the caller reads the file."""
    if len(text) > MAX_CONFIG_CHARS:
        return _single(
            "config-too-large",
            f"the file is {len(text):,} characters long; the limit is {MAX_CONFIG_CHARS:,}",
            "keep .olympus.yaml to the projects and settings Olympus reads",
        )
    loaded = _load_yaml(text)
    if isinstance(loaded, ConfigError):
        return ConfigErrors((loaded,))
    node, data = loaded
    if data is None:
        return _single("empty-config", "the file is empty", "start it with `version: 1`", line=1)
    errors = list(_duplicate_keys(node))
    errors += _schema_errors(data, node)
    if isinstance(data, dict):
        errors += _semantic_errors(data, node)
    if errors or not isinstance(data, dict):  # a non-mapping always has a schema error
        unique = dict.fromkeys(errors)
        return ConfigErrors(tuple(sorted(unique, key=lambda e: (e.line or 0, e.column or 0, e.location))))
    return _build(data)


def load_repo_config(read: Callable[[str], str | None]) -> RepoConfig | ConfigErrors | None:
    """The repository's configuration through read (repo-relative path → text), or None when it has none."""
    text = read(CONFIG_PATH)
    if text is not None:
        return parse_repo_config(text)
    for other in (".olympus.yml", "olympus.yaml", ".olympus.yaml.yaml"):
        if read(other) is not None:
            return _single(
                "misnamed-config",
                f"found `{other}`, but Olympus reads `{CONFIG_PATH}`",
                f"rename `{other}` to `{CONFIG_PATH}`",
            )
    return None


def normalize_dir(raw: str) -> str:
    """A repo-relative directory in canonical form ("." for the root); check it with dir_problem first."""
    return posixpath.normpath(raw)


def dir_problem(raw: str) -> tuple[str, str, str] | None:
    """(code, message, hint) when raw is not a directory inside the repository, else None."""
    if any(ord(ch) < 32 for ch in raw):
        return ("dir-control-character", f"{raw!r} holds a control character", "remove it")
    if raw.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:", raw):
        return (
            "dir-absolute",
            f"`{raw}` is an absolute path",
            "write the directory relative to the repository root, e.g. `infra/aws/envs/dev`",
        )
    if "\\" in raw:
        return ("dir-backslash", f"`{raw}` uses backslashes", "separate directories with `/`")
    if _escapes(normalize_dir(raw)):
        return (
            "dir-outside-repo",
            f"`{raw}` points outside the repository",
            "use a directory inside the repository, relative to its root, without leading `../`",
        )
    return None


def _project_name(explicit: str | None, dir: str, workspace: str, several: bool) -> str:
    if explicit is not None and not several:
        return explicit
    base = explicit if explicit is not None else dir
    return base if workspace == DEFAULT_WORKSPACE else f"{base}@{workspace}"


def _escapes(normalized: str) -> bool:
    return normalized == ".." or normalized.startswith("../")


def _single(code: str, message: str, hint: str, line: int | None = None) -> ConfigErrors:
    return ConfigErrors((ConfigError(code, "", message, hint, line),))


# --- YAML -------------------------------------------------------------------------------------------------


def _load_yaml(text: str) -> tuple[yaml.Node | None, object] | ConfigError:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None and _expanded_size(node) > MAX_YAML_NODES:
            return ConfigError(
                "config-too-large",
                "",
                f"the YAML expands to more than {MAX_YAML_NODES:,} values (aliases included)",
                "write the settings out instead of nesting aliases (`*name`)",
            )
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = ", ".join(part for part in (exc.context, exc.problem) if part) or "a syntax error"
        return ConfigError(
            "invalid-yaml",
            "",
            f"not valid YAML: {problem}"
            + (f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""),
            "check the indentation, that list items start with `- `, and quote values holding `: ` or ` #`",
            mark.line + 1 if mark is not None else None,
            mark.column + 1 if mark is not None else None,
        )
    except (yaml.YAMLError, RecursionError) as exc:
        return ConfigError("invalid-yaml", "", f"not valid YAML: {exc}", "check the file's syntax")
    finally:
        loader.dispose()
    return node, data


def _expanded_size(root: yaml.Node) -> int:
    """How many nodes the document has once aliases are expanded, counting no further than the limit."""
    count = 0
    stack = [root]
    while stack and count <= MAX_YAML_NODES:
        node = stack.pop()
        count += 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += (key, value)
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    return count


def _duplicate_keys(root: yaml.Node | None) -> Iterator[ConfigError]:
    # PyYAML keeps the last of two equal keys silently; a repeated `dir:` is almost always a paste error.
    stack: list[tuple[yaml.Node, tuple[str | int, ...]]] = [(root, ())] if root is not None else []
    while stack:
        node, path = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else None
                if name is not None and name != "<<":
                    if name in seen:
                        yield ConfigError(
                            "duplicate-key",
                            _location((*path, name)),
                            f"`{name}` is set twice in the same mapping",
                            "keep one of them; YAML would silently use the last",
                            key.start_mark.line + 1,
                            key.start_mark.column + 1,
                        )
                    seen.add(name)
                    stack.append((value, (*path, name)))
        elif isinstance(node, yaml.SequenceNode):
            stack += [(item, (*path, index)) for index, item in enumerate(node.value)]


def _node_at(root: yaml.Node | None, path: Sequence[str | int]) -> yaml.Node | None:
    node = root
    for step in path:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            node = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            return None
    return node


def _key_node_at(root: yaml.Node | None, path: Sequence[str | int]) -> yaml.Node | None:
    parent = _node_at(root, path[:-1])
    if isinstance(parent, yaml.MappingNode):
        return next((k for k, _ in parent.value if isinstance(k, yaml.ScalarNode) and k.value == path[-1]), None)
    return None


def _located(
    root: yaml.Node | None, code: str, path: Sequence[str | int], message: str, hint: str, *, key: bool = False
) -> ConfigError:
    """An error at path, pointing at the key itself (key=True) or at its value, else at the nearest parent."""
    node = _key_node_at(root, path) if key and path else _node_at(root, path)
    trail = list(path)
    while node is None and trail:
        trail.pop()
        node = _node_at(root, trail)
    line = node.start_mark.line + 1 if node is not None else None
    column = node.start_mark.column + 1 if node is not None else None
    return ConfigError(code, _location(path), message, hint, line, column)


def _location(path: Sequence[str | int]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


# --- schema -----------------------------------------------------------------------------------------------

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


def _schema_errors(data: object, root: yaml.Node | None) -> list[ConfigError]:
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
            _located(
                root,
                "unknown-key",
                (*path, str(extra)),
                f"unknown key `{extra}`",
                _unknown_key_hint(str(extra), allowed, in_project=allowed == _PROJECT_KEYS),
                key=True,
            )
            for extra in instance
            if extra not in allowed
        ]
    if kind == "required" and isinstance(instance, dict):
        owner = f"`{_location(path)}`" if path else "the file"
        return [
            _located(
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
            _located(
                root,
                "workspace-and-workspaces",
                (*path, "workspaces"),
                "both `workspace` and `workspaces` are set",
                "keep one: `workspace: NAME` for one workspace, `workspaces: [a, b]` for several",
                key=True,
            )
        ]
    message, hint, code = _describe(error, path)
    return [_located(root, code, path, message, hint)]


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
    if in_project and key in _TOP_KEYS:
        return f"`{key}` belongs at the top level of the file, not inside a project"
    if not in_project and key in _PROJECT_KEYS:
        return f"`{key}` belongs inside a project: `projects:` then `- {key}: ...`"
    return "the accepted keys are " + ", ".join(f"`{name}`" for name in allowed)


# --- meaning ----------------------------------------------------------------------------------------------


def _semantic_errors(data: Mapping[Any, Any], root: yaml.Node | None) -> list[ConfigError]:
    """What a schema cannot say: paths inside the repository, unique names, unique dir + workspace."""
    errors = _policy_set_errors(data, root)
    entries = data.get("projects")
    if not isinstance(entries, list):
        return errors
    names: dict[str, int] = {}
    slots: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        raw_dir = entry.get("dir")
        dir: str | None = None
        if isinstance(raw_dir, str) and raw_dir:
            problem = dir_problem(raw_dir)
            if problem is not None:
                errors.append(_located(root, problem[0], ("projects", index, "dir"), problem[1], problem[2]))
            else:
                dir = normalize_dir(raw_dir)
        errors += _pattern_errors(entry, index, dir, root)
        explicit = entry.get("name") if isinstance(entry.get("name"), str) else None
        if dir is None and explicit is None:
            continue
        workspaces = _workspaces_of(entry)
        for workspace in workspaces:
            if dir is not None:
                earlier = slots.setdefault((dir, workspace), index)
                if earlier != index:
                    errors.append(
                        _located(
                            root,
                            "duplicate-project",
                            ("projects", index, "dir"),
                            f"`{dir}` in workspace `{workspace}` is already projects[{earlier}]",
                            "remove the repeat; to plan one directory in several workspaces, list them in one "
                            "entry: `workspaces: [default, staging]`",
                        )
                    )
                    if explicit is None:
                        continue  # the name repeats only because the directory does: one error is enough
            name = _project_name(explicit, dir or "", workspace, len(workspaces) > 1)
            first = names.setdefault(name, index)
            if first != index:
                key = "name" if explicit is not None else "dir"
                errors.append(
                    _located(
                        root,
                        "duplicate-name",
                        ("projects", index, key),
                        f"the project name `{name}` is already used by projects[{first}]",
                        "give each project a unique `name`",
                    )
                )
    return errors


def _policy_set_errors(data: Mapping[Any, Any], root: yaml.Node | None) -> list[ConfigError]:
    """Policy set names must be unique, and not the default set's."""
    policies = data.get("policies")
    if not isinstance(policies, dict):
        return []
    return [
        _located(
            root,
            "duplicate-policy-set",
            ("policies", "sets"),
            f"the policy set name `{name}` is used twice (or is the default set's)",
            "give each policy set its own `name`",
        )
        for name in duplicate_set_names(policies)
    ]


def _workspaces_of(entry: Mapping[str, Any]) -> tuple[str, ...]:
    many = entry.get("workspaces")
    if isinstance(many, list) and many:
        return tuple(dict.fromkeys(ws for ws in many if isinstance(ws, str)))
    one = entry.get("workspace")
    return (one,) if isinstance(one, str) else (DEFAULT_WORKSPACE,)


def _pattern_errors(entry: Mapping[str, Any], index: int, dir: str | None, root: yaml.Node | None) -> list[ConfigError]:
    patterns = entry.get("when_modified")
    if not isinstance(patterns, list):
        return []
    errors = []
    for number, pattern in enumerate(patterns):
        if not isinstance(pattern, str) or not pattern:
            continue
        path = ("projects", index, "when_modified", number)
        if pattern.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:", pattern):
            errors.append(
                _located(
                    root,
                    "glob-absolute",
                    path,
                    f"`{pattern}` is an absolute path",
                    "write globs relative to the project's `dir`, e.g. `*.tf` or `../modules/**/*.tf`",
                )
            )
        elif "\\" in pattern:
            errors.append(_located(root, "glob-backslash", path, f"`{pattern}` uses backslashes", "use `/`"))
        elif dir is not None and _escapes(posixpath.normpath(posixpath.join(dir, pattern))):
            depth = 0 if dir == "." else dir.count("/") + 1
            errors.append(
                _located(
                    root,
                    "glob-outside-repo",
                    path,
                    f"`{pattern}` climbs out of the repository from `{dir}`",
                    f"globs are relative to `{dir}`; use at most {depth} `../`",
                )
            )
    return errors


def _build(data: Mapping[str, Any]) -> RepoConfig:
    projects = []
    for entry in data.get("projects") or ():
        projects.append(
            ProjectConfig(
                dir=normalize_dir(entry["dir"]),
                name=entry.get("name"),
                workspaces=_workspaces_of(entry),
                when_modified=tuple(entry.get("when_modified") or ()),
                terraform_version=entry.get("terraform_version"),
            )
        )
    return RepoConfig(
        version=int(data["version"]),
        projects=tuple(projects),
        apply_requirements=tuple(data.get("apply_requirements") or ()),
        allow_commands=tuple(data.get("allow_commands") or ()),
        parallel_plan=data.get("parallel_plan"),
        backend=backend_from_config(data["backend"]) if data.get("backend") else None,
        policies=policies_from_config(data.get("policies")),
        drift_schedule=(data.get("drift") or {}).get("schedule", True) is not False,
        fixes_auto=(data.get("fixes") or {}).get("auto", False) is True,
    )

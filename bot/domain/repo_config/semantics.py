"""What a schema cannot say: directories inside the repository, unique names and workspaces, sound globs."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from typing import Any

import yaml

from bot.domain.policies.config import duplicate_set_names
from bot.domain.repo_config.errors import ConfigError
from bot.domain.repo_config.schema import DEFAULT_WORKSPACE
from bot.domain.repo_config.yaml_nodes import located


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


def project_name(explicit: str | None, dir: str, workspace: str, several: bool) -> str:
    """A project's name: its own for one workspace, else `<name or dir>[@workspace]` (see ProjectConfig)."""
    if explicit is not None and not several:
        return explicit
    base = explicit if explicit is not None else dir
    return base if workspace == DEFAULT_WORKSPACE else f"{base}@{workspace}"


def _escapes(normalized: str) -> bool:
    """Whether a normalised path climbs out of the repository."""
    return normalized == ".." or normalized.startswith("../")


def semantic_errors(data: Mapping[Any, Any], root: yaml.Node | None) -> list[ConfigError]:
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
                errors.append(located(root, problem[0], ("projects", index, "dir"), problem[1], problem[2]))
            else:
                dir = normalize_dir(raw_dir)
        errors += _pattern_errors(entry, index, dir, root)
        explicit = entry.get("name") if isinstance(entry.get("name"), str) else None
        if dir is None and explicit is None:
            continue
        workspaces = workspaces_of(entry)
        for workspace in workspaces:
            if dir is not None:
                earlier = slots.setdefault((dir, workspace), index)
                if earlier != index:
                    errors.append(
                        located(
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
            name = project_name(explicit, dir or "", workspace, len(workspaces) > 1)
            first = names.setdefault(name, index)
            if first != index:
                key = "name" if explicit is not None else "dir"
                errors.append(
                    located(
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
        located(
            root,
            "duplicate-policy-set",
            ("policies", "sets"),
            f"the policy set name `{name}` is used twice (or is the default set's)",
            "give each policy set its own `name`",
        )
        for name in duplicate_set_names(policies)
    ]


def workspaces_of(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """An entry's workspaces, from `workspaces` or `workspace`, else the default one."""
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
                located(
                    root,
                    "glob-absolute",
                    path,
                    f"`{pattern}` is an absolute path",
                    "write globs relative to the project's `dir`, e.g. `*.tf` or `../modules/**/*.tf`",
                )
            )
        elif "\\" in pattern:
            errors.append(located(root, "glob-backslash", path, f"`{pattern}` uses backslashes", "use `/`"))
        elif dir is not None and _escapes(posixpath.normpath(posixpath.join(dir, pattern))):
            depth = 0 if dir == "." else dir.count("/") + 1
            errors.append(
                located(
                    root,
                    "glob-outside-repo",
                    path,
                    f"`{pattern}` climbs out of the repository from `{dir}`",
                    f"globs are relative to `{dir}`; use at most {depth} `../`",
                )
            )
    return errors

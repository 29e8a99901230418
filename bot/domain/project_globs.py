"""Which projects' `when_modified` globs a changed file matches, indexed so a large change is matched quickly."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence

from bot.domain.models import Project

ROOT_DIR = "."


class GlobIndex:
    """Every project's when_modified globs, resolved against its dir and indexed by their fixed directories.

    Most globs only have a wildcard in the file name (`*.tf` in the project's dir): they are found by an exact
    lookup of the changed file's directory and tried on its name, each distinct name pattern compiled once.
    Globs with a wildcard in a directory (`../../modules/**/*.tf`) are few and shared by many projects: each
    distinct one is compiled once and tried only on files under its fixed leading directories.
    """

    def __init__(self, projects: Iterable[Project]) -> None:
        by_dir: dict[str, dict[str, set[Project]]] = {}
        by_prefix: dict[str, dict[str, set[Project]]] = {}
        for project in projects:
            for pattern in project.when_modified:
                if "/" not in pattern and pattern not in (".", "..", "**"):
                    dir, name = project.dir, pattern
                else:
                    resolved = _resolve_glob(project.dir, pattern)
                    if resolved is None:
                        continue
                    parts = resolved.split("/")
                    fixed = _takewhile_literal(parts)
                    if len(fixed) < len(parts) - 1 or parts[-1] == "**":
                        prefix = "/".join(fixed) or ROOT_DIR
                        by_prefix.setdefault(prefix, {}).setdefault(resolved, set()).add(project)
                        continue
                    dir, name = "/".join(parts[:-1]) or ROOT_DIR, parts[-1]
                by_dir.setdefault(dir, {}).setdefault(name, set()).add(project)
        compiled: dict[str, re.Pattern[str]] = {}
        self._by_dir = {
            dir: [(_cached_regex(name, compiled), frozenset(members)) for name, members in names.items()]
            for dir, names in by_dir.items()
        }
        self._by_prefix = {
            prefix: [(_cached_regex(glob, compiled), frozenset(members)) for glob, members in globs.items()]
            for prefix, globs in by_prefix.items()
        }

    def matching(self, path: str) -> set[Project]:
        found: set[Project] = set()
        dir, _, name = path.rpartition("/")
        dir = dir or ROOT_DIR
        for regex, members in self._by_dir.get(dir, ()):
            if regex.fullmatch(name):
                found |= members
        if self._by_prefix:
            for prefix in _ancestors(dir):
                for regex, members in self._by_prefix.get(prefix, ()):
                    if regex.fullmatch(path):
                        found |= members
        return found


def _cached_regex(glob: str, compiled: dict[str, re.Pattern[str]]) -> re.Pattern[str]:
    if glob not in compiled:
        compiled[glob] = glob_regex(glob)
    return compiled[glob]


def glob_regex(glob: str) -> re.Pattern[str]:
    """A repo-relative glob as a regex: `*` and `?` stay within one directory, `**` spans any number of them."""
    parts = glob.split("/")
    out = ""
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            out += ".+" if last else "(?:[^/]+/)*"
            continue
        out += _segment_regex(part) + ("" if last else "/")
    return re.compile(out)


def _segment_regex(part: str) -> str:
    out = ""
    i = 0
    while i < len(part):
        char = part[i]
        if char == "*":
            while i + 1 < len(part) and part[i + 1] == "*":
                i += 1
            out += "[^/]*"
        elif char == "?":
            out += "[^/]"
        elif char == "[" and (close := part.find("]", i + 2)) > 0:
            body = part[i + 1 : close]
            negate = body[:1] in ("!", "^")
            body = body[1:] if negate else body
            out += "[" + ("^/" if negate else "") + body.replace("\\", "\\\\") + "]"
            i = close
        else:
            out += re.escape(char)
        i += 1
    return out


def _takewhile_literal(parts: Sequence[str]) -> list[str]:
    fixed = []
    for part in parts:
        if any(char in part for char in "*?["):
            break
        fixed.append(part)
    return fixed


def _resolve_glob(dir: str, pattern: str) -> str | None:
    """A project glob made repo-relative; None when it leaves the repository."""
    joined = pattern if dir == ROOT_DIR else f"{dir}/{pattern}"
    resolved = posixpath.normpath(joined)
    if resolved == ".." or resolved.startswith("../") or resolved.startswith("/"):
        return None
    return resolved


def _ancestors(dir: str) -> list[str]:
    """dir and every directory above it, the repository root (".") included."""
    found = [ROOT_DIR]
    if dir != ROOT_DIR:
        parts = dir.split("/")
        found += ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return found

"""Reading one field of a webhook payload: its type, and the range or shape a column or a worker can take."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# Every integer Olympus keeps must fit a signed 64-bit column (jobs.installation_id is a BigInteger); GitHub's ids do.
MAX_INTEGER = 2**63 - 1
MIN_INTEGER = -(2**63)
# GitHub refuses issue and comment bodies over 65,536 characters ("Body is too long (maximum is 65536 characters)").
MAX_TEXT_CHARS = 65_536
# Branch and check names are free text to Olympus; 1,024 characters is far past what git and GitHub allow.
MAX_NAME_CHARS = 1024


class FieldProblem(Exception):
    """A field is absent, of the wrong type, or out of range; the message names it by its path."""


@dataclass(frozen=True)
class Shape:
    """What a string field must look like, and how to say so."""

    pattern: re.Pattern[str]
    says: str


# Logins are letters, digits and hyphens (Enterprise Managed Users add "_shortcode"); Apps post as "name[bot]".
LOGIN = Shape(re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}(\[bot\])?"), "a GitHub login")
# The name becomes a folder under OLYMPUS_DATA_DIR (bot/wiring.py), so "." and ".." are refused.
FULL_NAME = Shape(
    re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}/(?!\.{1,2}$)[A-Za-z0-9_.-]{1,100}"), "a repository's owner/name"
)
# SHA-1, or SHA-256 in repositories that use it.
COMMIT = Shape(re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?"), "a commit id (40 or 64 lower-case hex digits)")
# GitHub's actions and review states: "created", "changes_requested".
WORD = Shape(re.compile(r"[A-Za-z_]{1,64}"), "a word of letters and underscores")


def value_at(payload: Mapping[str, Any], path: str, *, within: str = "") -> Any:
    """The value at a dotted path; within is the path of payload itself, for the message."""
    value: Any = payload
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise FieldProblem(f"'{within}{path}' is missing")
        value = value[part]
    return value


def number(payload: Mapping[str, Any], path: str, *, within: str = "") -> int:
    """A positive id or issue number that fits the signed 64-bit columns and parameters it goes to."""
    value = value_at(payload, path, within=within)
    # bool is an int in Python, but true is not an issue number.
    if not isinstance(value, int) or isinstance(value, bool):
        raise FieldProblem(f"'{within}{path}' must be an integer")
    if not 0 < value <= MAX_INTEGER:
        raise FieldProblem(f"'{within}{path}' must be an integer from 1 to {MAX_INTEGER}")
    return value


def text(
    payload: Mapping[str, Any],
    path: str,
    shape: Shape | None = None,
    *,
    max_chars: int = MAX_NAME_CHARS,
    within: str = "",
) -> str:
    """A non-empty string of at most max_chars characters, of shape when one is given."""
    value = value_at(payload, path, within=within)
    if not isinstance(value, str):
        raise FieldProblem(f"'{within}{path}' must be a string")
    if not value:
        raise FieldProblem(f"'{within}{path}' is empty")
    return _bounded(value, f"{within}{path}", shape, max_chars)


def optional_text(payload: Mapping[str, Any], path: str, *, max_chars: int) -> str | None:
    """A string (empty allowed) of at most max_chars characters, or null."""
    value = value_at(payload, path)
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldProblem(f"'{path}' must be a string")
    return _bounded(value, path, None, max_chars)


def each(payload: Mapping[str, Any], path: str, check: Callable[[Mapping[str, Any], str], object]) -> None:
    """check(entry, within) for every object of the list at path, which may be absent or null (no entries)."""
    *parents, last = path.split(".")
    holder = value_at(payload, ".".join(parents)) if parents else payload
    entries = holder.get(last) if isinstance(holder, Mapping) else None
    if entries is None:
        return
    if not isinstance(entries, list):
        raise FieldProblem(f"'{path}' must be a list")
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise FieldProblem(f"'{path}[{index}]' must be an object")
        check(entry, f"{path}[{index}].")


def _bounded(value: str, path: str, shape: Shape | None, max_chars: int) -> str:
    if len(value) > max_chars:
        raise FieldProblem(f"'{path}' is longer than {max_chars} characters")
    if shape is not None and not shape.pattern.fullmatch(value):
        raise FieldProblem(f"'{path}' is not {shape.says}")
    return value

"""CODEOWNERS as GitHub reads it: gitignore-style patterns, the last matching line naming a file's owners."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

__all__ = ["CODEOWNERS_PATHS", "OwnerRule", "owners_of", "parse_codeowners"]

# Where GitHub looks, in this order, on the base branch; the first file found is the one used.
# https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners
CODEOWNERS_PATHS: Final = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


@dataclass(frozen=True)
class OwnerRule:
    pattern: re.Pattern[str]
    owners: tuple[str, ...]  # "@user", "@org/team" or an email; empty: the files have no owner


def parse_codeowners(text: str) -> list[OwnerRule]:
    """The rules of a CODEOWNERS file in order; lines GitHub would skip (comments, blanks) are left out."""
    rules = []
    for line in text.splitlines():
        line = re.sub(r"(?<!\\)#.*", "", line).strip()  # "\#" escapes a pattern that starts with "#"
        if not line:
            continue
        pattern, *owners = line.split()
        rules.append(OwnerRule(_compile(pattern.replace("\\#", "#")), tuple(owners)))
    return rules


def owners_of(rules: Sequence[OwnerRule], path: str) -> tuple[str, ...]:
    """The owners the last matching rule names for path; () when none matches (or it names nobody)."""
    for rule in reversed(rules):
        if rule.pattern.fullmatch(path):
            return rule.owners
    return ()


def _compile(pattern: str) -> re.Pattern[str]:
    # A slash at the start or in the middle anchors a pattern to the root; otherwise it matches at any depth.
    anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
    body = pattern.strip("/")
    regex = ""
    index = 0
    while index < len(body):
        if body.startswith("**/", index):
            regex, index = regex + "(?:.*/)?", index + 3
        elif body.startswith("**", index):
            regex, index = regex + ".*", index + 2
        elif body[index] == "*":
            regex, index = regex + "[^/]*", index + 1
        elif body[index] == "?":
            regex, index = regex + "[^/]", index + 1
        else:
            regex, index = regex + re.escape(body[index]), index + 1
    prefix = "" if anchored else "(?:.*/)?"
    # A pattern naming a directory owns everything in it, except `dir/*`, which GitHub documents as owning only
    # the files directly inside.
    suffix = "" if pattern.endswith("/*") else "(?:/.*)?"
    return re.compile(prefix + regex + suffix)

"""Chart versions as Helm reads them: SemVer 2, ordered as SemVer orders them."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["SEMVER", "semver_key"]

# SemVer 2.0.0's own regular expression (semver.org), which Helm requires of a chart's version.
SEMVER: Final = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?"
)


def semver_key(version: str) -> tuple[int, int, int, tuple[tuple[int, int | str], ...]] | None:
    """A key ordering versions as SemVer does (a pre-release before its release; build metadata ignored), or None."""
    found = SEMVER.fullmatch(version.removeprefix("v"))
    if found is None:
        return None
    major, minor, patch, pre = int(found.group(1)), int(found.group(2)), int(found.group(3)), found.group(4)
    if pre is None:
        return major, minor, patch, ((2, 0),)  # sorts after any pre-release of the same version
    parts = tuple((0, int(part)) if part.isdigit() else (1, part) for part in pre.split("."))
    return major, minor, patch, parts

"""Whether an AppProject lets an Application deploy to a destination, as Argo CD decides it (`!` entries deny)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

__all__ = ["Destination", "destination_permitted", "project_destinations"]


@dataclass(frozen=True)
class Destination:
    """One entry of an AppProject's spec.destinations: patterns for the server (or cluster name) and namespace."""

    server: str
    name: str
    namespace: str


def project_destinations(project: Mapping[str, Any]) -> list[Destination]:
    """The destinations of a loaded AppProject; an entry without a field matches nothing on that field."""
    spec = project.get("spec")
    found = spec.get("destinations") if isinstance(spec, Mapping) else None
    if not isinstance(found, list):
        return []
    return [
        Destination(str(item.get("server") or ""), str(item.get("name") or ""), str(item.get("namespace") or ""))
        for item in found
        if isinstance(item, Mapping)
    ]


def destination_permitted(destinations: Sequence[Destination], server: str, namespace: str) -> bool:
    """Argo CD's rule (AppProject.IsDestinationPermitted, 2.5 and later): one entry must match the server and the
    namespace, and no deny entry (a pattern starting with `!`) may exclude them. Patterns are globs (`*`, `?`,
    `[...]`); Argo CD's gobwas/glob also knows `{a,b}`, which this reads literally (so such an entry never allows)."""
    allowed = False
    for entry in destinations:
        server_matched = bool(entry.server) and _glob(entry.server, server)
        namespace_matched = _glob(entry.namespace, namespace)
        if server_matched and namespace_matched:
            allowed = True
        elif not server_matched and _is_deny(entry.server) and namespace_matched:
            return False
        elif not namespace_matched and _is_deny(entry.namespace) and server_matched:
            return False
    return allowed


def _is_deny(pattern: str) -> bool:
    return pattern.startswith("!")


def _glob(pattern: str, value: str) -> bool:
    if _is_deny(pattern):
        return not fnmatchcase(value, pattern[1:])
    return fnmatchcase(value, pattern)

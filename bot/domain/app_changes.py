"""Which Argo CD applications a pull request changes: their Application, values file, or in-repo chart."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.domain.app_layout import AppRef, app_at
from bot.domain.app_sources import AppSource, app_source, project_path, uses_path

__all__ = ["AppChange", "AppStatus", "changed_applications"]


class AppStatus(StrEnum):
    """What happens to an application, in the order a reviewer reads them: what is lost first."""

    REMOVED = "removed"
    CHANGED = "changed"
    ADDED = "added"


@dataclass(frozen=True)
class AppChange:
    """One application the change touches, its Application at both sides (None where it does not exist), and the
    changed files that make it so."""

    ref: AppRef
    status: AppStatus
    because: tuple[str, ...]
    base: Mapping[str, Any] | None = None
    head: Mapping[str, Any] | None = None

    @property
    def base_source(self) -> AppSource | None:
        return app_source(self.ref, self.base) if self.base is not None else None

    @property
    def head_source(self) -> AppSource | None:
        return app_source(self.ref, self.head) if self.head is not None else None


def changed_applications(
    changed_paths: Iterable[str],
    base_apps: Mapping[AppRef, Mapping[str, Any]],
    head_apps: Mapping[AppRef, Mapping[str, Any]],
) -> tuple[AppChange, ...]:
    """The applications whose rendered manifests may differ between base and head, by status then env and name.

    An application changes when its Application file changes (added, edited, removed), when one of the values files
    it names at either side changes, when a file of the in-repository chart it uses at either side changes, or when
    its AppProject's file changes (what it may deploy). `base_apps`/`head_apps` are the Applications at each side,
    keyed by where they live (app_layout.app_at), parsed.
    """
    paths = tuple(dict.fromkeys(changed_paths))
    found: list[AppChange] = []
    for ref in sorted(base_apps.keys() | head_apps.keys()):
        base, head = base_apps.get(ref), head_apps.get(ref)
        because = tuple(path for path in paths if _touches(ref, path, base, head))
        if not because:
            continue
        if base is None:
            status = AppStatus.ADDED
        elif head is None:
            status = AppStatus.REMOVED
        else:
            status = AppStatus.CHANGED
        found.append(AppChange(ref, status, because, base, head))
    order = list(AppStatus)
    found.sort(key=lambda change: (order.index(change.status), change.ref))
    return tuple(found)


def _touches(ref: AppRef, path: str, *applications: Mapping[str, Any] | None) -> bool:
    if app_at(path) == ref:
        return True
    for application in applications:
        if application is None:
            continue
        source = app_source(ref, application)
        if uses_path(source, path) or (source.project and path == project_path(source.project)):
            return True
    return False

"""The ports of Helm and Argo CD changes: render and lint charts, check and scan their objects, and sync in Argo CD."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from bot.domain.app_plans import ObjectFinding, SchemaCheck
from bot.domain.helm_lint import LintResult
from bot.domain.manifests import ManifestObject
from bot.errors import UserError

__all__ = [
    "ApplicationSyncer",
    "ArgoCdError",
    "ChartRenderer",
    "CrdValidator",
    "KubernetesValidator",
    "ManifestScanner",
]


class ChartRenderer(Protocol):
    """Lints and renders Helm charts offline, never fetching a chart or reaching a cluster (HelmCli)."""

    def lint(self, chart_dir: Path, values_files: Sequence[Path] = (), strict: bool = True) -> LintResult:
        """`helm lint` of the chart with those values files; a dependency missing from charts/ is a UserError."""
        ...

    def template(
        self,
        chart_dir: Path,
        release: str,
        namespace: str,
        values_files: Sequence[Path] = (),
        kube_version: str | None = None,
    ) -> str:
        """The chart's objects as multi-document YAML; values its schema refuses and a missing dependency are
        UserErrors that say which."""
        ...


class KubernetesValidator(Protocol):
    """Checks rendered objects against Kubernetes' own schemas for one version, offline (KubernetesSchemas)."""

    def check(self, objects: Sequence[ManifestObject], kube_version: str) -> SchemaCheck:
        """Every schema error of the objects; kinds with no schema at that version are named as unchecked."""
        ...


class CrdValidator(Protocol):
    """Checks custom resources (Argo CD's Application, AppProject) against their CRDs' JSON schemas (CrdSchemas)."""

    def check(self, objects: Sequence[ManifestObject]) -> SchemaCheck:
        """Every schema error of the objects; kinds it has no schema for are unchecked; `off` when not configured."""
        ...


class ManifestScanner(Protocol):
    """A static analyser over rendered Kubernetes objects (CheckovManifests, TrivyManifests)."""

    name: str

    def scan_objects(self, objects: Sequence[ManifestObject]) -> list[ObjectFinding]:
        """The failed checks of each object, by its index in `objects`; a crash is a ScannerError."""
        ...


class ArgoCdError(UserError):
    """An Argo CD call that failed for good (unreachable, refused, unknown Application): what, why, how to fix.

    `status` is the HTTP status Argo CD answered with, or None when it did not answer at all.
    """

    def __init__(self, reference: str, message: str, hint: str = "", *, status: int | None = None) -> None:
        super().__init__(reference, message, hint)
        self.status = status


class ApplicationSyncer(Protocol):
    """Argo CD's Application API as the sync after merge uses it; each call raises ArgoCdError when it fails.

    The answers are Argo CD's own JSON (v1alpha1Application, v1alpha1ApplicationTree), read by bot/domain/app_sync.py.
    """

    @property
    def server(self) -> str:
        """The Argo CD server's base URL, for messages."""
        ...

    def sync(self, name: str, *, dry_run: bool, prune: bool, revision: str) -> Mapping[str, Any]:
        """Start a sync of Application `name` to `revision` (a dry run: nothing changes in the cluster)."""
        ...

    def application(self, name: str) -> Mapping[str, Any]:
        """The Application with its status (sync, health, operationState, history)."""
        ...

    def resource_tree(self, name: str) -> Mapping[str, Any]:
        """The Application's live objects with their health."""
        ...

"""What an Argo CD Application renders: its in-repository chart, its values files, its release and namespace."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from bot.domain.app_layout import CHARTS_DIR, PROJECTS_DIR, AppRef, chart_of_path

__all__ = ["AppSource", "app_source", "project_path", "template_path", "touches_apps", "uses_path"]

_PREFIXES: Final = ("helm/", "argocd/")


@dataclass(frozen=True)
class AppSource:
    """One side's (base or head) Helm source of an Application, every path repo-relative.

    `chart` is "" when the chart does not live in this repository (a Helm or OCI repository's chart, which Olympus
    never fetches): `problem` then says why it cannot be rendered here.
    """

    chart: str  # the chart's name under helm/charts/, "" if none
    values: tuple[str, ...]  # helm.valueFiles resolved against the chart's directory, in their order
    release: str
    namespace: str
    project: str = ""
    problem: str = ""

    @property
    def chart_dir(self) -> str:
        return f"{CHARTS_DIR}/{self.chart}" if self.chart else ""


def app_source(ref: AppRef, application: Mapping[str, Any]) -> AppSource:
    """The Helm source an Application names, as Argo CD reads it (`spec.source`; `spec.sources` is not rendered)."""
    spec = _mapping(application.get("spec"))
    source = _mapping(spec.get("source"))
    helm = _mapping(source.get("helm"))
    destination = _mapping(spec.get("destination"))
    release = helm.get("releaseName") or ref.app
    namespace = destination.get("namespace") or ""
    project = spec.get("project") if isinstance(spec.get("project"), str) else ""
    texts = (release, namespace)
    if not all(isinstance(text, str) for text in texts):
        return AppSource("", (), str(ref.app), "", str(project), "its releaseName and namespace must be strings")
    path = source.get("path")
    if not source:
        problem = "it has no `spec.source` (Olympus renders an Application's single Helm source)"
        return AppSource("", (), str(release), str(namespace), str(project), problem)
    if not isinstance(path, str) or not path:
        chart = source.get("chart") or "?"
        problem = (
            f"its chart {chart} comes from {source.get('repoURL') or 'a chart repository'}, which Olympus does not "
            "fetch: only charts kept under helm/charts/ are rendered"
        )
        return AppSource("", (), str(release), str(namespace), str(project), problem)
    chart_dir = posixpath.normpath(path.strip("/"))
    chart = chart_of_path(chart_dir + "/")
    if chart is None or chart_dir != f"{CHARTS_DIR}/{chart}":
        problem = f"its source path {path} is not a chart under {CHARTS_DIR}/"
        return AppSource("", (), str(release), str(namespace), str(project), problem)
    files = helm.get("valueFiles") or []
    if not isinstance(files, list) or not all(isinstance(name, str) for name in files):
        return AppSource(chart, (), str(release), str(namespace), str(project), "its valueFiles is not a list of paths")
    values = tuple(posixpath.normpath(posixpath.join(chart_dir, name)) for name in files)
    outside = [name for name, resolved in zip(files, values, strict=True) if resolved.startswith("../")]
    if outside:
        problem = f"its values file {outside[0]} is outside the repository"
        return AppSource(chart, (), str(release), str(namespace), str(project), problem)
    return AppSource(chart, values, str(release), str(namespace), str(project))


def uses_path(source: AppSource, path: str) -> bool:
    """Whether a changed file changes what this source renders: a file of its chart, or one of its values files."""
    if source.chart and path.startswith(source.chart_dir + "/"):
        return True
    return path in source.values


def project_path(project: str) -> str:
    """Where an AppProject's file lives by the layout (argocd/projects/<project>.yaml)."""
    return f"{PROJECTS_DIR}/{project}.yaml"


def template_path(chart_dir: str, source: str) -> str:
    """The repo path of a rendered object's template: `# Source: <chart>/templates/x.yaml` is relative to the chart's
    parent, so its first part is the chart's own name."""
    if not source:
        return chart_dir
    _, _, rest = source.partition("/")
    return f"{chart_dir}/{rest}" if rest else chart_dir


def touches_apps(paths: list[str] | tuple[str, ...]) -> bool:
    """Whether any changed path is under helm/ or argocd/: the only places an application's plan can come from."""
    return any(path.startswith(_PREFIXES) for path in paths)


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}

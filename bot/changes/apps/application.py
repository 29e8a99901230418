"""The Argo CD Application of one release: the text Olympus writes, and what an existing one says."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import yaml

from bot.domain.app_layout import (
    APPS_DIR,
    ARGOCD_NAMESPACE,
    CHARTS_DIR,
    IN_CLUSTER_SERVER,
    AppRef,
    app_at,
    application_name,
    chart_dir,
    values_file_ref,
)
from bot.domain.models import Refusal
from bot.ports import RepoReader

__all__ = ["DEFAULT_TARGET_REVISION", "AppSpec", "all_applications", "application_text", "read_application"]

# The branch Argo CD follows for an in-repository chart: the repository's default branch, which is where a reviewed
# pull request lands.
DEFAULT_TARGET_REVISION = "HEAD"


@dataclass(frozen=True)
class AppSpec:
    """What an Application file says about its release: where its chart comes from and where it deploys."""

    path: str  # the file it was read from
    name: str  # metadata.name
    project: str
    repo_url: str
    target_revision: str
    namespace: str
    server: str
    chart_path: str  # spec.source.path ("" for a chart from a Helm or OCI repository)
    remote_chart: str  # spec.source.chart ("" for a chart in a git repository)
    value_files: tuple[str, ...]

    @property
    def repo_chart(self) -> str | None:
        """The in-repository chart's name when the source is helm/charts/<chart>, else None."""
        prefix = CHARTS_DIR + "/"
        rest = self.chart_path.strip("/").removeprefix(prefix)
        if self.chart_path.strip("/").startswith(prefix) and rest and "/" not in rest:
            return rest
        return None


def application_text(ref: AppRef, *, chart: str, namespace: str, project: str, repo_url: str) -> str:
    """The Application of `ref` as YAML. Every value is a checked name, and written as a JSON string (a YAML
    double-quoted scalar), so nothing in it can start another key."""
    q = json.dumps
    return f"""# The Argo CD Application of release {ref.app} in env {ref.env}, written by Olympus.
# Argo CD renders helm/charts/{chart} with helm/values/{ref.env}/{ref.app}.yaml layered over the chart's
# values.yaml.
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {q(application_name(ref.app, ref.env))}
  # Argo CD reads Applications from its own namespace only.
  namespace: {q(ARGOCD_NAMESPACE)}
  labels:
    app.kubernetes.io/name: {q(ref.app)}
    app.kubernetes.io/part-of: {q(project)}
spec:
  # The AppProject bounds what this Application may deploy and where (argocd/projects/{project}.yaml).
  project: {q(project)}
  source:
    repoURL: {q(repo_url)}
    # The default branch: what is merged there, after review, is what runs.
    targetRevision: {q(DEFAULT_TARGET_REVISION)}
    path: {q(chart_dir(chart))}
    helm:
      releaseName: {q(ref.app)}
      # Relative to the chart's directory, as Argo CD resolves valueFiles.
      valueFiles:
        - {q(values_file_ref(ref.env, ref.app))}
  destination:
    server: {q(IN_CLUSTER_SERVER)}
    namespace: {q(namespace)}
  # No automated sync: Olympus asks Argo CD to sync after the pull request is merged (a dry run first), so a change
  # reaches the cluster only once it was reviewed; a manual sync does not prune unless asked to.
  syncPolicy:
    syncOptions:
      - CreateNamespace=true
"""


def read_application(repo: RepoReader, ref: AppRef) -> AppSpec | Refusal | None:
    """The Application of `ref` as its file says, None when there is no file, a refusal when it cannot be read."""
    path = ref.application_path
    text = repo.read_text(path)
    if text is None:
        return None
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as error:
        return Refusal(
            message=f"{path} is not valid YAML: {str(error)[:200]}", hint="Fix the file first.", location=path
        )
    if not isinstance(loaded, dict) or loaded.get("kind") != "Application":
        return Refusal(
            message=f"{path} is not an Argo CD Application.",
            hint="Olympus keeps each release's Application there; move that file aside.",
            location=path,
        )
    spec = _mapping(loaded.get("spec"))
    if "sources" in spec and "source" not in spec:
        return Refusal(
            message=f"{path} is a multi-source Application, which Olympus does not edit yet.",
            hint="Edit it in a pull request of your own.",
            location=path,
        )
    source, destination = _mapping(spec.get("source")), _mapping(spec.get("destination"))
    helm = _mapping(source.get("helm"))
    files = helm.get("valueFiles")
    return AppSpec(
        path=path,
        name=str(_mapping(loaded.get("metadata")).get("name") or ""),
        project=str(spec.get("project") or ""),
        repo_url=str(source.get("repoURL") or ""),
        target_revision=str(source.get("targetRevision") or ""),
        namespace=str(destination.get("namespace") or ""),
        server=str(destination.get("server") or ""),
        chart_path=str(source.get("path") or ""),
        remote_chart=str(source.get("chart") or ""),
        value_files=tuple(str(item) for item in files) if isinstance(files, list) else (),
    )


def existing_application(repo: RepoReader, ref: AppRef) -> AppSpec | Refusal:
    """The release's Application, or why there is none to change (it is unreadable, or was never created)."""
    app = read_application(repo, ref)
    if app is not None:
        return app
    return Refusal(
        message=f"There is no application {ref.app} in env {ref.env} ({ref.application_path} does not exist).",
        hint=f"Create it first: `/infra create app {ref.app} chart=CHART namespace=NAMESPACE env={ref.env}`.",
    )


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def all_applications(repo: RepoReader) -> list[tuple[AppRef, AppSpec]]:
    """Every Application file under argocd/apps/<env>/ that reads as one, by env and name; others are left out."""
    found = []
    for path in repo.list_files(APPS_DIR + "/"):
        ref = app_at(path)
        spec = read_application(repo, ref) if ref is not None and ref.application_path == path else None
        if ref is not None and isinstance(spec, AppSpec):
            found.append((ref, spec))
    return sorted(found, key=lambda pair: pair[0])

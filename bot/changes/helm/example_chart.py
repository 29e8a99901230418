"""The example chart and its Argo CD project, shipped as package data, as repo path → text for the scaffold."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable

__all__ = ["EXAMPLE_CHART_DIR", "EXAMPLE_PROJECT_FILE", "example_chart_files"]

EXAMPLE_CHART_DIR = "helm/charts/example-data-app"
EXAMPLE_PROJECT_FILE = "argocd/projects/data-apps.yaml"
# The shipped tree mirrors the repository's: files/helm/... is written to helm/..., files/argocd/... to argocd/...
_ROOTS = ("helm", "argocd")


def example_chart_files() -> dict[str, str]:
    """Every file of the example chart and of its AppProject: repo-relative path → text, sorted by path."""
    shipped = files("bot.changes.helm").joinpath("files")
    found: dict[str, str] = {}
    for root in _ROOTS:
        _collect(shipped.joinpath(root), root, found)
    return dict(sorted(found.items()))


def _collect(folder: Traversable, prefix: str, found: dict[str, str]) -> None:
    for entry in folder.iterdir():
        path = f"{prefix}/{entry.name}"
        if entry.is_dir():
            if entry.name != "__pycache__":
                _collect(entry, path, found)
        else:
            found[path] = entry.read_text(encoding="utf-8")

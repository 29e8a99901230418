"""Where an application's files live in a repository: its Argo CD Application, its values per env, its chart.

One convention shared by the generators (bot/changes/apps), the plan step (rendering base and head), the sync
after merge and the MCP tools, so that each finds what another wrote:

- `helm/charts/<chart>/`: a chart kept in the repository (Chart.yaml, values.yaml, values.schema.json, templates/).
- `helm/values/<env>/<app>.yaml`: one release's values in one env, layered over the chart's own values.yaml.
- `argocd/apps/<env>/<app>.yaml`: the Argo CD Application of that release, named `<app>-<env>` (Application names
  are unique in Argo CD's namespace, and the same app runs in several envs); its Helm source names the values file
  relative to the chart's directory, as Argo CD resolves `valueFiles`.
- `argocd/projects/<project>.yaml`: AppProjects, the boundary each Application's destination must stay inside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

__all__ = [
    "APPS_DIR",
    "APP_DIRS",
    "ARGOCD_NAMESPACE",
    "CHARTS_DIR",
    "DEFAULT_PROJECT",
    "EXAMPLE_CHART",
    "IN_CLUSTER_SERVER",
    "PROJECTS_DIR",
    "VALUES_DIR",
    "AppRef",
    "app_at",
    "is_app_file",
    "application_name",
    "application_path",
    "chart_dir",
    "chart_of_path",
    "release_of_values",
    "values_file_ref",
    "values_path",
]

CHARTS_DIR: Final = "helm/charts"
VALUES_DIR: Final = "helm/values"
APPS_DIR: Final = "argocd/apps"
PROJECTS_DIR: Final = "argocd/projects"
# Argo CD reads Applications and AppProjects from its own namespace only (unless apps-in-any-namespace is on).
ARGOCD_NAMESPACE: Final = "argocd"
DEFAULT_PROJECT: Final = "data-apps"
EXAMPLE_CHART: Final = "example-data-app"
# The cluster Argo CD itself runs in, as Argo CD names it.
IN_CLUSTER_SERVER: Final = "https://kubernetes.default.svc"

# What Olympus's Helm and Argo CD changes write; Argo CD reads these, Terraform does not.
APP_DIRS: Final = (CHARTS_DIR, VALUES_DIR, APPS_DIR, PROJECTS_DIR)
_APP_FILE: Final = re.compile(r"^argocd/apps/([^/]+)/([^/]+)\.ya?ml$")
_VALUES_FILE: Final = re.compile(r"^helm/values/([^/]+)/([^/]+)\.ya?ml$")
_CHART_FILE: Final = re.compile(r"^helm/charts/([^/]+)/")


@dataclass(frozen=True, order=True)
class AppRef:
    """One release of an application in one env: what `/infra helm set NAME env=ENV` names."""

    env: str
    app: str

    @property
    def application(self) -> str:
        return application_name(self.app, self.env)

    @property
    def application_path(self) -> str:
        return application_path(self.env, self.app)

    @property
    def values_path(self) -> str:
        return values_path(self.env, self.app)


def application_name(app: str, env: str) -> str:
    """The Argo CD Application's metadata.name: `<app>-<env>`."""
    return f"{app}-{env}"


def application_path(env: str, app: str) -> str:
    return f"{APPS_DIR}/{env}/{app}.yaml"


def values_path(env: str, app: str) -> str:
    return f"{VALUES_DIR}/{env}/{app}.yaml"


def chart_dir(chart: str) -> str:
    return f"{CHARTS_DIR}/{chart}"


def values_file_ref(env: str, app: str) -> str:
    """The values file as the Application's `helm.valueFiles` names it: relative to `helm/charts/<chart>`."""
    return f"../../values/{env}/{app}.yaml"


def is_app_file(path: str) -> bool:
    """Whether `path` is in one of the folders an application's files live in (helm/charts/, argocd/apps/, ...)."""
    return path.startswith(tuple(folder + "/" for folder in APP_DIRS))


def app_at(path: str) -> AppRef | None:
    """The release whose Application file `path` is (`argocd/apps/staging/payments-api.yaml`), else None."""
    found = _APP_FILE.match(path)
    return AppRef(found.group(1), found.group(2)) if found else None


def release_of_values(path: str) -> AppRef | None:
    """The release whose values file `path` is (`helm/values/staging/payments-api.yaml`), else None."""
    found = _VALUES_FILE.match(path)
    return AppRef(found.group(1), found.group(2)) if found else None


def chart_of_path(path: str) -> str | None:
    """The in-repository chart a changed file belongs to (`helm/charts/<chart>/...`), else None."""
    found = _CHART_FILE.match(path)
    return found.group(1) if found else None

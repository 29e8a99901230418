"""Repositories with Helm applications for tests: the example chart, and Applications written by hand per app_layout."""

from __future__ import annotations

from pathlib import Path

import yaml
from fixture_paths import shared_fixtures

from bot.changes.helm.example_chart import example_chart_files
from bot.domain.app_layout import (
    ARGOCD_NAMESPACE,
    DEFAULT_PROJECT,
    EXAMPLE_CHART,
    IN_CLUSTER_SERVER,
    application_name,
    application_path,
    chart_dir,
    values_file_ref,
    values_path,
)

REPO_URL = "https://github.com/example-org/infra.git"


def crd_schemas() -> Path:
    """datree's CRDs-catalog schemas of Argo CD's Application and AppProject, in the shared fixtures."""
    return shared_fixtures() / "argocd" / "datreeio-CRDs-catalog"


def application(app: str, env: str, namespace: str, *, chart: str = EXAMPLE_CHART, **spec: object) -> dict[str, object]:
    """An Argo CD Application of `app` in `env`, as app_layout says one is written; `spec` adds or replaces keys."""
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": application_name(app, env), "namespace": ARGOCD_NAMESPACE},
        "spec": {
            "project": DEFAULT_PROJECT,
            "source": {
                "repoURL": REPO_URL,
                "path": chart_dir(chart),
                "targetRevision": "HEAD",
                "helm": {"releaseName": app, "valueFiles": [values_file_ref(env, app)]},
            },
            "destination": {"server": IN_CLUSTER_SERVER, "namespace": namespace},
            **spec,
        },
    }


def app_files(app: str, env: str, namespace: str, values: str = "replicaCount: 2\n", **spec: object) -> dict[str, str]:
    """The Application file and values file of one release."""
    return {
        application_path(env, app): yaml.safe_dump(application(app, env, namespace, **spec), sort_keys=False),
        values_path(env, app): values,
    }


def platform_files() -> dict[str, str]:
    """The example chart and its AppProject, as the scaffold writes them."""
    return dict(example_chart_files())

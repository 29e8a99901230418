"""The repository of the failed-sync fix tests: the example chart, one Application, and a merge that moved its image
to a tag the registry does not have; the texts the cassette's proposals are made from."""

from __future__ import annotations

from fakes import app_repo

from bot.changes.helm.example_chart import example_chart_files

REPO = app_repo.REPO
APPLICATION_PATH = "argocd/apps/staging/payments-api.yaml"
VALUES = "helm/values/staging/payments-api.yaml"
CHART_VALUES = "helm/charts/example-data-app/values.yaml"
# The sync tests' Application, its release named (the chart's resources are named after it).
APPLICATION = app_repo.APPLICATION.replace("    helm:\n", "    helm:\n      releaseName: payments-api\n")
assert "releaseName: payments-api" in APPLICATION
# A secret-keyed value of the chart's own: the model is shown the chart's values.yaml, never this value.
CHART_SECRET = "rpt-9d8c7b6a5f4e3d2c1b"
BEFORE = 'replicaCount: 2\nimage:\n  repository: ghcr.io/example-org/example-data-app\n  tag: "1.4.2"\n'
MERGED = BEFORE.replace('"1.4.2"', '"1.5.0"')  # the merged pull request's change: a tag never pushed
# The model's tries: the Application pointed elsewhere (refused), the image as one string (the chart's schema
# refuses it, so helm fails to render), then the tag the merge replaced.
MOVED_APPLICATION = APPLICATION.replace("namespace: payments", "namespace: payments-old")
IMAGE_AS_STRING = 'replicaCount: 2\nimage: "ghcr.io/example-org/example-data-app:1.4.2"\n'
FIXED = BEFORE


# The repository turned the fix loop on: a failed sync is diagnosed by itself.
AUTO_FIXES = "version: 1\nfixes:\n  auto: true\n"


def repository_files() -> dict[str, str]:
    """The default branch before the merge."""
    files = example_chart_files()
    files[CHART_VALUES] = files[CHART_VALUES].replace("env: {}", f"env:\n  REPORTS_API_TOKEN: {CHART_SECRET}")
    assert CHART_SECRET in files[CHART_VALUES]
    files |= {"README.md": "# infra\n", ".olympus.yaml": AUTO_FIXES}
    return {**files, APPLICATION_PATH: APPLICATION, VALUES: BEFORE}

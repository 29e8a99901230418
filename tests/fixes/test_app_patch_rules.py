"""The patch rules of a failed sync's fix: only the application's own values files, kept a YAML mapping."""

from __future__ import annotations

from bot.changes.fixes.app_patch_rules import app_patch_problems
from bot.changes.fixes.patch_rules import FileEdit

APP = "payments-api-staging"
VALUES = ("helm/values/staging/payments-api.yaml",)


def problems(path: str, after: str | None = "replicaCount: 3\n") -> list[str]:
    return app_patch_problems([FileEdit(path, "replicaCount: 2\n", after)], APP, VALUES)


def test_the_applications_values_file_may_change() -> None:
    assert problems(VALUES[0]) == []


def test_the_application_manifest_the_chart_and_other_apps_may_not() -> None:
    [manifest] = problems("argocd/apps/staging/payments-api.yaml")
    assert "is the Argo CD Application: a fix never changes it" in manifest and VALUES[0] in manifest
    [chart] = problems("helm/charts/example-data-app/templates/deployment.yaml")
    assert "which every release using it shares" in chart
    [other] = problems("helm/values/prod/payments-api.yaml")
    assert "belongs to another application" in other
    [project] = problems("argocd/projects/data-apps.yaml")
    assert "belongs to another application or to Argo CD's setup" in project
    [config] = problems(".olympus.yaml")
    assert "a fix never changes it" in config
    [outside] = problems("../helm/values/staging/payments-api.yaml")
    assert "not a path inside the repository" in outside


def test_a_values_file_stays_a_yaml_mapping_and_is_not_deleted() -> None:
    [broken] = problems(VALUES[0], "image: [unclosed\n")
    assert "is not valid YAML after the fix at line" in broken
    [listed] = problems(VALUES[0], "- replicaCount: 3\n")
    assert "must stay a mapping of values" in listed and "not a list" in listed
    [deleted] = problems(VALUES[0], None)
    assert "would be deleted" in deleted
    assert app_patch_problems([], APP, VALUES)[0].startswith("the fix changes no file")

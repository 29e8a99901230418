"""A repository's kubernetes policy set over an application change, with the real helm and the real Rego engine."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from app_repos import app_files, platform_files
from helm_tools import helm_or_fail
from local_repos import commit_files, empty_repo
from olympus_cli import git

from bot.adapters.git_tree import GitTreeReader
from bot.adapters.helm import HelmCli
from bot.adapters.kube_schemas import CrdSchemas, KubernetesSchemas
from bot.adapters.localgit import LocalGit
from bot.adapters.rego import RegoEngine
from bot.changes.helm.example_chart import example_chart_files
from bot.domain.policies.render import policy_lines
from bot.services.app_policies import judge_apps
from bot.services.context import AppCheckers
from bot.services.plan_apps import find_app_changes, plan_applications

NAMESPACE = "data-staging-payments"
VALUES = "helm/values/staging/payments-api.yaml"
# conftest's --combine form: input is every object of the render, each {"path", "contents"}.
LIMITS = """package main

deny contains msg if {
    some doc in input
    doc.contents.kind == "Deployment"
    some c in doc.contents.spec.template.spec.containers
    not c.resources.limits
    meta := doc.contents.metadata
    msg := sprintf("Deployment/%s/%s: container %s of %s has no resource limits",
        [meta.namespace, meta.name, c.name, data.olympus.application.name])
}

# A Secret the chart renders without a namespace: its path still names the object (`<app>-<env>/Kind/ns/name`).
warn contains {"msg": sprintf("secret key %s: %s", [k, v]), "address": address} if {
    some doc in input
    address := concat("/", array.slice(split(doc.path, "/"), 1, 4))
    doc.contents.kind == "Secret"
    some k, v in doc.contents.stringData
}
"""
CONFIG = """version: 1
policies:
  default: false
  sets:
    - name: k8s
      paths: [policy/k8s]
      owners: [acme-sec]
      targets: [kubernetes]
"""
DEPLOYMENT = "helm/charts/example-data-app/templates/deployment.yaml"
SECRET = (
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-creds\n"
    "stringData:\n  password: hunter2-{{ .Release.Name }}\n"
)


def without_limits() -> dict[str, str]:
    """The chart's Deployment with requests only (its values schema requires limits, so the template drops them)."""
    text = example_chart_files()[DEPLOYMENT]
    kept = text.replace(
        "{{- toYaml .Values.resources | nindent 12 }}", "{{- toYaml .Values.resources.requests | nindent 12 }}"
    )
    assert kept != text
    return {
        DEPLOYMENT: kept.replace(
            "resources:\n            {{- toYaml .Values.resources.requests",
            "resources:\n            requests:\n              {{- toYaml .Values.resources.requests",
        )
    }


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = empty_repo(tmp_path / "infra")
    files = {**platform_files(), **app_files("payments-api", "staging", NAMESPACE)}
    commit_files(root, {**files, ".olympus.yaml": CONFIG, "policy/k8s/limits.rego": LIMITS})
    return root


def judged(repo: Path):  # type: ignore[no-untyped-def]
    local = LocalGit.open(repo)
    base, head = GitTreeReader(local, "main"), GitTreeReader(local, "change")
    changed = git(repo, "diff", "--name-only", "main...change").split()
    changes, _ = find_app_changes(base, head, changed)
    checkers = AppCheckers(HelmCli(helm_or_fail()), KubernetesSchemas(), CrdSchemas(None), [])
    plans = plan_applications(checkers, changes, base, head)
    return judge_apps(SimpleNamespace(policies=RegoEngine()), base, head, plans)  # type: ignore[arg-type]


def test_a_deployment_without_limits_fails_the_blocking_set_and_no_secret_is_shown(repo: Path) -> None:
    chart = "helm/charts/example-data-app/templates/secret.yaml"
    commit_files(repo, {**without_limits(), chart: SECRET}, "no limits", branch="change")
    report = judged(repo)
    [outcome] = report.outcomes
    assert (outcome.policy_set, outcome.project, outcome.blocking, outcome.error) == (
        "k8s",
        "payments-api-staging",
        True,
        "",
    )
    [failure] = outcome.failures
    assert failure.address == f"Deployment/{NAMESPACE}/payments-api-example-data-app"
    assert "has no resource limits" in failure.message and "of payments-api has" in failure.message
    [warning] = outcome.warnings
    assert warning.address == f"Secret/{NAMESPACE}/payments-api-creds"
    assert "hunter2" not in warning.message and "(redacted)" in warning.message
    text = "\n".join(policy_lines(report))
    assert "payments-api-staging" in text and "1 blocking failure" in text and "hunter2" not in text


def test_limits_pass(repo: Path) -> None:
    commit_files(repo, {VALUES: "replicaCount: 3\n"}, "three", branch="change")
    [outcome] = judged(repo).outcomes
    assert not outcome.failed and not outcome.violations


def test_a_terraform_only_set_never_judges_the_application(repo: Path) -> None:
    commit_files(repo, {".olympus.yaml": CONFIG.replace("[kubernetes]", "[terraform]")}, "tf only")
    commit_files(repo, without_limits(), "no limits", branch="change")
    assert judged(repo).outcomes == ()


def test_the_change_cannot_rewrite_the_policies_that_judge_it(repo: Path) -> None:
    files = {**without_limits(), ".olympus.yaml": CONFIG.replace("[kubernetes]", "[terraform]")}
    commit_files(repo, files, "no limits, and no kubernetes policies", branch="change")
    [outcome] = judged(repo).outcomes
    assert len(outcome.failures) == 1

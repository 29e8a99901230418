"""The App judges an application change by the base's kubernetes policy set: the comment and the set's check run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_driver import REPO, App, seed_files
from app_repos import app_files, crd_schemas, platform_files
from shown import shown

from bot.adapters.local_aws import InProcessEmulator, LocalAws
from bot.changes.helm.example_chart import example_chart_files

pytestmark = pytest.mark.slow

NAMESPACE = "data-staging-payments"
DEPLOYMENT = "helm/charts/example-data-app/templates/deployment.yaml"
LIMITS = """package main

deny contains msg if {
    some doc in input
    doc.contents.kind == "Deployment"
    some c in doc.contents.spec.template.spec.containers
    not c.resources.limits
    meta := doc.contents.metadata
    msg := sprintf("Deployment/%s/%s has no resource limits", [meta.namespace, meta.name])
}
"""
CONFIG = """version: 1
policies:
  default: false
  sets:
    - name: k8s
      paths: [policy/k8s]
      owners: [carol]
      targets: [kubernetes]
"""


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with InProcessEmulator() as emulator:
        yield emulator


def test_a_deployment_without_limits_is_a_blocking_failure_in_the_comment_and_its_check_run(
    fixtures_dir: Path, fake_github: Any, aws: LocalAws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLYMPUS_CRD_SCHEMAS", str(crd_schemas()))
    fake = fake_github
    policy = {".olympus.yaml": CONFIG, "policy/k8s/limits.rego": LIMITS}
    files = {**seed_files(), **platform_files(), **app_files("payments-api", "staging", NAMESPACE), **policy}
    repo = fake.add_repo(REPO, files=files)
    app = App(fixtures_dir, fake, aws, tmp_path)
    chart = example_chart_files()[DEPLOYMENT]
    no_limits = chart.replace("{{- toYaml .Values.resources | nindent 12 }}", "requests: {cpu: 100m}")
    assert no_limits != chart
    number = fake.open_pull_request(
        REPO, head="no-limits", base="main", title="no limits", author="bob", files={DEPLOYMENT: no_limits}
    )
    app.pull_request_event("opened", number, "bob")

    [comment] = [c.body for c in repo.comments(number) if c.user == fake.bot_login]
    text = shown(comment)
    assert "#### Policies" in comment and "1 blocking failure" in text
    address = f"Deployment/{NAMESPACE}/payments-api-example-data-app"
    row = next(line for line in comment.splitlines() if "has no resource limits" in line)
    assert "payments-api-staging" in row and address in row and "k8s" in row
    [check] = [run for run in repo.check_runs if run.name == "olympus/policy: k8s"]
    assert (check.status, check.conclusion) == ("completed", "failure")
    assert "payments-api-staging" in check.output["text"] and "carol" in check.output["text"]

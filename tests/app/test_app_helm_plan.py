"""The App plans a pull request that changes Helm values: the object diff in the sticky comment, a check run per app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_driver import REPO, App, seed_files
from app_repos import app_files, crd_schemas, platform_files
from shown import shown

from bot.adapters.local_aws import InProcessEmulator, LocalAws

pytestmark = pytest.mark.slow

NAMESPACE = "data-staging-payments"


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with InProcessEmulator() as emulator:
        yield emulator


def test_a_values_change_gets_its_object_diff_and_a_check_run_per_app(
    fixtures_dir: Path, fake_github: Any, aws: LocalAws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLYMPUS_CRD_SCHEMAS", str(crd_schemas()))
    fake = fake_github
    apps = {**app_files("payments-api", "staging", NAMESPACE), **app_files("orders", "staging", "data-staging-orders")}
    repo = fake.add_repo(REPO, files={**seed_files(), **platform_files(), **apps})
    app = App(fixtures_dir, fake, aws, tmp_path, scanners=("trivy",))
    number = fake.open_pull_request(
        REPO,
        head="more-logs",
        base="main",
        title="payments-api: debug logs",
        author="bob",
        files={"helm/values/staging/payments-api.yaml": "replicaCount: 2\nenv:\n  LOG_LEVEL: debug\n"},
    )
    app.pull_request_event("opened", number, "bob")

    [comment] = [c.body for c in repo.comments(number) if c.user == fake.bot_login]
    assert comment.startswith(f"<!-- olympus:comment key={REPO}#{number} part=1/1 -->")
    text = shown(comment)
    assert "No Terraform project" not in text and "changes no Terraform project" not in text
    assert "| `payments-api-staging` | `staging` | 0 | 1 | 0 | ✅ checks passed |" in comment
    assert "orders-staging" not in text  # only the changed application is rendered and reported
    assert "Deployment.apps/payments-api-example-data-app -n data-staging-payments" in text
    assert "+        - name: LOG_LEVEL" in text and "+          value: debug" in text
    assert "Argo CD and other CRD schemas: ✅ valid (2 objects checked)" in text
    assert "/infra apply" not in text  # Argo CD syncs an application after the merge

    [check] = [run for run in repo.check_runs if run.name.startswith("olympus/")]
    assert (check.name, check.status, check.conclusion) == ("olympus/app: payments-api-staging", "completed", "success")
    assert check.output["title"] == "0 to add, 1 to change, 0 to remove"
    assert "LOG_LEVEL" in check.output["text"]


def test_a_pull_request_touching_terraform_and_helm_gets_both_in_one_comment(
    fixtures_dir: Path, fake_github: Any, aws: LocalAws, tmp_path: Path
) -> None:
    fake = fake_github
    repo = fake.add_repo(
        REPO, files={**seed_files(), **platform_files(), **app_files("payments-api", "staging", NAMESPACE)}
    )
    app = App(fixtures_dir, fake, aws, tmp_path, scanners=())
    number = fake.open_pull_request(
        REPO,
        head="both",
        base="main",
        title="a variable and a new app",
        author="bob",
        files={
            "infra/aws/envs/dev/extra.tf": 'variable "team" {\n  type    = string\n  default = "data"\n}\n',
            **app_files("orders", "staging", "data-staging-orders"),
        },
    )
    app.pull_request_event("opened", number, "bob")

    [comment] = [c.body for c in repo.comments(number) if c.user == fake.bot_login]
    assert "| `infra/aws/envs/dev` | `infra/aws/envs/dev` | `default` |" in comment  # the Terraform project's row
    assert "| `orders-staging` | `staging` | 4 | 0 | 0 |" in comment  # the new application: every object added
    assert "payments-api-staging" not in comment
    names = sorted(run.name for run in repo.check_runs if run.name.startswith("olympus/"))
    assert names == ["olympus/app: orders-staging", "olympus/plan: infra/aws/envs/dev", "olympus/policy: olympus"]
    assert all(run.status == "completed" for run in repo.check_runs)

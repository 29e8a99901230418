"""Helm and Argo CD through the App, from a repository with nothing of either: `/infra create app` on an issue → PR
with the rendered manifests, lint, schema and scanner results and a check run → approval → merge → Argo CD's dry run,
sync and health on the PR; a values edit the chart's schema refuses opens no PR; a sync that stays degraded says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from app_driver import REPO, App
from fakes.app_repo import fake_timing, merge
from fakes.argocd_double import FakeApplication, FakeArgoCd, Resource
from shown import shown

from bot.adapters.argocd import ArgoCdClient

pytestmark = pytest.mark.slow

APP_CHECK = "olympus/app: payments-api-staging"


def bot_comments(fake: Any, number: int) -> list[str]:
    return [c.body for c in fake.repo(REPO).comments(number) if c.user == fake.bot_login]


def test_create_app_to_a_synced_healthy_release(
    fixtures_dir: Path, fake_github: Any, argocd_double: FakeArgoCd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = fake_github
    repo = fake.add_repo(REPO, files={"README.md": "# infra\n"})
    fake.set_permission(REPO, "bob", "write")
    fake.set_permission(REPO, "alice", "write")
    monkeypatch.setenv("OLYMPUS_CRD_SCHEMAS", str(fixtures_dir / "argocd" / "datreeio-CRDs-catalog"))
    app = App(fixtures_dir, fake, None, tmp_path, scanners=("checkov", "trivy"))
    app.ctx.syncer = ArgoCdClient(argocd_double.url, argocd_double.token, timeout=5, sleep=lambda s: None)
    app.ctx.sync_timing = fake_timing()
    # Argo CD learns of the Application when its manifest reaches the default branch (an app-of-apps); the double
    # knows it from the start, as Olympus only ever asks it about merged ones.
    argo_app = argocd_double.add(
        FakeApplication(
            "payments-api-staging",
            namespace="payments",
            resources=[Resource("Deployment", "payments-api-example-data-app", "apps"), Resource("Service", "x")],
        )
    )

    # 1. bob asks on an issue: the first app scaffolds the chart and the AppProject, and its PR shows every object.
    issue = fake.create_issue(REPO, "A payments API", "in staging", "bob")
    app.comment(issue, "/infra create app payments-api namespace=payments env=staging", "bob", on_pull_request=False)
    [pr] = repo.pulls.values()
    files = repo.files_at(pr.head_ref)
    for path in (
        "argocd/apps/staging/payments-api.yaml",
        "helm/values/staging/payments-api.yaml",
        "argocd/projects/data-apps.yaml",
        "helm/charts/example-data-app/values.schema.json",
    ):
        assert path in files, path
    assert "https://github.com/octo-org/infra.git" in files["argocd/apps/staging/payments-api.yaml"]
    [plan] = [body for body in bot_comments(fake, pr.number) if "Applications" in body]
    text = shown(plan)
    assert "payments-api-staging" in text and "Deployment.apps/payments-api-example-data-app" in text
    assert "helm lint --strict: ✅ passed" in text
    assert "Kubernetes 1.29 schemas: ✅ valid" in text
    assert "CRD schemas: ✅" in text, text
    assert "Scanner findings on the rendered manifests" in text and "0 high or critical" in text
    [check] = [run for run in repo.check_runs if run.name == APP_CHECK]
    assert (check.head_sha, check.conclusion) == (pr.head_sha, "success")

    # 2. before the merge a sync is refused: git is the source of truth.
    app.comment(pr.number, "/infra sync", "bob", on_pull_request=True)
    assert "merged" in shown(bot_comments(fake, pr.number)[-1])
    assert argo_app.syncs == []

    # 3. alice approves, the PR is merged: a dry run, then the sync at the merge commit, then health on the PR.
    fake.add_review(REPO, pr.number, "alice", "APPROVED", pr.head_sha)
    merged_at = merge(fake, pr.number)
    app.pull_request_event("closed", pr.number, "alice", merged=True)
    assert [(s["dryRun"], s["prune"], s["revision"]) for s in argo_app.syncs] == [
        (True, False, merged_at),
        (False, False, merged_at),
    ]
    assert "synced and healthy" in shown(bot_comments(fake, pr.number)[-1])
    sync_checks = [run for run in repo.check_runs if run.name == "olympus/sync: payments-api-staging"]
    assert [(run.head_sha, run.conclusion) for run in sync_checks] == [(merged_at, "success")]

    # 4. a value the chart's schema refuses is answered on the issue with the fix, and no PR is opened.
    other = fake.create_issue(REPO, "More replicas", "", "bob")
    app.comment(other, "/infra helm set payments-api replicaCont=3 env=staging", "bob", on_pull_request=False)
    assert "did you mean `replicaCount`" in shown(bot_comments(fake, other)[-1])
    app.comment(other, "/infra helm set payments-api replicaCount=0 env=staging", "bob", on_pull_request=False)
    assert "replicaCount" in shown(bot_comments(fake, other)[-1])
    assert len(repo.pulls) == 1

    # 5. a valid edit opens a PR whose plan shows the one changed object; after merge, a sync that stays degraded
    # is reported as degraded, with what Argo CD said.
    app.comment(other, "/infra helm set payments-api image.tag=1.4.2 env=staging", "bob", on_pull_request=False)
    edit = max(repo.pulls)
    assert 'tag: "1.4.2"' in repo.files_at(repo.pulls[edit].head_ref)["helm/values/staging/payments-api.yaml"]
    [plan] = [body for body in bot_comments(fake, edit) if "Applications" in body]
    assert "to change" in shown(plan) and "1.4.2" in plan
    argo_app.outcome = "Degraded"
    argo_app.resources[0].health, argo_app.resources[0].message = "Degraded", "Back-off pulling image"
    fake.add_review(REPO, edit, "alice", "APPROVED", repo.pulls[edit].head_sha)
    merge(fake, edit)
    app.pull_request_event("closed", edit, "alice", merged=True)
    report = shown(bot_comments(fake, edit)[-1])
    assert "degraded" in report.lower() and "Back-off pulling image" in report
    assert [r.conclusion for r in repo.check_runs if r.name == "olympus/sync: payments-api-staging"][-1] == "failure"
    app.store.close()

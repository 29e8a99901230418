"""A repository on the GitHub double with one Argo CD Application, its values and chart, and a clock that moves only
when slept on: what the sync-after-merge tests share."""

from __future__ import annotations

from typing import Any

from bot.adapters.github import GitHubApp, GitHubCodeHost, PrivateKey, Retrying, RetryPolicy
from bot.services.sync_apps import SyncTiming

REPO = "octo-org/infra"
APPLICATION = """apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: payments-api-staging
  namespace: argocd
spec:
  project: data-apps
  source:
    repoURL: https://github.com/octo-org/infra.git
    path: helm/charts/example-data-app
    targetRevision: main
    helm:
      valueFiles:
        - ../../values/staging/payments-api.yaml
  destination:
    server: https://kubernetes.default.svc
    namespace: payments
"""
FILES = {
    "README.md": "# infra\n",
    "argocd/apps/staging/payments-api.yaml": APPLICATION,
    "helm/values/staging/payments-api.yaml": "replicaCount: 2\n",
    "helm/charts/example-data-app/Chart.yaml": "apiVersion: v2\nname: example-data-app\nversion: 0.1.0\n",
}


class FakeTime:
    """A clock that moves only when the service sleeps: timeouts without waiting."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def fake_timing(timeout: float = 60.0) -> SyncTiming:
    """How long a sync is waited for, on a FakeTime: polls every 5 s, a timeout reached without waiting."""
    clock = FakeTime()
    return SyncTiming(timeout=timeout, poll_interval=5.0, sleep=clock.sleep, clock=clock.clock)


def open_values_change(fake_github: Any, files: dict[str, str] | None = None) -> int:
    files = files or {"helm/values/staging/payments-api.yaml": "replicaCount: 3\n"}
    return int(
        fake_github.open_pull_request(REPO, head="values", base="main", title="values", author="bob", files=files)
    )


def merge(fake_github: Any, number: int) -> str:
    with fake_github.lock:
        repo = fake_github.repo(REPO)
        return str(fake_github.merge_state(repo, repo.pulls[number], f"Merge #{number}", "alice"))


def comments(fake_github: Any, number: int) -> list[str]:
    return [comment.body for comment in fake_github.repo(REPO).comments(number)]


def installation_codehost(fake_github: Any, repo: str, files: dict[str, str]) -> GitHubCodeHost:
    """The App's CodeHost for the double's installation, with `repo` holding `files` (retries without waiting)."""
    fake_github.add_repo(repo, files=files)
    retrying = Retrying(RetryPolicy(max_attempts=2), sleep=lambda s: None, jitter=lambda: 1.0)
    app = GitHubApp(fake_github.app_id, PrivateKey(fake_github.private_key_pem), fake_github.base_url,
                    retrying=retrying, timeout=5)  # fmt: skip
    return app.codehost(fake_github.installation_id)

"""The sync of a merged pull request, through the GitHub double and the Argo CD double: what it syncs, at which
commit, what the pull request is told, its check runs, and the refusals (before merge, no Argo CD configured)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes.app_repo import FILES, REPO, comments, fake_timing, installation_codehost, merge, open_values_change
from fakes.argocd_double import FakeApplication, FakeArgoCd, Resource

from bot.adapters.argocd import ArgoCdClient
from bot.adapters.github import GitHubCodeHost
from bot.adapters.sqlstore import SqlStore
from bot.services.sync_pull_request import CHECK_PREFIX, MergedSync, SyncRefused, sync_merged_pull_request


@pytest.fixture
def host(fake_github: Any) -> GitHubCodeHost:
    return installation_codehost(fake_github, REPO, FILES)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    with SqlStore.open(f"sqlite:///{tmp_path / 'olympus.db'}") as opened:
        yield opened


@pytest.fixture
def client(argocd_double: FakeArgoCd) -> ArgoCdClient:
    return ArgoCdClient(argocd_double.url, argocd_double.token, timeout=5, retries=1, sleep=lambda s: None)


def test_a_merged_values_change_is_synced_at_the_merge_commit_and_reported(
    fake_github: Any, host: GitHubCodeHost, argocd_double: FakeArgoCd, client: ArgoCdClient, store: SqlStore
) -> None:
    app = argocd_double.add(FakeApplication("payments-api-staging", resources=[Resource("Deployment", "api", "apps")]))
    number = open_values_change(fake_github)
    sha = merge(fake_github, number)
    result = sync_merged_pull_request(host, client, store, REPO, number, actor="alice", timing=fake_timing())
    assert isinstance(result, MergedSync) and result.ok and result.revision == sha
    assert [(s["dryRun"], s["revision"]) for s in app.syncs] == [(True, sha), (False, sha)]
    (body,) = comments(fake_github, number)
    assert "### Sync after merge" in body
    assert "| `payments-api-staging` | ✅ synced and healthy | Synced | Healthy" in body
    (check,) = fake_github.repo(REPO).check_runs
    assert (check.name, check.head_sha, check.status, check.conclusion) == (
        CHECK_PREFIX + "payments-api-staging",
        sha,
        "completed",
        "success",
    )
    assert [entry.action for entry in store.audit_log()] == ["argocd-sync"]


def test_a_sync_that_stays_degraded_is_reported_degraded_on_the_pull_request(
    fake_github: Any, host: GitHubCodeHost, argocd_double: FakeArgoCd, client: ArgoCdClient, store: SqlStore
) -> None:
    crash = "back-off 5m0s restarting failed container <script>"
    argocd_double.add(
        FakeApplication("payments-api-staging", outcome="Degraded",
                        resources=[Resource("Deployment", "api", "apps", health="Degraded", message=crash)])
    )  # fmt: skip
    number = open_values_change(fake_github)
    merge(fake_github, number)
    result = sync_merged_pull_request(host, client, store, REPO, number, actor="alice", timing=fake_timing(timeout=10))
    assert isinstance(result, MergedSync) and [o.result for o in result.outcomes] == ["degraded"]
    (body,) = comments(fake_github, number)
    assert "❌ degraded" in body and "restarting failed container &lt;script&gt;" in body and "<script>" not in body
    assert fake_github.repo(REPO).check_runs[0].conclusion == "failure"


def test_before_the_merge_a_sync_is_refused_and_argo_cd_is_not_asked(
    fake_github: Any, host: GitHubCodeHost, argocd_double: FakeArgoCd, client: ArgoCdClient, store: SqlStore
) -> None:
    number = open_values_change(fake_github)
    result = sync_merged_pull_request(host, client, store, REPO, number, actor="alice", explicit=True)
    assert isinstance(result, SyncRefused) and result.reference == "sync-before-merge"
    assert "**Sync refused**" in comments(fake_github, number)[0] and "git is the source of truth" in result.reason
    assert argocd_double.seen == [] and store.audit_log() == []


def test_without_argo_cd_the_pull_request_is_told_once_how_to_set_it_up(
    fake_github: Any, host: GitHubCodeHost, store: SqlStore
) -> None:
    number = open_values_change(fake_github)
    merge(fake_github, number)
    for _ in range(2):  # a redelivered webhook says it again into the same comment
        result = sync_merged_pull_request(host, None, store, REPO, number, actor="alice")
        assert isinstance(result, SyncRefused) and result.reference == "argocd-not-configured"
    (body,) = comments(fake_github, number)
    assert "OLYMPUS_ARGOCD_SERVER" in body and "OLYMPUS_ARGOCD_TOKEN_FILE" in body
    assert fake_github.repo(REPO).check_runs == []


def test_a_terraform_only_merge_says_nothing_and_syncs_nothing(
    fake_github: Any, host: GitHubCodeHost, argocd_double: FakeArgoCd, client: ArgoCdClient, store: SqlStore
) -> None:
    number = open_values_change(fake_github, {"infra/aws/envs/dev/main.tf": "terraform {}\n"})
    merge(fake_github, number)
    result = sync_merged_pull_request(host, client, store, REPO, number, actor="alice")
    assert isinstance(result, MergedSync) and result.outcomes == () and comments(fake_github, number) == []
    assert argocd_double.seen == []


def test_sync_by_name_picks_among_the_changed_apps_and_refuses_others(
    fake_github: Any, host: GitHubCodeHost, argocd_double: FakeArgoCd, client: ArgoCdClient, store: SqlStore
) -> None:
    argocd_double.add(FakeApplication("payments-api-staging"))
    number = open_values_change(fake_github)
    merge(fake_github, number)
    refused = sync_merged_pull_request(host, client, store, REPO, number, actor="alice", only=["ledger"], explicit=True)
    assert isinstance(refused, SyncRefused) and refused.reference == "sync-not-changed"
    synced = sync_merged_pull_request(
        host, client, store, REPO, number, actor="alice", only=["payments-api"], explicit=True, timing=fake_timing()
    )
    assert isinstance(synced, MergedSync) and [o.application for o in synced.outcomes] == ["payments-api-staging"]


def test_sync_by_name_and_env_picks_the_app_in_that_env(
    fake_github: Any, host: GitHubCodeHost, argocd_double: FakeArgoCd, client: ArgoCdClient, store: SqlStore
) -> None:
    argocd_double.add(FakeApplication("payments-api-staging"))
    number = open_values_change(fake_github)
    merge(fake_github, number)
    elsewhere = sync_merged_pull_request(
        host, client, store, REPO, number, actor="alice", only=["payments-api"], env="prod", explicit=True
    )
    assert isinstance(elsewhere, SyncRefused) and "in env `prod`" in elsewhere.reason
    synced = sync_merged_pull_request(
        host, client, store, REPO, number, actor="alice", only=["payments-api"], env="staging", timing=fake_timing()
    )
    assert isinstance(synced, MergedSync) and [o.application for o in synced.outcomes] == ["payments-api-staging"]

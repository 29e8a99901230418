"""The sync after merge against the Argo CD double: dry run then sync at the merge commit, prune as the policy says,
health awaited within a timeout, and one audit record per sync."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.app_repo import fake_timing
from fakes.argocd_double import FakeApplication, FakeArgoCd, Resource

from bot.adapters.argocd import ArgoCdClient
from bot.adapters.sqlstore import SqlStore
from bot.services.sync_apps import sync_application, sync_applications

MERGE = "9f1c2d3e4b5a69788796a5b4c3d2e1f0a9b8c7d6"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    with SqlStore.open(f"sqlite:///{tmp_path / 'olympus.db'}") as opened:
        yield opened


@pytest.fixture
def client(argocd_double: FakeArgoCd) -> ArgoCdClient:
    return ArgoCdClient(argocd_double.url, argocd_double.token, timeout=5, retries=2, sleep=lambda s: None)


def test_a_dry_run_then_the_sync_at_the_merge_commit_without_prune(
    argocd_double: FakeArgoCd, client: ArgoCdClient, store: SqlStore
) -> None:
    app = argocd_double.add(FakeApplication("payments-api-staging", resources=[Resource("Deployment", "api", "apps")]))
    outcome = sync_application(client, store, "alice", "payments-api-staging", MERGE, fake_timing())
    assert outcome.ok and outcome.result == "synced" and outcome.prune is False
    asked = [(s["dryRun"], s["prune"], s["revision"]) for s in app.syncs]
    assert asked == [(True, False, MERGE), (False, False, MERGE)]
    assert outcome.status is not None and outcome.status.revision == MERGE and outcome.status.health == "Healthy"
    assert app.history[-1]["revision"] == MERGE
    (entry,) = store.audit_log()
    assert (entry.actor, entry.action, entry.result) == ("alice", "argocd-sync", "synced")
    assert entry.params == {"application": "payments-api-staging", "revision": MERGE, "server": argocd_double.url}


def test_prune_is_asked_only_when_the_applications_policy_prunes(
    argocd_double: FakeArgoCd, client: ArgoCdClient, store: SqlStore
) -> None:
    pruning = argocd_double.add(FakeApplication("a-dev", prune_policy=True))
    keeping = argocd_double.add(FakeApplication("b-dev", prune_policy=False))
    outcomes = sync_applications(client, store, "alice", ["a-dev", "b-dev"], MERGE, fake_timing())
    assert [o.prune for o in outcomes] == [True, False]
    assert {s["prune"] for s in pruning.syncs} == {True} and {s["prune"] for s in keeping.syncs} == {False}


def test_a_degraded_app_that_stays_degraded_is_reported_degraded_at_the_timeout(
    argocd_double: FakeArgoCd, client: ArgoCdClient, store: SqlStore
) -> None:
    argocd_double.add(
        FakeApplication(
            "web-prod",
            outcome="Degraded",
            resources=[Resource("Deployment", "web", "apps", health="Degraded", message="Deadline exceeded")],
        )
    )
    outcome = sync_application(client, store, "alice", "web-prod", MERGE, fake_timing(timeout=20))
    assert outcome.result == "degraded" and not outcome.ok
    assert outcome.status is not None and outcome.status.sync == "Synced"
    assert [(r.kind, r.health, r.message) for r in outcome.status.unhealthy] == [
        ("Deployment", "Degraded", "Deadline exceeded")
    ]
    assert "after 20 s" in outcome.detail
    assert argocd_double.requests_to("GET", "/resource-tree")
    assert store.audit_log()[0].result.startswith("degraded")


def test_one_that_is_still_progressing_at_the_timeout_says_so(
    argocd_double: FakeArgoCd, client: ArgoCdClient, store: SqlStore
) -> None:
    argocd_double.add(FakeApplication("slow-dev", progressing_polls=100))
    outcome = sync_application(client, store, "alice", "slow-dev", MERGE, fake_timing(timeout=15))
    assert outcome.result == "progressing" and outcome.status is not None and outcome.status.health == "Progressing"


def test_a_failed_dry_run_stops_before_the_sync(
    argocd_double: FakeArgoCd, client: ArgoCdClient, store: SqlStore
) -> None:
    app = argocd_double.add(FakeApplication("bad-dev", dry_run_failure='Deployment "x" is invalid: spec.replicas'))
    outcome = sync_application(client, store, "alice", "bad-dev", MERGE, fake_timing())
    assert outcome.result == "dry-run-failed" and [s["dryRun"] for s in app.syncs] == [True]
    assert outcome.status is not None and "is invalid" in outcome.status.operation_message


def test_an_argo_cd_that_refuses_is_an_outcome_and_audited(
    argocd_double: FakeArgoCd, client: ArgoCdClient, store: SqlStore
) -> None:
    argocd_double.add(FakeApplication("ok-dev"))
    outcomes = sync_applications(client, store, "alice", ["unknown-dev", "ok-dev"], MERGE, fake_timing())
    assert [o.result for o in outcomes] == ["error", "synced"]
    assert "knows no Application named unknown-dev" in outcomes[0].detail
    results = sorted(entry.result for entry in store.audit_log())
    assert results[0].startswith("ArgoCdError") and results[1] == "synced"


def test_a_503_during_the_sync_is_retried(argocd_double: FakeArgoCd, client: ArgoCdClient, store: SqlStore) -> None:
    argocd_double.add(FakeApplication("flaky-dev"))
    argocd_double.fail(503, times=1, pattern="/sync$")
    outcome = sync_application(client, store, "alice", "flaky-dev", MERGE, fake_timing())
    assert outcome.ok
    assert [s.status for s in argocd_double.requests_to("POST", "/sync")] == [503, 200, 200]

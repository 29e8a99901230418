"""The App after a merge: a signed `pull_request` closed+merged webhook → job → Argo CD dry run and sync of the
Applications the PR changed → the outcome on the PR, a check run; without Argo CD, the PR learns how to set it up."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from fakes.app_repo import FILES, REPO, comments, fake_timing, merge, open_values_change
from fakes.argocd_double import FakeApplication, FakeArgoCd, Resource
from fastapi.testclient import TestClient

from bot.adapters.argocd import ArgoCdClient
from bot.adapters.sqlstore import SqlStore
from bot.entrypoints.webhook import create_app
from bot.services.github_events import handle_job
from bot.settings import load_settings
from bot.wiring import build_app_context

SECRET = "app-sync-secret"
CLOSED = "github-webhooks/payload-examples/api.github.com/pull_request/closed.payload.json"


def deliver_merged(fixtures_dir: Path, fake: Any, tmp_path: Path, number: int, syncer: ArgoCdClient | None) -> Any:
    """The closed+merged webhook, signed, through the endpoint and one worker pass; the App's store."""
    store = SqlStore.open(f"sqlite:///{tmp_path / 'olympus.db'}")
    client = TestClient(create_app(load_settings(env_file=None, webhook_secret=SECRET), store))
    ctx = build_app_context(app_id=fake.app_id, private_key_pem=fake.private_key_pem, api_url=fake.base_url,
                            store=store, data_dir=tmp_path / "data")  # fmt: skip
    ctx.syncer, ctx.sync_timing = syncer, fake_timing(timeout=30)
    payload = copy.deepcopy(json.loads((fixtures_dir / CLOSED).read_text()))
    owner, name = REPO.split("/")
    payload["repository"].update(full_name=REPO, name=name, default_branch="main")
    payload["repository"]["owner"]["login"] = owner
    payload["installation"] = {"id": fake.installation_id, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ=="}
    payload["sender"].update(login="alice", type="User")
    payload["number"] = payload["pull_request"]["number"] = number
    payload["pull_request"]["merged"] = True
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = {"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": str(uuid.uuid4()),
               "X-Hub-Signature-256": signature, "Content-Type": "application/json"}  # fmt: skip
    assert client.post("/webhooks/github", content=body, headers=headers).status_code == 202
    queue = client.app.state.queue  # type: ignore[attr-defined]
    job = queue.claim("test-worker", timedelta(minutes=10))
    assert job is not None and job.kind == "pull_request.closed"
    handle_job(ctx, job)
    queue.complete(job.id, "test-worker")
    return store


def test_a_merged_pull_request_is_synced_and_its_health_reported(
    fixtures_dir: Path, fake_github: Any, argocd_double: FakeArgoCd, tmp_path: Path
) -> None:
    fake_github.add_repo(REPO, files=FILES)
    app = argocd_double.add(FakeApplication("payments-api-staging", resources=[Resource("Deployment", "api", "apps")]))
    number = open_values_change(fake_github)
    sha = merge(fake_github, number)
    client = ArgoCdClient(argocd_double.url, argocd_double.token, timeout=5, sleep=lambda s: None)
    store = deliver_merged(fixtures_dir, fake_github, tmp_path, number, client)
    assert [(s["dryRun"], s["prune"], s["revision"]) for s in app.syncs] == [(True, False, sha), (False, False, sha)]
    (body,) = comments(fake_github, number)
    assert "✅ synced and healthy" in body and "| Synced | Healthy |" in body
    (check,) = fake_github.repo(REPO).check_runs
    assert (check.name, check.head_sha, check.conclusion) == ("olympus/sync: payments-api-staging", sha, "success")
    actions = [entry.action for entry in store.audit_log()]
    assert "argocd-sync" in actions and "release-locks" in actions
    store.close()


def test_without_argo_cd_the_merged_pull_request_is_told_how_to_set_it_up(
    fixtures_dir: Path, fake_github: Any, tmp_path: Path
) -> None:
    fake_github.add_repo(REPO, files=FILES)
    number = open_values_change(fake_github)
    merge(fake_github, number)
    store = deliver_merged(fixtures_dir, fake_github, tmp_path, number, None)
    (body,) = comments(fake_github, number)
    assert "OLYMPUS_ARGOCD_SERVER" in body and fake_github.repo(REPO).check_runs == []
    assert "argocd-sync" not in [entry.action for entry in store.audit_log()]
    store.close()


def test_a_failed_sync_is_a_fix_trigger_with_argo_cds_words(
    fixtures_dir: Path, fake_github: Any, argocd_double: FakeArgoCd, tmp_path: Path
) -> None:
    fake_github.add_repo(REPO, files=FILES)
    message = 'one or more objects failed to apply: Deployment "api" is invalid: spec.replicas: must be >= 0'
    argocd_double.add(FakeApplication("payments-api-staging", dry_run_failure=message))
    number = open_values_change(fake_github)
    sha = merge(fake_github, number)
    client = ArgoCdClient(argocd_double.url, argocd_double.token, timeout=5, sleep=lambda s: None)
    store = deliver_merged(fixtures_dir, fake_github, tmp_path, number, client)
    [attempt] = store.fix_attempts(REPO)
    assert (attempt.change_id, attempt.project, attempt.step) == (f"{REPO}#{number}", "payments-api-staging", "sync")
    assert attempt.failure_class == "dry-run-failed" and "spec.replicas: must be >= 0" in attempt.root_cause
    assert not attempt.offered and "fix the values or the chart in a pull request" in attempt.verification_detail
    assert attempt.extra["revision"] == sha
    assert attempt.extra["application_file"] == "argocd/apps/staging/payments-api.yaml"
    store.close()

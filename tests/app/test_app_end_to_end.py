"""The GitHub App end to end: signed webhooks → jobs → PR with the change, plan comment, checks → gate → apply → merge."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.adapters.local_aws import InProcessEmulator, LocalAws
from bot.adapters.sqlstore import SqlStore
from bot.entrypoints.webhook import create_app
from bot.services.github_events import handle_job
from bot.settings import load_settings
from bot.wiring import build_app_context

pytestmark = pytest.mark.slow

SECRET = "app-end-to-end-secret"
REPO = "octo-org/infra"
EXAMPLES = "github-webhooks/payload-examples/api.github.com"


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with InProcessEmulator() as emulator:
        yield emulator


def seed_files() -> dict[str, str]:
    """The demo's platform repository: one AWS environment pinned to the offline provider."""
    root = resources.files("bot.entrypoints") / "demo_seed"
    with resources.as_file(root) as path:
        return {p.relative_to(path).as_posix(): p.read_text() for p in path.rglob("*") if p.is_file()}


def example(fixtures_dir: Path, name: str, installation_id: int, sender: str) -> dict[str, Any]:
    """A real octokit payload, pointed at the test's repository, installation and sender."""
    payload: dict[str, Any] = json.loads((fixtures_dir / EXAMPLES / name).read_text())
    payload = copy.deepcopy(payload)
    owner, name_ = REPO.split("/")
    payload["repository"].update(full_name=REPO, name=name_, default_branch="main")
    payload["repository"]["owner"]["login"] = owner
    payload["installation"] = {"id": installation_id, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ=="}
    payload["sender"].update(login=sender, type="User")
    return payload


def post(client: TestClient, event: str, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    response = client.post(
        "/webhooks/github",
        content=body,
        headers={
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest(),
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 202, response.text


def test_issue_comment_to_applied_bucket(fixtures_dir: Path, fake_github: Any, aws: LocalAws, tmp_path: Path) -> None:
    fake = fake_github
    repo = fake.add_repo(REPO, files=seed_files())
    fake.set_permission(REPO, "bob", "maintain")
    fake.set_permission(REPO, "alice", "write")
    store = SqlStore.open(f"sqlite:///{tmp_path / 'olympus.db'}")
    settings = load_settings(env_file=None, webhook_secret=SECRET)
    client = TestClient(create_app(settings, store))
    queue = client.app.state.queue  # type: ignore[attr-defined]
    ctx = build_app_context(app_id=fake.app_id, private_key_pem=fake.private_key_pem, api_url=fake.base_url,
                            store=store, data_dir=tmp_path / "data", sandbox=aws)

    def drain() -> int:
        done = 0
        while (job := queue.claim("test-worker", timedelta(minutes=10))) is not None:
            handle_job(ctx, job)
            queue.complete(job.id, "test-worker")
            done += 1
        return done

    def comment(number: int, text: str, author: str, *, on_pull_request: bool) -> None:
        comment_id = fake.add_issue_comment(REPO, number, text, author)
        payload = example(fixtures_dir, "issue_comment/created.with-installation.payload.json",
                          fake.installation_id, author)
        payload["issue"]["number"] = number
        payload["issue"].pop("pull_request", None)
        if on_pull_request:
            payload["issue"]["pull_request"] = {"url": f"{fake.base_url}/repos/{REPO}/pulls/{number}"}
        payload["comment"].update(id=comment_id, body=text)
        payload["comment"]["user"]["login"] = author
        post(client, "issue_comment", payload)
        assert drain() == 1

    # 1. bob asks on an issue: a PR with the change, a reply with its link, the plan comment and a check run.
    issue = fake.create_issue(REPO, "We need an archive bucket", "for the logs", "bob")
    comment(issue, "/infra create bucket logs-archive region=eu-west-1", "bob", on_pull_request=False)
    [pr] = repo.pulls.values()
    assert "infra/aws/envs/dev/s3_bucket_logs_archive.tf" in repo.files_at(pr.head_ref)
    replies = [c.body for c in repo.comments(issue) if c.user == fake.bot_login]
    assert replies == [f"Opened #{pr.number} for `/infra create bucket logs-archive cloud=aws region=eu-west-1 "
                       "env=dev versioning=on`; the plan will be posted there."]
    assert [r.content for c in repo.comments(issue) if c.user == "bob" for r in c.reactions] == ["eyes"]
    [plan_comment] = [c.body for c in repo.comments(pr.number) if c.user == fake.bot_login]
    assert plan_comment.startswith(f"<!-- olympus:comment key={REPO}#{pr.number} part=1/1 -->")
    assert "ready to apply" in plan_comment
    [check] = repo.check_runs
    assert (check.name, check.head_sha, check.conclusion) == ("olympus/plan: infra/aws/envs/dev", pr.head_sha,
                                                              "success")

    # 2. bob asks to apply without an approval: refused, with the reason.
    comment(pr.number, "/infra apply", "bob", on_pull_request=True)
    assert "no approval for the head commit" in repo.comments(pr.number)[-1].body
    assert "logs-archive" not in aws.bucket_names()

    # 3. bob approving his own change does not count; alice's approval at the head does.
    fake.add_review(REPO, pr.number, "bob", "APPROVED", pr.head_sha)
    comment(pr.number, "/infra apply", "bob", on_pull_request=True)
    assert "cannot approve" in repo.comments(pr.number)[-1].body
    fake.add_review(REPO, pr.number, "alice", "APPROVED", pr.head_sha)
    comment(pr.number, "/infra apply", "bob", on_pull_request=True)
    assert repo.comments(pr.number)[-1].body.startswith("**Applied** infra/aws/envs/dev")
    assert "logs-archive" in aws.bucket_names()
    assert [lock.holder for lock in store.locks()] == [f"{REPO}#{pr.number}"]

    # 4. alice (write) may not apply: maintain is needed.
    comment(pr.number, "/infra apply", "alice", on_pull_request=True)
    assert "maintain" in repo.comments(pr.number)[-1].body

    # 5. merging the PR releases its locks.
    closed = example(fixtures_dir, "pull_request/closed.payload.json", fake.installation_id, "bob")
    closed["pull_request"]["number"] = closed["number"] = pr.number
    closed["pull_request"]["merged"] = True
    post(client, "pull_request", closed)
    assert drain() == 1
    assert store.locks() == []

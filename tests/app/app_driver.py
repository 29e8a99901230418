"""The App as GitHub sees it, for end-to-end tests: signed webhooks into its endpoint, a worker draining the queue."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import uuid
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from bot.adapters.local_aws import LocalAws
from bot.adapters.sqlstore import SqlStore
from bot.entrypoints.webhook import create_app
from bot.services.github_events import handle_job
from bot.settings import load_settings
from bot.wiring import build_app_context

SECRET = "app-end-to-end-secret"
REPO = "octo-org/infra"
EXAMPLES = "github-webhooks/payload-examples/api.github.com"


def example(fixtures_dir: Path, name: str, installation_id: int, sender: str) -> dict[str, Any]:
    """A real octokit payload, pointed at the test's repository, installation and sender."""
    payload: dict[str, Any] = json.loads((fixtures_dir / EXAMPLES / name).read_text())
    payload = copy.deepcopy(payload)
    owner, name_ = REPO.split("/")
    payload["repository"].update(
        full_name=REPO, name=name_, default_branch="main", clone_url=f"https://github.com/{REPO}.git"
    )
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


class App:
    """The App as GitHub sees it: its webhook endpoint, a worker draining the queue, the fake GitHub."""

    def __init__(self, fixtures_dir: Path, fake: Any, aws: LocalAws | None, tmp_path: Path, **context: Any) -> None:
        self.fixtures_dir, self.fake = fixtures_dir, fake
        self.store = SqlStore.open(f"sqlite:///{tmp_path / 'olympus.db'}")
        self.client = TestClient(create_app(load_settings(env_file=None, webhook_secret=SECRET), self.store))
        self.queue = self.client.app.state.queue  # type: ignore[attr-defined]
        self.ctx = build_app_context(
            app_id=fake.app_id,
            private_key_pem=fake.private_key_pem,
            api_url=fake.base_url,
            store=self.store,
            data_dir=tmp_path / "data",
            sandbox=aws,
            **context,
        )

    def drain(self) -> int:
        done = 0
        while (job := self.queue.claim("test-worker", timedelta(minutes=10))) is not None:
            handle_job(self.ctx, job)
            self.queue.complete(job.id, "test-worker")
            done += 1
        return done

    def deliver(self, event: str, payload: dict[str, Any]) -> None:
        post(self.client, event, payload)
        assert self.drain() == 1

    def payload(self, name: str, sender: str) -> dict[str, Any]:
        return example(self.fixtures_dir, name, self.fake.installation_id, sender)

    def comment(self, number: int, text: str, author: str, *, on_pull_request: bool) -> None:
        comment_id = self.fake.add_issue_comment(REPO, number, text, author)
        payload = self.payload("issue_comment/created.with-installation.payload.json", author)
        payload["issue"]["number"] = number
        payload["issue"].pop("pull_request", None)
        if on_pull_request:
            payload["issue"]["pull_request"] = {"url": f"{self.fake.base_url}/repos/{REPO}/pulls/{number}"}
        payload["comment"].update(id=comment_id, body=text)
        payload["comment"]["user"]["login"] = author
        self.deliver("issue_comment", payload)

    def pull_request_event(self, action: str, number: int, sender: str, **changes: Any) -> None:
        payload = self.payload(f"pull_request/{'closed' if action == 'closed' else 'synchronize'}.payload.json", sender)
        payload["action"] = action
        payload["number"] = payload["pull_request"]["number"] = number
        payload["pull_request"].update(changes)
        self.deliver("pull_request", payload)


def seed_files() -> dict[str, str]:
    """The demo's platform repository: one AWS environment pinned to the offline provider."""
    root = resources.files("bot.entrypoints") / "demo_seed"
    with resources.as_file(root) as path:
        return {p.relative_to(path).as_posix(): p.read_text() for p in path.rglob("*") if p.is_file()}

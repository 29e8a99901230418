"""The App's dashboard under test: a store with two repositories' rows, people on the GitHub double, a live server."""

from __future__ import annotations

import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import uvicorn
from fakes.github import FakeGitHub

from bot.adapters.jobqueue import JobQueue, NewJob
from bot.adapters.sqlstore import SqlStore
from bot.domain.drift import DriftCheck, DriftStatus
from bot.domain.fixes.attempts import FixAttempt, FixKind, Verification
from bot.domain.interactions import InteractionRecord
from bot.domain.interpretation import Usage
from bot.domain.records import PlanRecord
from bot.entrypoints.webhook import create_app
from bot.settings import Settings, load_settings

ALPHA, BETA = "acme/alpha", "acme/beta"
# Who is who on GitHub: ann maintains alpha, wes writes to it, rita reads it; ben reads beta only.
PEOPLE = {"ann": (ALPHA, "maintain"), "wes": (ALPHA, "write"), "rita": (ALPHA, "read"), "ben": (BETA, "read")}
WEBHOOK_SECRET = "dashboard-test-secret"


def tag(repo: str) -> str:
    """The word that marks each of repo's rows on every page ("alpha", "beta")."""
    return repo.split("/")[1]


def seed_repos(store: SqlStore, now: datetime) -> None:
    """One of every record for each repository, each naming its repository's tag; and an audit entry of no repo."""
    for repo in (ALPHA, BETA):
        word, change = tag(repo), f"{repo}#1"
        tagged = store.for_repo(repo)
        run = tagged.start_run(change, "plan", f"{word}-person", "a1b2c3d4")
        tagged.finish_run(run, f"failed: {word}-run", {})
        tagged.save_plan(
            PlanRecord(change, f"envs-{word}", "default", "a1b2c3d4", "/p", "/p.json", "0" * 64, {"add": 1}, now)
        )
        tagged.acquire_lock(repo, f"infra/{word}", "default", change)
        tagged.audit(f"{word}-person", "plan", {"change": f"infra/{word}-branch"}, now, now, "ok")
        tagged.record_drift_check(DriftCheck(repo, f"envs-{word}", now - timedelta(hours=1), DriftStatus.DRIFTED))
        tagged.record_interaction(
            InteractionRecord(
                door="app",
                who=f"{word}-person",
                where=change,
                request=f"a bucket for {word}",
                backend="api",
                model="claude-sonnet-4-5",
                system_prompt_sha256="0" * 64,
                outcome="proposed",
                reply="",
                commands=(),
                calls=(),
                usage=Usage(input_tokens=10, output_tokens=5),
                seconds=1.0,
                model_seconds=1.0,
                cost_usd=None,
            )
        )
        tagged.record_fix_attempt(
            FixAttempt(
                repo=repo,
                change_id=change,
                project=f"envs-{word}",
                step="apply",
                failure_class=f"{word}-class",
                root_cause=f"{word} cause",
                kind=FixKind.PATCH,
                verification=Verification.PASSED,
                created_at=now,
            )
        )
        # A delivery of the repository that failed for good: the queue page lists it, with its error.
        queue = JobQueue(store.engine, clock=lambda: now - timedelta(minutes=30))
        queue.enqueue(NewJob(f"delivery-{word}", "issue_comment", "created", 1, repo, {}))
        job = queue.claim("worker-1", timedelta(minutes=15))
        assert job is not None
        queue.fail(job.id, "worker-1", f"RuntimeError: {word}-job-error", None)
    store.audit("orphan-person", "plan", {"branch": "no-repo"}, now, now, "ok")  # no repository: nobody's


def seat_people(fake: FakeGitHub) -> None:
    for repo in (ALPHA, BETA):
        fake.add_repo(repo, private=True)
    for login, (repo, role) in PEOPLE.items():
        fake.set_permission(repo, login, role)


def app_settings(fake: FakeGitHub, tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "webhook_secret": WEBHOOK_SECRET,
        "database_url": f"sqlite:///{tmp_path / 'olympus.db'}",
        "github_api_url": fake.base_url,
        "github_web_url": fake.base_url,
        "oauth_client_id": fake.oauth.client_id,
        "oauth_client_secret": fake.oauth.client_secret,
        "data_dir": str(tmp_path / "data"),
        **overrides,
    }
    return load_settings(None, **values)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(settings: Settings, store: SqlStore) -> Iterator[str]:
    """`olympus serve`'s app (create_app) on loopback in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, store), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def sign_in(client: httpx.Client, fake: FakeGitHub, login: str, root: str = "/dashboard") -> httpx.Response:
    """The OAuth web flow as a browser goes through it, GitHub's side approving as login: the callback's answer."""
    fake.sign_in_as(login)
    started = client.get(f"{root}/sign-in/github", follow_redirects=False)
    assert started.status_code == 303, started.text
    approved = httpx.get(started.headers["location"], follow_redirects=False)
    assert approved.status_code == 302
    back = urllib.parse.urlsplit(approved.headers["location"])
    return client.get(f"{back.path}?{back.query}", follow_redirects=False)


NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)

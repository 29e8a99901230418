"""The chaos run: two `olympus serve` replicas on one PostgreSQL database, a GitHub that fails calls, and SIGKILLs.

The test plays GitHub and the people around the App: it changes the double's state as a person would (opens a pull
request, pushes, reviews, comments, merges), then sends the webhook GitHub would send for it, signed, to whichever
replica answers. A killer thread SIGKILLs a replica every few seconds and starts it again on the same port.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
SECRET = "chaos-webhook-secret"
REPO = "octo-org/platform"
EXAMPLES = Path("github-webhooks/payload-examples/api.github.com")
READER = "visitor"  # may read the repository, so may not plan
DEVELOPERS = ("ana", "ben", "cho", "dev", "eli")
MAINTAINER = "bob"
INSTALLATION_NODE = "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ=="
DATA_MAIN_TF = 'resource "terraform_data" "{name}" {{\n  input = "{value}"\n}}\n'


@dataclass(frozen=True)
class Timing:
    """The App's settings for the run: short enough that a killed job is taken over within seconds."""

    github_timeout: int = 1  # seconds one GitHub call may take; the double's hangs last longer
    hang_seconds: float = 1.5
    job_lease_seconds: float = 4.0
    job_max_attempts: int = 10
    job_retry_first_delay: float = 0.5
    github_retry_first_delay: float = 0.2


@dataclass(frozen=True)
class Mix:
    """How many deliveries of each kind; `size()` is the number of distinct deliveries sent."""

    prs: int = 50
    syncs: int = 12  # a push to a PR's branch: a push delivery and a pull_request.synchronize delivery
    plans: int = 12
    statuses: int = 130
    helps: int = 100
    invalid: int = 130
    unlocks: int = 50
    refused: int = 20
    notes: int = 170  # comments that are not commands
    reviews: int = 190
    side_pushes: int = 90
    closes: int = 15
    plans_after_close: int = 10
    on_issue: int = 5  # /infra plan on an issue, not a pull request
    buckets: tuple[str, ...] = ("chaos-logs", "chaos-data", "chaos-logs", "Bad_Name")  # /infra create, on issues
    redeliveries: int = 30  # deliveries sent a second time, with the same delivery id

    def scaled(self, factor: int) -> Mix:
        """The same mix `factor` times over: as many more pull requests, deliveries of each kind and redeliveries."""
        counts = {name: getattr(self, name) * factor for name in self.__dataclass_fields__ if name != "buckets"}
        return Mix(**counts, buckets=self.buckets)

    def size(self) -> int:
        per_pr = self.prs + 2 * self.syncs + self.plans + self.statuses + self.helps + self.invalid + self.unlocks
        return (
            per_pr
            + self.refused
            + self.notes
            + self.reviews
            + self.side_pushes
            + self.closes
            + self.plans_after_close
            + self.on_issue
            + len(self.buckets)
        )


@dataclass
class Sent:
    """One delivery as the test sent it, and what the App must have made of it."""

    delivery_id: str
    event: str
    kind: (
        str  # help, invalid, status, unlock, plan, refused, note, on-issue, create, opened, sync, push, review, closed
    )
    number: int  # the issue or pull request (0 for a push to a branch without one)
    comment_id: int | None = None
    answers: list[int] = field(default_factory=list)  # HTTP statuses of each successful send


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Replica:
    """One `olympus serve --workers 2` process; kill() is SIGKILL, start() brings it back on the same port."""

    def __init__(self, name: str, folder: Path, environment: dict[str, str]) -> None:
        self.name = name
        self.port = free_port()
        self.environment = environment
        self.log = folder / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as output:
            output.write(f"\n===== start {self.starts + 1} of {self.name}\n".encode())
            output.flush()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.entrypoints.cli", "serve", "--port", str(self.port), "--workers", "2"],
                cwd=ROOT,
                env=self.environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.starts += 1

    def ready(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            return False
        try:
            return httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    def wait_ready(self, seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while not self.ready():
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} did not become ready:\n{self.log_tail()}")
            time.sleep(0.1)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=90)

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def replica_environment(fake: Any, database_url: str, data_dir: Path, aws_url: str, key_file: Path) -> dict[str, str]:
    """The replicas' settings (README's table): nothing from the machine's own OLYMPUS_* variables."""
    timing = Timing()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OLYMPUS_")}
    environment |= {
        "PYTHONPATH": str(ROOT),
        "OLYMPUS_WEBHOOK_SECRET": SECRET,
        "OLYMPUS_APP_ID": str(fake.app_id),
        "OLYMPUS_PRIVATE_KEY_FILE": str(key_file),
        "OLYMPUS_DATABASE_URL": database_url,
        "OLYMPUS_GITHUB_API_URL": fake.base_url,
        # Shared, as a real deployment's must be: a plan made on one replica is applied from whichever takes the
        # /infra apply, and the store records its file's path.
        "OLYMPUS_DATA_DIR": str(data_dir),
        "OLYMPUS_AWS_EMULATOR_URL": aws_url,
        # Checkov takes ~7 s a run: the plans here are not scanned, and their comments say so.
        "OLYMPUS_SCANNERS": "none",
        # The chaos checks count webhook deliveries; the drift schedule's own jobs are tested elsewhere.
        "OLYMPUS_DRIFT_INTERVAL": "off",
        "OLYMPUS_GITHUB_TIMEOUT": str(timing.github_timeout),
        "OLYMPUS_GITHUB_SECONDS_BETWEEN_WRITES": "0",
        "OLYMPUS_GITHUB_RETRY_FIRST_DELAY": str(timing.github_retry_first_delay),
        "OLYMPUS_JOB_LEASE_SECONDS": str(timing.job_lease_seconds),
        "OLYMPUS_JOB_MAX_ATTEMPTS": str(timing.job_max_attempts),
        "OLYMPUS_JOB_RETRY_FIRST_DELAY": str(timing.job_retry_first_delay),
    }
    return environment


class Killer(threading.Thread):
    """Every few seconds (seeded), SIGKILL one replica at random and start it again on the same port."""

    def __init__(self, replicas: list[Replica], seed: int, every: tuple[float, float] = (4.0, 8.0)) -> None:
        super().__init__(name="chaos-killer", daemon=True)
        self.replicas = replicas
        self.random = random.Random(seed)
        self.every = every
        self.stopping = threading.Event()
        self.kills = 0
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stopping.wait(self.random.uniform(*self.every)):
                victim = self.random.choice(self.replicas)
                victim.kill()
                self.kills += 1
                victim.start()
                victim.wait_ready()  # both are up before the next kill
        except BaseException as error:  # reported by the test, not lost in a thread
            self.failure = error

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=120)


class Sender:
    """Posts signed deliveries to whichever replica answers, retrying one on connection errors with its same id."""

    def __init__(self, replicas: list[Replica], seed: int) -> None:
        self.replicas = replicas
        self.random = random.Random(seed)
        self.client = httpx.Client(timeout=15)
        self.retries = 0

    def send(self, event: str, payload: dict[str, Any], delivery_id: str) -> int:
        body = json.dumps(payload).encode()
        headers = {
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery_id,
            "X-Hub-Signature-256": "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest(),
            "Content-Type": "application/json",
            "User-Agent": "GitHub-Hookshot/chaos",
        }
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            replica = self.random.choice(self.replicas)
            try:
                response = self.client.post(f"{replica.url}/webhooks/github", content=body, headers=headers)
            except httpx.TransportError:
                self.retries += 1  # killed mid-request, or starting: as GitHub's redeliver, the same delivery id
                time.sleep(0.05)
                continue
            if response.status_code == 503:
                self.retries += 1
                time.sleep(0.2)
                continue
            assert response.status_code in (200, 202), f"{event} {delivery_id}: {response.status_code} {response.text}"
            return response.status_code
        raise AssertionError(f"no replica took delivery {delivery_id} in 120 s")


class Payloads:
    """Real octokit payloads, pointed at the run's repository, installation, people and objects."""

    def __init__(self, fixtures_dir: Path, fake: Any) -> None:
        self.fixtures_dir = fixtures_dir
        self.fake = fake
        self._cache: dict[str, dict[str, Any]] = {}

    def load(self, name: str, sender: str) -> dict[str, Any]:
        if name not in self._cache:
            self._cache[name] = json.loads((self.fixtures_dir / EXAMPLES / name).read_text())
        payload = copy.deepcopy(self._cache[name])
        owner, repo_name = REPO.split("/")
        payload["repository"].update(full_name=REPO, name=repo_name, default_branch="main", private=False)
        payload["repository"]["owner"]["login"] = owner
        payload["installation"] = {
            "id": self.fake.installation_id,
            "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==",
        }
        payload["sender"].update(login=sender, type="User")
        return payload

    def comment(self, number: int, comment_id: int, text: str, author: str, *, on_pull_request: bool) -> dict[str, Any]:
        payload = self.load("issue_comment/created.with-installation.payload.json", author)
        issue = self.fake.repo(REPO).issues[number]
        payload["issue"].update(number=number, id=issue.id, state=issue.state)
        payload["issue"].pop("pull_request", None)
        if on_pull_request:
            payload["issue"]["pull_request"] = {"url": f"{self.fake.base_url}/repos/{REPO}/pulls/{number}"}
        payload["comment"].update(id=comment_id, body=text)
        payload["comment"]["user"].update(login=author, type="User")
        return payload

    def pull_request(self, action: str, number: int, sender: str) -> dict[str, Any]:
        name = {"opened": "opened", "closed": "closed"}.get(action, "synchronize")
        payload = self.load(f"pull_request/{name}.payload.json", sender)
        repo = self.fake.repo(REPO)
        pull = repo.pulls[number]
        payload["action"] = action
        payload["number"] = number
        payload["pull_request"].update(
            number=number,
            state=repo.issues[number].state,
            merged=pull.merged,
        )
        payload["pull_request"]["head"].update(ref=pull.head_ref, sha=pull.head_sha)
        payload["pull_request"]["base"].update(ref=pull.base_ref, sha=pull.base_sha)
        return payload

    def push(self, branch: str, before: str, after: str, pusher: str, *, created: bool) -> dict[str, Any]:
        payload = self.load("push/with-installation.payload.json", pusher)
        payload.update(ref=f"refs/heads/{branch}", before=before, after=after, created=created, deleted=False)
        return payload

    def review(self, number: int, reviewer: str, state: str, commit: str) -> dict[str, Any]:
        payload = self.load("pull_request_review/submitted.payload.json", reviewer)
        payload["pull_request"]["number"] = number
        payload["review"].update(state=state.lower(), commit_id=commit)
        payload["review"]["user"]["login"] = reviewer
        return payload


Step = Callable[[], tuple[str, dict[str, Any], Sent]]


def data_pr_files(index: int, version: int) -> dict[str, str]:
    """A provider-less root module of its own per pull request: fast to plan, nothing in any cloud."""
    return {f"stacks/s{index:02d}/main.tf": DATA_MAIN_TF.format(name=f"s{index:02d}", value=f"v{version}")}


def delivery_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))

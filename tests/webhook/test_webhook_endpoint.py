"""POST /webhooks/github through FastAPI's TestClient: 401/400/413/422, ignored, duplicate, queued; probes, metrics."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from signed_deliveries import SECRET, Delivery, deliver, signature

from bot.adapters import sqlschema as t
from bot.adapters.jobqueue import JobQueue, JobStatus
from bot.adapters.sqlstore import SqlStore
from bot.domain.webhooks import MAX_PAYLOAD_BYTES
from bot.entrypoints.webhook import create_app
from bot.settings import load_settings

URL = "/webhooks/github"


@pytest.fixture
def queue(store: SqlStore) -> JobQueue:
    return JobQueue(store.engine)


def post(client: TestClient, delivery: Delivery) -> Any:
    return client.post(URL, content=delivery.body, headers=delivery.headers)


def job_count(store: SqlStore) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(t.jobs)).scalar_one())


def with_command(payload: dict[str, Any], text: str) -> dict[str, Any]:
    payload["comment"]["body"] = text  # the one alteration of the real example: a command in the comment
    return payload


def test_a_signed_comment_is_stored_before_the_202(client: TestClient, example: Any, queue: JobQueue) -> None:
    payload = with_command(example("issue_comment/created.with-installation"), "/infra create bucket logs-archive")
    delivery = deliver("issue_comment", payload, delivery="72d3162e-cc78-11e3-81ab-4c9367dc0958")
    response = post(client, delivery)
    assert response.status_code == 202
    assert response.json() == {"status": "queued", "job": 1}
    record = queue.get(1)
    assert record is not None
    assert (record.status, record.event, record.action, record.delivery_id) == (
        JobStatus.QUEUED,
        "issue_comment",
        "created",
        "72d3162e-cc78-11e3-81ab-4c9367dc0958",
    )
    assert queue.payload_of(1) == payload
    job = queue.claim("w", timedelta(seconds=30))
    assert job is not None and (job.installation_id, job.repo) == (1, "Codertocat/Hello-World")
    assert job.payload["comment"]["body"] == "/infra create bucket logs-archive"


@pytest.mark.parametrize(
    ("event", "name"),
    [
        ("issues", "issues/opened"),
        ("pull_request", "pull_request/opened"),
        ("pull_request", "pull_request/synchronize"),
        ("pull_request", "pull_request/reopened"),
        ("pull_request", "pull_request/closed"),
        ("pull_request_review", "pull_request_review/submitted"),
        ("check_run", "check_run/rerequested"),
        ("installation", "installation/created"),
        ("installation_repositories", "installation_repositories/added"),
    ],
)
def test_every_handled_event_is_queued(client: TestClient, example: Any, event: str, name: str) -> None:
    response = post(client, deliver(event, example(name)))
    assert response.status_code == 202 and response.json()["status"] == "queued"


def test_a_redelivery_is_acknowledged_and_not_stored_twice(client: TestClient, example: Any, store: SqlStore) -> None:
    delivery = deliver("pull_request", example("pull_request/synchronize"), delivery="same-guid")
    assert post(client, delivery).status_code == 202
    again = post(client, delivery)
    assert again.status_code == 200 and again.json() == {"status": "duplicate"}
    assert job_count(store) == 1


SIGNATURES: dict[str, Callable[[bytes], dict[str, str]]] = {
    "missing": lambda body: {},
    "wrong": lambda body: {"X-Hub-Signature-256": "sha256=" + "0" * 64},
    "wrong-secret": lambda body: {"X-Hub-Signature-256": signature("not the secret", body)},
    "other-body": lambda body: {"X-Hub-Signature-256": signature(SECRET, body + b" ")},
    "sha1-scheme": lambda body: {"X-Hub-Signature-256": "sha1=" + "0" * 40},
}


@pytest.mark.parametrize("signed", SIGNATURES.values(), ids=SIGNATURES.keys())
def test_unsigned_or_badly_signed_deliveries_get_401_and_no_work(
    client: TestClient, example: Any, store: SqlStore, signed: Callable[[bytes], dict[str, str]]
) -> None:
    good = deliver("issue_comment", example("issue_comment/created.with-installation"))
    sent = {k: v for k, v in good.headers.items() if k != "X-Hub-Signature-256"} | signed(good.body)
    response = client.post(URL, content=good.body, headers=sent)
    assert response.status_code == 401
    assert response.json()["status"] == "unauthorized"
    assert job_count(store) == 0


def test_the_signature_is_checked_before_the_body_is_read_as_json(client: TestClient) -> None:
    response = client.post(URL, content=b"{not json", headers={"X-GitHub-Event": "issue_comment"})
    assert response.status_code == 401  # not 400: nothing about an unverified body is looked at


def test_a_signed_body_that_is_not_json_gets_400_with_a_reason(client: TestClient, store: SqlStore) -> None:
    response = post(client, deliver("issue_comment", b"payload=%7B%7D"))
    assert response.status_code == 400
    assert "not JSON" in response.json()["reason"]
    assert job_count(store) == 0


def test_a_missing_event_header_gets_400(client: TestClient, example: Any) -> None:
    delivery = deliver("issue_comment", example("issue_comment/created.with-installation"))
    headers = {k: v for k, v in delivery.headers.items() if k != "X-GitHub-Event"}
    response = client.post(URL, content=delivery.body, headers=headers)
    assert response.status_code == 400 and "X-GitHub-Event" in response.json()["reason"]


def test_a_missing_delivery_id_on_a_handled_event_gets_400(client: TestClient, example: Any, store: SqlStore) -> None:
    delivery = deliver("issue_comment", example("issue_comment/created.with-installation"))
    headers = {k: v for k, v in delivery.headers.items() if k != "X-GitHub-Delivery"}
    response = client.post(URL, content=delivery.body, headers=headers)
    assert response.status_code == 400 and "X-GitHub-Delivery" in response.json()["reason"]
    assert job_count(store) == 0


def test_a_handled_event_missing_a_field_gets_422_naming_it(client: TestClient, example: Any, store: SqlStore) -> None:
    payload = example("pull_request/synchronize")
    del payload["pull_request"]["head"]["sha"]
    response = post(client, deliver("pull_request", payload))
    assert response.status_code == 422
    assert response.json() == {
        "status": "invalid",
        "reason": "pull_request.synchronize: 'pull_request.head.sha' is missing",
    }
    assert job_count(store) == 0


@pytest.mark.parametrize(
    ("event", "payload"),
    [
        ("ping", None),
        ("push", None),
        ("issue_comment", "issue_comment/edited"),
        ("pull_request", "pull_request/labeled"),
    ],
)
def test_events_olympus_does_not_handle_get_200_ignored(
    client: TestClient, example: Any, examples_dir: Path, store: SqlStore, event: str, payload: str | None
) -> None:
    body = example(payload) if payload else json.loads(sorted((examples_dir / event).glob("*.json"))[0].read_text())
    response = post(client, deliver(event, body))
    assert response.status_code == 200 and response.json()["status"] == "ignored"
    assert job_count(store) == 0


def test_comments_by_bots_are_ignored(client: TestClient, example: Any, store: SqlStore) -> None:
    payload = with_command(example("issue_comment/created.with-installation"), "/infra apply")
    payload["sender"] = {**payload["sender"], "login": "olympus-app[bot]", "type": "Bot"}
    response = post(client, deliver("issue_comment", payload))
    assert response.status_code == 200 and response.json()["status"] == "ignored"
    assert job_count(store) == 0


def test_a_body_over_githubs_cap_gets_413(client: TestClient, store: SqlStore) -> None:
    body = b'{"action": "created", "pad": "' + b"x" * MAX_PAYLOAD_BYTES + b'"}'
    response = post(client, deliver("issue_comment", body))
    assert response.status_code == 413 and response.json()["status"] == "too-large"
    assert job_count(store) == 0


def test_a_body_at_the_cap_is_read(client: TestClient) -> None:
    body = b'{"pad": "' + b"x" * (MAX_PAYLOAD_BYTES - 11) + b'"}'
    assert len(body) == MAX_PAYLOAD_BYTES
    response = post(client, deliver("star", body))  # an event Olympus does not handle: read, verified, ignored
    assert response.status_code == 200 and response.json()["status"] == "ignored"


def test_probes(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


def test_readyz_says_so_when_the_database_is_gone(tmp_path: Path) -> None:
    store = SqlStore.open(f"sqlite:///{tmp_path / 'gone.db'}")
    settings = load_settings(None, webhook_secret=SECRET)
    with TestClient(create_app(settings, store)) as client:
        (tmp_path / "gone.db").unlink()
        (tmp_path / "gone.db").mkdir()  # the path is now a folder: SQLite cannot open it
        store.engine.dispose()
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
        assert client.get("/healthz").status_code == 200
    store.close()


def test_metrics_count_deliveries_latency_and_jobs(client: TestClient, example: Any) -> None:
    post(client, deliver("issue_comment", example("issue_comment/created.with-installation")))
    post(client, deliver("issue_comment", example("issue_comment/edited")))
    client.post(URL, content=b"{}", headers={"X-GitHub-Event": "issue_comment"})
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'olympus_webhook_deliveries_total{event="issue_comment",outcome="queued"} 1.0' in text
    assert 'olympus_webhook_deliveries_total{event="issue_comment",outcome="ignored"} 1.0' in text
    assert 'olympus_webhook_deliveries_total{event="unknown",outcome="unauthorized"} 1.0' in text
    assert "olympus_webhook_ack_seconds_count 3.0" in text
    assert 'olympus_jobs{status="queued"} 1.0' in text
    assert 'olympus_jobs{status="done"} 0.0' in text


def test_no_interactive_docs_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 404
    assert client.get("/openapi.json").status_code == 404


@pytest.mark.parametrize(
    ("number", "status", "reason"),
    [
        ("9" * 5000, 400, "does not fit in 64 bits"),  # past Python's int max-str-digits: json.loads raised
        (str(2**70), 400, "does not fit in 64 bits"),  # past the BigInteger column: the insert raised
        ("-7", 422, "'installation.id' must be an integer from 1"),
        ("0", 422, "'installation.id' must be an integer from 1"),
    ],
)
def test_an_installation_id_no_column_can_take_is_refused_with_a_reason(
    client: TestClient, example: Any, store: SqlStore, number: str, status: int, reason: str
) -> None:
    payload = example("issue_comment/created.with-installation")
    payload["installation"]["id"] = "@@id@@"  # json.dumps cannot write 5,000 digits; the number is put in as text
    body = json.dumps(payload).replace('"@@id@@"', number).encode()
    response = post(client, deliver("issue_comment", body))
    assert response.status_code == status and reason in response.json()["reason"]
    assert job_count(store) == 0


def test_the_largest_installation_id_is_stored_and_read_back(client: TestClient, example: Any, queue: JobQueue) -> None:
    payload = example("issue_comment/created.with-installation")
    payload["installation"]["id"] = payload["comment"]["id"] = 2**63 - 1
    response = post(client, deliver("issue_comment", payload))
    assert response.status_code == 202, response.text
    job = queue.claim("w", timedelta(seconds=30))
    assert job is not None and job.installation_id == 2**63 - 1 and job.payload["comment"]["id"] == 2**63 - 1

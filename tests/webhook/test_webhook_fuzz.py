"""POST /webhooks/github fuzzed: junk (signed or not) and mutated real payloads get a 4xx or a 2xx, never a fault.

The app is the real one (create_app) on SQLite and PostgreSQL; a fault shows as an exception out of the TestClient,
a 5xx, or an ERROR record or traceback in the captured log.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from signed_deliveries import SECRET, signature

from bot.adapters.jobqueue import JobQueue
from bot.adapters.sqlstore import SqlStore
from bot.domain.payload_fields import MAX_INTEGER
from bot.domain.webhooks import HANDLED

URL = "/webhooks/github"
# One app and database serve every example of a test (each with a fresh delivery id), so the function-scoped
# fixtures are meant to be shared; examples are few because each is a real request and insert.
FUZZ = settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
SIGNED_ANSWERS = {(200, "ignored"), (200, "duplicate"), (202, "queued"), (400, "bad-request"), (422, "invalid")}

EVENTS = sorted(HANDLED) + ["ping", "push", "workflow_run"]
ACTIONS = sorted({action for actions in HANDLED.values() if actions for action in actions} | {"added", "deleted"})
# Printable Latin-1: what an HTTP header can carry.
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=40)

JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=15,
)
EDGES = st.sampled_from(
    [0, -1, 1, 2**31, MAX_INTEGER, MAX_INTEGER + 1, -(2**63), 2**64, 2**70, 0.5, -0.0, 1e308, True, False, None]
    + ["", " ", "..", "../../etc", "a/b", "a/..", "x" * 70_000, "\x00", "\ud800", "HEAD", "0" * 40, [], {}, [{}]]
)
# Spliced into the body as JSON text: what json.dumps will not write, or would write only by raising.
RAW_TOKENS = [
    "9" * 5000,
    "-" + "9" * 5000,
    str(2**70),
    str(2**63),
    str(-(2**63) - 1),
    "1e999",
    "-1e999",
    "NaN",
    "-Infinity",
    "1" + "0" * 400 + ".5",
    "[" * 2000 + "]" * 2000,
    '{"a":' * 200 + "0" + "}" * 200,
]
MUTATIONS = st.one_of(
    st.tuples(st.just("remove")),
    st.tuples(st.just("replace"), EDGES | JSON_VALUES),
    st.tuples(st.just("raw"), st.sampled_from(RAW_TOKENS)),
    st.tuples(st.just("swap"), st.sampled_from(["list", "object", "string", "number"])),
)
PAYLOAD_LIKE = st.fixed_dictionaries(
    {},
    optional={
        "action": st.sampled_from(ACTIONS) | JSON_VALUES,
        "installation": st.fixed_dictionaries({"id": EDGES | st.integers()}) | JSON_VALUES,
        "sender": st.fixed_dictionaries({"login": EDGES | st.text(max_size=20)}, optional={"type": JSON_VALUES}),
        "repository": st.fixed_dictionaries({"full_name": EDGES | st.text(max_size=30)}),
        "issue": st.fixed_dictionaries(
            {"number": EDGES | st.integers()}, optional={"user": st.fixed_dictionaries({"login": EDGES})}
        ),
        "comment": st.fixed_dictionaries(
            {"id": EDGES | st.integers(), "body": EDGES | st.text()},
            optional={"user": st.fixed_dictionaries({"login": EDGES})},
        ),
        "repositories": st.lists(st.fixed_dictionaries({"full_name": EDGES | st.text(max_size=30)}), max_size=3),
        "extra": JSON_VALUES,
    },
)


@pytest.fixture
def queue(store: SqlStore) -> JobQueue:
    return JobQueue(store.engine)


def jobs_stored(queue: JobQueue) -> int:
    return sum(queue.counts_by_status().values())


def assert_no_fault_logged(caplog: pytest.LogCaptureFixture) -> None:
    faults = [record for record in caplog.records if record.levelno >= logging.ERROR or record.exc_info]
    assert not faults, [record.getMessage() for record in faults]


def signed_headers(body: bytes, event_name: str | bytes, delivery: str | bytes | None = None) -> dict[str, Any]:
    return {
        "X-GitHub-Event": event_name,
        "X-GitHub-Delivery": delivery if delivery is not None else str(uuid.uuid4()),
        "X-Hub-Signature-256": signature(SECRET, body),
        "Content-Type": "application/json",
    }


def answer_of(client: TestClient, body: bytes, headers: dict[str, Any]) -> tuple[int, str]:
    response = client.post(URL, content=body, headers=headers)
    return response.status_code, response.json()["status"]


def paths_in(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value, each as the keys and indexes that lead to it."""
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    found: list[tuple[Any, ...]] = []
    for key, child in children:
        found.append((*prefix, key))
        found.extend(paths_in(child, (*prefix, key)))
    return found


def holds(container: Any, key: Any) -> bool:
    if isinstance(container, dict):
        return key in container
    return isinstance(container, list) and isinstance(key, int) and key < len(container)


def mutate(payload: dict[str, Any], path: tuple[Any, ...], mutation: tuple[Any, ...], raw: dict[str, str]) -> None:
    holder: Any = payload
    *way, last = path
    for key in way:
        if not holds(holder, key):
            return  # an earlier mutation removed or replaced the way here
        holder = holder[key]
    if not holds(holder, last):
        return
    kind, *argument = mutation
    if kind == "remove":
        del holder[last]
    elif kind == "replace":
        holder[last] = argument[0]
    elif kind == "raw":
        marker = f"@@raw-{len(raw)}@@"
        raw[json.dumps(marker)] = argument[0]
        holder[last] = marker
    else:
        value = holder[last]
        holder[last] = {"list": [value], "object": {"value": value}, "string": json.dumps(value), "number": 7}[
            argument[0]
        ]


@pytest.fixture(scope="module")
def real_payloads(examples_dir: Path) -> list[tuple[str, Path]]:
    return [(file.parent.name, file) for file in sorted(examples_dir.glob("*/*.json")) if file.parent.name in EVENTS]


@settings(FUZZ, max_examples=150)
@given(data=st.data())
def test_mutated_real_payloads_get_an_answer_never_a_fault(
    client: TestClient,
    queue: JobQueue,
    caplog: pytest.LogCaptureFixture,
    real_payloads: list[tuple[str, Path]],
    data: st.DataObject,
) -> None:
    caplog.clear()
    event_name, file = data.draw(st.sampled_from(real_payloads), label="payload")
    payload = json.loads(file.read_bytes())
    places = paths_in(payload)
    raw: dict[str, str] = {}
    for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="mutations")):
        mutate(payload, data.draw(st.sampled_from(places)), data.draw(MUTATIONS), raw)
    body = json.dumps(payload)
    for marker, token in raw.items():
        body = body.replace(marker, token)
    sent_as = data.draw(st.just(event_name) | st.sampled_from(EVENTS), label="event")
    response = client.post(URL, content=body.encode(), headers=signed_headers(body.encode(), sent_as))
    answer = (response.status_code, response.json()["status"])
    event(f"{answer[0]} {answer[1]}")
    assert answer in SIGNED_ANSWERS, response.text
    if answer == (202, "queued"):
        job = queue.claim("fuzz", timedelta(seconds=30))
        assert job is not None and job.id == response.json()["job"]
        assert job.installation_id is None or 0 < job.installation_id <= MAX_INTEGER
        assert job.payload == json.loads(body)  # stored as received, on either dialect
    assert_no_fault_logged(caplog)


@FUZZ
@given(payload=PAYLOAD_LIKE, event_header=st.sampled_from(EVENTS) | HEADER_TEXT)
def test_signed_payload_shaped_json_gets_an_answer_never_a_fault(
    client: TestClient, caplog: pytest.LogCaptureFixture, payload: dict[str, Any], event_header: str
) -> None:
    caplog.clear()
    body = json.dumps(payload).encode()
    assert answer_of(client, body, signed_headers(body, event_header.encode("latin-1"))) in SIGNED_ANSWERS
    assert_no_fault_logged(caplog)


@FUZZ
@given(
    body=st.binary(max_size=300) | JSON_VALUES.map(lambda value: json.dumps(value).encode()),
    event_header=st.sampled_from(EVENTS) | HEADER_TEXT,
    delivery=st.none() | HEADER_TEXT,
    content_type=HEADER_TEXT,
)
def test_signed_junk_with_any_headers_gets_an_answer_never_a_fault(
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    event_header: str,
    delivery: str | None,
    content_type: str,
) -> None:
    caplog.clear()
    delivery_id = None if delivery is None else delivery.encode("latin-1")
    headers = signed_headers(body, event_header.encode("latin-1"), delivery_id)
    headers["Content-Type"] = content_type.encode("latin-1")
    assert answer_of(client, body, headers) in SIGNED_ANSWERS
    assert_no_fault_logged(caplog)


@FUZZ
@given(
    body=st.binary(max_size=300) | PAYLOAD_LIKE.map(lambda value: json.dumps(value).encode()),
    signed=st.none() | HEADER_TEXT | st.from_regex(r"sha256=[0-9a-f]{64}", fullmatch=True),
    event_header=st.sampled_from(EVENTS) | HEADER_TEXT,
)
def test_unsigned_or_wrongly_signed_junk_gets_401_and_no_work(
    client: TestClient,
    queue: JobQueue,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    signed: str | None,
    event_header: str,
) -> None:
    caplog.clear()
    headers: dict[str, Any] = {"X-GitHub-Event": event_header.encode("latin-1"), "X-GitHub-Delivery": str(uuid.uuid4())}
    if signed is not None:
        headers["X-Hub-Signature-256"] = signed.encode("latin-1")
    assert answer_of(client, body, headers) == (401, "unauthorized")
    assert jobs_stored(queue) == 0
    assert_no_fault_logged(caplog)

"""The endpoint's intake at the ASGI level: what it reads (nothing unsigned), its deadline, budget and odd lengths."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi import FastAPI
from signed_deliveries import SECRET, deliver

from bot.adapters.sqlstore import SqlStore
from bot.entrypoints.webhook import create_app
from bot.settings import load_settings

Receive = Callable[[], Awaitable[dict[str, Any]]]
MiB = 1024 * 1024


@pytest.fixture
def make_app(tmp_path: Path) -> Any:
    stores: list[SqlStore] = []

    def make(**settings: Any) -> FastAPI:
        store = SqlStore.open(f"sqlite:///{tmp_path / 'olympus.db'}")
        stores.append(store)
        return create_app(load_settings(None, webhook_secret=SECRET, **settings), store)

    yield make
    for store in stores:
        store.close()


class Answered:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.json = status, headers, json.loads(body)


async def post(app: FastAPI, headers: dict[str, str], receive: Receive) -> Answered:
    """One POST to the webhook path, straight through the ASGI interface, with receive as the client's side."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/webhooks/github",
        "raw_path": b"/webhooks/github",
        "query_string": b"",
        "root_path": "",
        "headers": [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8080),
    }
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(message for message in sent if message["type"] == "http.response.start")
    body = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    return Answered(start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body)


def client_sending(*chunks: bytes, then: str = "end") -> Receive:
    """The client's side: chunks of the body, then the end of it, a hang-up ("disconnect") or silence ("wait")."""
    pending = list(chunks)

    async def receive() -> dict[str, Any]:
        if pending:
            return {"type": "http.request", "body": pending.pop(0), "more_body": bool(pending) or then != "end"}
        if then == "disconnect":
            return {"type": "http.disconnect"}
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    return receive


async def never_read() -> dict[str, Any]:
    raise AssertionError("the body of this request must not be read")


def assert_nothing_held(app: FastAPI) -> None:
    assert (app.state.intake.reading, app.state.intake.held_bytes) == (0, 0)


@pytest.mark.parametrize(
    "signature", [None, "", "sha256=", "sha1=" + "0" * 40, "sha256=" + "0" * 63 + "G", "SHA256=" + "0" * 64]
)
def test_a_request_no_body_could_verify_is_refused_without_reading_it(make_app: Any, signature: str | None) -> None:
    app = make_app()
    headers = {"X-GitHub-Event": "issue_comment", "Content-Length": "100"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    answered = anyio.run(post, app, headers, never_read)
    assert answered.status == 401 and answered.json["status"] == "unauthorized"
    assert_nothing_held(app)


def test_a_body_that_stops_arriving_gets_408_after_the_read_timeout(make_app: Any) -> None:
    app = make_app(webhook_read_timeout=0.2)
    delivery = deliver("issue_comment", b'{"action": "created"}')
    answered = anyio.run(post, app, delivery.headers, client_sending(delivery.body[:5], then="wait"))
    assert answered.status == 408 and answered.json == {
        "status": "timeout",
        "reason": "the body did not arrive within 0.2 seconds",
    }
    assert_nothing_held(app)


def test_a_hang_up_mid_body_ends_the_request_with_one_warning(make_app: Any, caplog: pytest.LogCaptureFixture) -> None:
    app = make_app()
    delivery = deliver("issue_comment", b'{"action": "created"}')
    answered = anyio.run(post, app, delivery.headers, client_sending(delivery.body[:5], then="disconnect"))
    assert answered.json["status"] == "disconnected"  # counted as such; the client is gone and reads nothing
    logged = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert [(record.levelname, record.exc_info) for record in logged] == [("WARNING", None)]
    assert "127.0.0.1:50000 closed the connection after 5 of ? bytes" in logged[0].getMessage()
    assert_nothing_held(app)


def test_a_chunked_body_is_held_against_the_budget_as_it_grows(make_app: Any) -> None:
    app = make_app(webhook_max_inflight_bytes=str(26 * MiB))
    signed = {"X-GitHub-Event": "push", "X-Hub-Signature-256": "sha256=" + "0" * 64}
    answers: dict[str, Answered] = {}

    async def both() -> None:
        async with anyio.create_task_group() as group:

            async def first() -> None:
                # 20 MiB declared up front, then it stalls: those bytes stay reserved meanwhile.
                receive = client_sending(b"{", then="wait")
                with anyio.move_on_after(5):
                    answers["first"] = await post(app, signed | {"Content-Length": str(20 * MiB)}, receive)

            group.start_soon(first)
            while app.state.intake.held_bytes < 20 * MiB:
                await anyio.sleep(0.01)
            # No Content-Length: the budget is checked as the chunks come; the second one is past it.
            answers["second"] = await post(app, signed, client_sending(b"x" * (4 * MiB), b"x" * (4 * MiB)))
            group.cancel_scope.cancel()

    anyio.run(both)
    shed = answers["second"]
    assert shed.status == 503 and shed.headers["retry-after"] == "10" and shed.json["status"] == "overloaded"
    assert "first" not in answers  # still stalled when the test let go of it
    assert_nothing_held(app)


@pytest.mark.parametrize(
    ("length", "status"),
    [
        ("9" * 30, 413),  # too long to be a number worth reading
        ("\u00b2", 202),  # a digit to str.isdigit(), not to HTTP: ignored, the body is read as it comes
    ],
)
def test_odd_content_lengths_are_no_fault(make_app: Any, example: Any, length: str, status: int) -> None:
    app = make_app()
    delivery = deliver("issue_comment", example("issue_comment/created.with-installation"))
    headers = {k: v for k, v in delivery.headers.items()} | {"Content-Length": length}
    receive = client_sending(delivery.body) if status != 413 else never_read
    assert anyio.run(post, app, headers, receive).status == status
    assert_nothing_held(app)

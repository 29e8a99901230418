"""`olympus serve` on loopback against junk: hang-ups mid-body, more bodies or bytes at once than it takes."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from serve_process import ServeProcess, open_request, read_answer
from signed_deliveries import deliver

MAX_INFLIGHT = 2
BUDGET = 25 * 1024 * 1024  # the least the setting takes: GitHub's payload cap
# A signature of the right form makes the server read the body (only the body can tell it is wrong).
PLAUSIBLY_SIGNED = {"X-GitHub-Event": "issue_comment", "X-Hub-Signature-256": "sha256=" + "0" * 64}
HANG_UP_LINE = "closed the connection after"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    running = ServeProcess.start(
        tmp_path_factory.mktemp("serve"), webhook_max_inflight=str(MAX_INFLIGHT), webhook_max_inflight_bytes="25MiB"
    )
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def server_log(server: ServeProcess) -> Iterator[Any]:
    """The server's log from this test's start (call it for the text); after the test, nothing is held or read."""
    start = len(server.log_text())
    yield lambda: server.log_text()[start:]
    server.wait_until(lambda: server.metric("olympus_webhook_bodies_reading") == 0, "the bodies to be done")
    assert server.metric("olympus_webhook_body_bytes_held") == 0


def slow_body(server: ServeProcess, declared: int, *, sent: bytes = b'{"action": ') -> socket.socket:
    """A request whose body stops after its first bytes, left open until the test closes it."""
    reading = server.metric("olympus_webhook_bodies_reading")
    connection = open_request(server.port, PLAUSIBLY_SIGNED | {"Content-Length": str(declared)}, sent)
    server.wait_until(lambda: server.metric("olympus_webhook_bodies_reading") > reading, "the body to be read")
    return connection


def assert_no_fault_logged(text: str) -> None:
    assert "Traceback" not in text and "ClientDisconnect" not in text, text
    assert " ERROR " not in text and "ERROR:" not in text, text


def test_a_client_hanging_up_mid_body_is_one_warning_line_each_time(server: ServeProcess, server_log: Any) -> None:
    hang_ups = 5
    for _ in range(hang_ups):
        slow_body(server, 1000).close()
    server.wait_until(lambda: server_log().count(HANG_UP_LINE) == hang_ups, "the hang-ups to be logged")
    text = server_log()
    warnings = [line for line in text.splitlines() if HANG_UP_LINE in line]
    assert len(warnings) == hang_ups
    assert all(" WARNING bot.entrypoints.webhook_intake: " in line and "of 1000 bytes" in line for line in warnings)
    assert_no_fault_logged(text)
    # And nothing else but the test's own polling of /metrics: no access-log line for the webhooks, no traceback.
    assert [line for line in text.splitlines() if '"GET /metrics ' not in line] == warnings


def test_a_body_beyond_the_inflight_bound_gets_503_with_retry_after(
    server: ServeProcess, server_log: Any, example: Any
) -> None:
    delivery = deliver("issue_comment", example("issue_comment/created.with-installation"))
    held = [slow_body(server, 1000) for _ in range(MAX_INFLIGHT)]
    try:
        extra = open_request(server.port, delivery.headers | {"Content-Length": str(len(delivery.body))}, delivery.body)
        with extra:
            status, headers, body = read_answer(extra)
        assert status == 503, body
        assert headers["retry-after"] == "10"  # the read timeout: by then every body now read is done
        assert b'"status":"overloaded"' in body and b"request bodies are being read already" in body
    finally:
        for connection in held:
            connection.close()
    server.wait_until(lambda: server.metric("olympus_webhook_bodies_reading") == 0, "the held bodies to end")
    again = open_request(server.port, delivery.headers | {"Content-Length": str(len(delivery.body))}, delivery.body)
    with again:
        assert read_answer(again)[0] == 202  # the same delivery, once there is room
    assert_no_fault_logged(server_log())


def test_a_body_beyond_the_byte_budget_gets_503_before_it_is_read(server: ServeProcess, server_log: Any) -> None:
    big = slow_body(server, 20 * 1024 * 1024)
    try:
        assert server.metric("olympus_webhook_body_bytes_held") == 20 * 1024 * 1024  # reserved as declared
        over = open_request(server.port, PLAUSIBLY_SIGNED | {"Content-Length": str(BUDGET - 20 * 1024 * 1024 + 1)})
        with over:
            status, headers, body = read_answer(over)  # answered with nothing of its body sent
        assert status == 503 and headers["retry-after"] == "10", body
        assert b"exceed the server's budget" in body
        fits = open_request(server.port, PLAUSIBLY_SIGNED | {"Content-Length": "2"}, b"{}")
        with fits:
            assert read_answer(fits)[0] == 401  # read, hashed, and refused for its signature: there was room
    finally:
        big.close()
    assert_no_fault_logged(server_log())


def test_a_body_over_githubs_cap_gets_413_without_a_slot(server: ServeProcess, server_log: Any) -> None:
    over = open_request(server.port, PLAUSIBLY_SIGNED | {"Content-Length": str(25 * 1024 * 1024 + 1)})
    with over:
        status, _, body = read_answer(over)
    assert status == 413 and b"too-large" in body
    assert_no_fault_logged(server_log())

"""Benchmark: webhook acknowledgement latency at 100 signed deliveries/s for 30 s on loopback (goal p99 ≤ 25 ms).

Starts `olympus serve` (the real command, with its worker threads) in a subprocess on 127.0.0.1 with a SQLite file or
a throw-away PostgreSQL database, then sends signed `issue_comment.created` deliveries (GitHub's own example payload)
on an open-loop schedule: request i leaves at t0 + i/rate whatever happened to the ones before, and its latency is
counted from that planned instant, so a stalled server cannot hide its queueing. Every answer must be 202 queued,
and every delivery must end up as a job in the database.

    .venv/bin/python benchmarks/bench_webhook.py [--db sqlite|postgres] [--rate 100] [--duration 30] [--workers 2]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = Path(
    os.environ.get("OLYMPUS_SHARED_FIXTURES", ROOT.parent / "shared" / "fixtures"),
    "github-webhooks/payload-examples/api.github.com/issue_comment/created.with-installation.payload.json",
)
P99_GOAL_MS = 25.0
SECRET = secrets.token_hex(16)
WARM_UP = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def deliveries(count: int) -> list[tuple[bytes, dict[str, str]]]:
    """count signed requests: GitHub's example comment, each with its own comment id, command and delivery id."""
    payload = json.loads(EXAMPLE.read_text())
    made = []
    for n in range(count):
        payload["comment"]["id"] = 1_000_000 + n
        payload["comment"]["body"] = f"/infra create bucket logs-{n} region=eu-west-1"
        body = json.dumps(payload).encode()
        made.append(
            (
                body,
                {
                    "X-GitHub-Event": "issue_comment",
                    "X-GitHub-Delivery": str(uuid.uuid4()),
                    "X-Hub-Signature-256": "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest(),
                    "Content-Type": "application/json",
                    "User-Agent": "GitHub-Hookshot/bench",
                },
            )
        )
    return made


class Connections:
    """Keep-alive HTTP/1.1 connections to the server, reused one request at a time.

    A bare asyncio client: the prebuilt request bytes go out as they are and only the status line and the body
    are read back, so the load generator spends far less of the shared CPU than a full HTTP client would.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        if self.idle:
            reader, writer = self.idle.pop()
            try:
                return await self._exchange_on(reader, writer, request)
            except asyncio.IncompleteReadError as error:
                # The server closes keep-alive connections idle for 5 s (uvicorn's default); as any HTTP client
                # does, send again on a new connection when a reused one turns out closed before answering.
                writer.close()
                if error.partial:
                    raise
        reader, writer = await asyncio.open_connection(self.host, self.port)
        return await self._exchange_on(reader, writer, request)

    async def _exchange_on(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
    ) -> tuple[int, bytes]:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        body = await reader.readexactly(length)
        self.idle.append((reader, writer))
        return status, body

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


def http_request(port: int, body: bytes, headers: dict[str, str]) -> bytes:
    lines = ["POST /webhooks/github HTTP/1.1", f"Host: 127.0.0.1:{port}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def load(port: int, requests: list[tuple[bytes, dict[str, str]]], rate: float) -> tuple[list[float], list[str]]:
    """Send every request on schedule; latencies in seconds (planned start → answer) and error descriptions."""
    latencies: list[float] = []
    errors: list[str] = []
    connections = Connections("127.0.0.1", port)
    loop = asyncio.get_running_loop()
    body, headers = requests[0]
    for _ in range(WARM_UP):  # open a connection and warm the server's code paths; not counted
        await connections.exchange(http_request(port, body, headers | {"X-GitHub-Delivery": str(uuid.uuid4())}))
    prepared = [http_request(port, body, headers) for body, headers in requests]

    async def send(request: bytes, planned: float) -> None:
        try:
            status, answer = await connections.exchange(request)
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            errors.append(f"{type(error).__name__}: {error}")
            return
        latencies.append(loop.time() - planned)
        if status != 202 or json.loads(answer).get("status") != "queued":
            errors.append(f"{status} {answer[:200]!r}")

    start = loop.time() + 0.2
    tasks = []
    for n, request in enumerate(prepared):
        planned = start + n / rate
        delay = planned - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(request, planned)))
    await asyncio.gather(*tasks)
    connections.close()
    return latencies, errors


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def wait_until_healthy(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"olympus serve exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"olympus serve did not become ready in 60 s:\n{log.read_text()[-3000:]}")


def server_histogram(base: str) -> list[tuple[float, float]]:
    """(bucket bound in seconds, share of answers within it) from the server's own ack histogram."""
    text = httpx.get(f"{base}/metrics", timeout=10).text
    buckets = []
    for line in text.splitlines():
        if line.startswith("olympus_webhook_ack_seconds_bucket{"):
            bound = line.split('le="', 1)[1].split('"', 1)[0]
            buckets.append((float(bound), float(line.rsplit(" ", 1)[1])))
    total = buckets[-1][1] if buckets else 0.0
    return [(bound, count / total) for bound, count in buckets if total]


def stored_jobs(database_url: str) -> int:
    engine = sa.create_engine(database_url, poolclass=sa.NullPool)
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.text("SELECT count(*) FROM jobs")).scalar_one())
    finally:
        engine.dispose()


def run(database_url: str, label: str, *, rate: float, duration: float, workers: int, folder: Path) -> bool:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = folder / "serve.log"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OLYMPUS_")}
    environment |= {"OLYMPUS_WEBHOOK_SECRET": SECRET, "OLYMPUS_DATABASE_URL": database_url}
    count = int(rate * duration)
    requests = deliveries(count)
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "bot.entrypoints.cli", "serve", "--port", str(port), "--workers", str(workers)],
            cwd=folder,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_healthy(base, server, log)
            started = time.monotonic()
            latencies, errors = asyncio.run(load(port, requests, rate))
            took = time.monotonic() - started
            server_side = server_histogram(base)
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    jobs = stored_jobs(database_url)
    ms = [value * 1000 for value in latencies]
    p50, p90, p99 = (percentile(ms, f) for f in (0.50, 0.90, 0.99))
    print(f"{label}: {count} signed deliveries at {rate:g}/s over {took:.1f} s, {workers} worker threads")
    print(f"  ack latency  p50 {p50:6.2f} ms   p90 {p90:6.2f} ms   p99 {p99:6.2f} ms   max {max(ms):6.2f} ms")
    print(
        f"  mean {statistics.fmean(ms):.2f} ms; errors {len(errors)}; jobs stored {jobs} (expected {count + WARM_UP})"
    )
    shares = ", ".join(f"≤ {bound * 1000:g} ms {share:.1%}" for bound, share in server_side if bound <= 0.05)
    print(f"  server side (olympus_webhook_ack_seconds, warm-up included): {shares}")
    for error in errors[:5]:
        print(f"    {error}")
    met = p99 <= P99_GOAL_MS and not errors and jobs == count + WARM_UP
    print(f"  goal p99 ≤ {P99_GOAL_MS:g} ms with zero errors: {'met' if met else 'NOT met'}")
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("OLYMPUS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
        help="an administrative URL; a throw-away database is created next to it and dropped afterwards",
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="olympus-bench-webhook-") as directory:
        folder = Path(directory)
        if options.db == "sqlite":
            url = f"sqlite:///{folder / 'olympus.db'}"
            return 0 if run(url, "SQLite", **_load_options(options), folder=folder) else 1
        admin = sa.create_engine(options.postgres_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
        name = f"olympus_bench_{secrets.token_hex(4)}"
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            url = sa.make_url(options.postgres_url).set(database=name).render_as_string(hide_password=False)
            return 0 if run(url, "PostgreSQL", **_load_options(options), folder=folder) else 1
        finally:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def _load_options(options: argparse.Namespace) -> dict[str, Any]:
    return {"rate": options.rate, "duration": options.duration, "workers": options.workers}


if __name__ == "__main__":
    sys.exit(main())

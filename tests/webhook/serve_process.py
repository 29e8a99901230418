"""A real `olympus serve` in a child process on loopback, its log in a file, and raw HTTP/1.1 requests to it."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from signed_deliveries import SECRET

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 30.0  # how long a poll waits before the test fails (the machines are shared and slow)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ServeProcess:
    """`python -m bot.entrypoints.cli serve` with OLYMPUS_* from settings only (none from the machine)."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path
    database: Path

    @classmethod
    def start(cls, folder: Path, *, workers: int = 0, **settings: str) -> ServeProcess:
        port = free_port()
        database = folder / "olympus.db"
        environment = {k: v for k, v in os.environ.items() if not k.startswith("OLYMPUS_")}
        environment |= {
            "PYTHONPATH": str(ROOT),
            "OLYMPUS_WEBHOOK_SECRET": SECRET,
            "OLYMPUS_DATABASE_URL": f"sqlite:///{database}",
        }
        environment |= {f"OLYMPUS_{name.upper()}": value for name, value in settings.items()}
        log = folder / "serve.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot.entrypoints.cli", "serve", "--port", str(port), "--workers", str(workers)],
                cwd=folder,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        server = cls(process, port, log, database)
        server.wait_until(server.is_ready, "the server to be ready")
        return server

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def is_ready(self) -> bool:
        assert self.process.poll() is None, self.log_text()
        try:
            return httpx.get(f"{self.base}/readyz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    def wait_until(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while not condition():
            assert time.monotonic() < deadline, f"gave up waiting for {what}:\n{self.log_text()}"
            time.sleep(0.05)

    def metric(self, name: str) -> float:
        text = httpx.get(f"{self.base}/metrics", timeout=5).text
        found = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
        assert found, f"no {name} in /metrics"
        return float(found.group(1))

    def stop(self, how: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(how)
        return self.process.wait(timeout=60)


def open_request(port: int, headers: dict[str, str], body: bytes = b"") -> socket.socket:
    """A POST to the webhook path on a raw socket: the headers and what there is of the body, no more."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=WAIT_SECONDS)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    connection.sendall(f"POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode("latin-1") + body)
    return connection


def read_answer(connection: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """The status, headers (lower-case names) and body of the response on connection."""
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = connection.recv(65536)
        assert chunk, f"the server closed the connection without answering: {received!r}"
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, value in (line.split(":", 1) for line in lines)}
    while len(body) < int(headers.get("content-length", "0")):
        chunk = connection.recv(65536)
        assert chunk, "the server closed the connection mid-answer"
        body += chunk
    return int(status_line.split()[1]), headers, body

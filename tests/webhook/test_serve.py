"""`olympus serve` for real: it takes a signed delivery on loopback, its worker runs the job, a signal stops it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from signed_deliveries import SECRET, deliver

from bot.adapters.jobqueue import JobQueue, JobStatus
from bot.adapters.sqlstore import SqlStore

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_queues_a_delivery_runs_it_and_stops_on_a_signal(tmp_path: Path, example: Any, stop: int) -> None:
    port = free_port()
    database = tmp_path / "olympus.db"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OLYMPUS_")}
    environment |= {
        "PYTHONPATH": str(ROOT),
        "OLYMPUS_WEBHOOK_SECRET": SECRET,
        "OLYMPUS_DATABASE_URL": f"sqlite:///{database}",
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "bot.entrypoints.cli", "serve", "--port", str(port), "--workers", "1"],
            cwd=tmp_path,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(600):
                assert server.poll() is None, log.read_text()
                try:
                    if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.05)
            delivery = deliver("issue_comment", example("issue_comment/created.with-installation"))
            response = httpx.post(f"{base}/webhooks/github", content=delivery.body, headers=delivery.headers)
            assert response.status_code == 202, response.text
            job_id = response.json()["job"]
            with SqlStore.open(f"sqlite:///{database}") as store:
                queue = JobQueue(store.engine)
                for _ in range(600):
                    record = queue.get(job_id)
                    if record is not None and record.status == JobStatus.DONE:
                        break
                    time.sleep(0.05)
                assert record is not None and record.status == JobStatus.DONE and record.attempts == 1
        finally:
            server.send_signal(stop)
            code = server.wait(timeout=60)
    text = log.read_text()
    assert code == 0, text
    assert f"job {job_id}: issue_comment.created for Codertocat/Hello-World" in text  # log_only_handler ran
    assert SECRET not in text
    assert "Shutting down" in text

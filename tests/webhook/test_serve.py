"""`olympus serve` for real: it takes a signed delivery on loopback, its worker runs the job, a signal stops it."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import httpx
import pytest
from serve_process import ServeProcess
from signed_deliveries import SECRET, deliver

from bot.adapters.jobqueue import JobQueue, JobStatus
from bot.adapters.sqlstore import SqlStore


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_queues_a_delivery_runs_it_and_stops_on_a_signal(tmp_path: Path, example: Any, stop: int) -> None:
    server = ServeProcess.start(tmp_path, workers=1)
    try:
        delivery = deliver("issue_comment", example("issue_comment/created.with-installation"))
        response = httpx.post(f"{server.base}/webhooks/github", content=delivery.body, headers=delivery.headers)
        assert response.status_code == 202, response.text
        job_id = response.json()["job"]
        with SqlStore.open(f"sqlite:///{server.database}") as store:
            queue = JobQueue(store.engine)

            def done() -> bool:
                record = queue.get(job_id)
                return record is not None and record.status == JobStatus.DONE

            server.wait_until(done, f"job {job_id} to be done")
            record = queue.get(job_id)
            assert record is not None and record.attempts == 1
    finally:
        code = server.stop(stop)
    text = server.log_text()
    assert code == 0, text
    assert f"job {job_id}: issue_comment.created for Codertocat/Hello-World" in text  # log_only_handler ran
    assert SECRET not in text
    assert "Shutting down" in text

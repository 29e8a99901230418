"""The dashboard's job queue page over jobs that went through the real queue: counts, waits, stuck and failed jobs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from dashboard_seed import HOSTILE, JOB_TOKEN, NOW, REPO, seed
from fastapi.testclient import TestClient

from bot.adapters import sqlschema as t
from bot.adapters.sqlstore import SqlStore
from bot.entrypoints.dashboard import dashboard_app


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    with SqlStore.open(f"sqlite:///{tmp_path / 'olympus.db'}") as opened:
        seed(opened)
        yield opened


@pytest.fixture
def client(store: SqlStore) -> TestClient:
    return TestClient(dashboard_app(store, [REPO], clock=lambda: NOW))


def tiles(page: str) -> dict[str, str]:
    return {name: n for n, name in re.findall(r'<span class="n">([^<]+)</span>([^<]+)</li>', page)}


def test_queue_counts_jobs_per_status_and_says_what_waits(client: TestClient) -> None:
    page = client.get("/queue").text
    shown = tiles(page)
    assert {status: shown[status] for status in ("queued", "running", "done", "failed")} == {
        "queued": "2",
        "running": "1",
        "done": "2",
        "failed": "1",
    }
    assert shown["waiting for a retry"] == "1" and shown["stuck (lease expired)"] == "1"
    assert shown["longest wait for a worker"] == "7 min"
    assert "Waiting longest: job 6 (issue_comment created, infra-repo), due since 2026-12-03 08:53:00" in page
    # The stuck job: running under worker-1, whose 15 min lease ended at 08:55.
    assert '<td class="num">4</td><td>issue_comment created</td><td>infra-repo</td><td>worker-1</td>' in page
    assert "<td>2026-12-03 08:55:00</td>" in page


def test_failed_jobs_show_their_error_escaped_and_without_secrets(client: TestClient, store: SqlStore) -> None:
    # An error recorded before the queue masked errors (or by another writer) is masked when read.
    with store.engine.begin() as connection:
        connection.execute(
            t.jobs.update().where(t.jobs.c.delivery_id == "delivery-failed").values(last_error=f"boom {JOB_TOKEN}")
        )
    page = client.get("/queue").text
    row = re.search(r'<tr data-job-id="2">(.*?)</tr>', page, re.S)
    assert row, "the failed job is listed"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    assert cells[:6] == [
        "2",
        "pull_request",
        "created",
        "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;",
        "1",
        "2026-12-03 07:01:00",
    ]
    assert cells[6] == "<pre>boom ***</pre>"
    assert JOB_TOKEN not in page and HOSTILE not in page


def test_the_queue_s_throughput_is_charted_per_hour(client: TestClient) -> None:
    page = client.get("/queue").text
    assert page.count("<svg") == 2  # one chart, drawn for light and for dark pages
    assert "Jobs finished per hour (UTC), the last 24 hours" in page
    rows = re.findall(r'<tr><td>([^<]+)</td><td class="num">(\d+)</td><td class="num">(\d+)</td></tr>', page)
    assert len(rows) == 24 and rows[-1][0] == "2026-12-03 09:00:00"
    busy = {hour: (int(done), int(failed)) for hour, done, failed in rows if done != "0" or failed != "0"}
    assert busy == {"2026-12-03 06:00:00": (1, 0), "2026-12-03 07:00:00": (0, 1), "2026-12-03 08:00:00": (1, 0)}


def test_live_counts_follow_the_queue(store: SqlStore) -> None:
    counts = store.store_counts()
    assert (counts.queued_jobs, counts.running_jobs, counts.failed_jobs) == (2, 1, 1)

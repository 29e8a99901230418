"""Faults and crashes lose nothing: two replicas on PostgreSQL, a GitHub failing 20 % of calls, SIGKILLs every few s."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_driver import seed_files
from chaos_checks import check_everything
from chaos_run import run_chaos
from chaos_world import Mix

from bot.adapters.local_aws import InProcessEmulator, LocalAws

pytestmark = pytest.mark.slow


@pytest.fixture
def aws() -> Iterator[LocalAws]:
    with InProcessEmulator() as emulator:
        emulator.ensure_state_backend()
        yield emulator


def test_a_thousand_deliveries_through_faults_and_kills(
    fixtures_dir: Path, fake_github: Any, postgres_url: str, aws: LocalAws, tmp_path: Path
) -> None:
    mix = Mix()
    assert mix.size() == 1000
    run = run_chaos(fake_github, fixtures_dir, postgres_url, tmp_path, aws.url, seed_files(), mix=mix)
    summary = (
        f"{len(run.sent)} deliveries in {run.seconds:.0f} s ({run.drain_seconds:.0f} s draining after the last), "
        f"{run.kills} SIGKILLs, {run.sender_retries} sends retried, outages {dict(run.outages)}"
    )
    print(summary)
    found = check_everything(run, fake_github, postgres_url, mix)
    summary += f", {dict(found.counts)}"
    print(summary)
    logs = "\n".join(f"--- {log.name}: {log}" for log in run.logs)
    assert not found.broken, f"{len(found.broken)} broken:\n" + "\n".join(found.broken[:40]) + f"\n{summary}\n{logs}"
    assert run.kills >= 3, summary
    assert sum(n for kind, n in run.outages.items() if kind != "passed") > 0, summary

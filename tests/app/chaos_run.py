"""Run the chaos: set up, start two replicas, fail GitHub's calls, send every delivery while killing, wait it out."""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from chaos_mix import set_up, steps
from chaos_world import Killer, Mix, Payloads, Replica, Sender, Sent, Timing, replica_environment

from bot.adapters.jobqueue import JobQueue, JobStatus
from bot.adapters.sandbox import provider_mirror
from bot.wiring import cache_dir

FAULT_RATE = 0.2
# OpenAPI validation costs ~50 ms a request here; every 10th request (and its response) is checked, deterministically,
# which keeps the double's own work from being most of the run while every endpoint the App uses is still sampled.
VALIDATE_ONE_IN = 10


@dataclass
class ChaosRun:
    """What was sent and what happened while it ran."""

    sent: list[Sent]
    pulls: dict[int, int]
    seconds: float = 0.0
    drain_seconds: float = 0.0
    kills: int = 0
    starts: int = 0
    sender_retries: int = 0
    outages: Counter[str] = field(default_factory=Counter)
    logs: list[Path] = field(default_factory=list)


def run_chaos(
    fake: Any,
    fixtures_dir: Path,
    database_url: str,
    folder: Path,
    aws_url: str,
    seed_files: dict[str, str],
    *,
    mix: Mix | None = None,
    seed: int = 20261201,
    drain_timeout: float = 600.0,
) -> ChaosRun:
    mix = mix or Mix()
    rng = random.Random(seed)
    world = set_up(fake, mix, seed_files)
    payloads = Payloads(fixtures_dir, fake)
    plan = steps(fake, payloads, world, mix, rng)
    # Two replicas unpacking the AWS provider at once would race for the same files: unpack it once, up front.
    provider_mirror(cache_dir())
    key_file = folder / "app.pem"
    key_file.write_text(fake.private_key_pem)
    data_dir = folder / "data"
    environment = replica_environment(fake, database_url, data_dir, aws_url, key_file)
    replicas = [Replica(name, folder, environment) for name in ("replica-a", "replica-b")]
    run = ChaosRun(sent=[], pulls=world.pulls, logs=[r.log for r in replicas])
    started = time.monotonic()
    for replica in replicas:
        replica.start()
    for replica in replicas:
        replica.wait_ready()
    fake.validate_one_in = VALIDATE_ONE_IN
    outages = fake.chaos(rate=FAULT_RATE, seed=seed, hang_seconds=Timing().hang_seconds)
    killer = Killer(replicas, seed)
    sender = Sender(replicas, seed)
    killer.start()
    engine = sa.create_engine(database_url, poolclass=sa.NullPool)
    try:
        redeliver_at = _redeliveries(len(plan), mix.redeliveries, rng)
        pending: list[tuple[str, dict[str, Any], Sent]] = []
        for index, step in enumerate(plan):
            for event, payload, sent in step():
                sent.answers.append(sender.send(event, payload, sent.delivery_id))
                run.sent.append(sent)
                if index in redeliver_at:
                    pending.append((event, payload, sent))
            while pending and rng.random() < 0.3:
                event, payload, sent = pending.pop(0)
                sent.answers.append(sender.send(event, payload, sent.delivery_id))
        for event, payload, sent in pending:
            sent.answers.append(sender.send(event, payload, sent.delivery_id))
        sending_done = time.monotonic()
        _drain(JobQueue(engine), drain_timeout, killer)
        killer.stop()
        if killer.failure is not None:
            raise killer.failure
        # The last kill may have left a job running under a lease: wait for the other replica to take it over.
        _drain(JobQueue(engine), drain_timeout, None)
        run.drain_seconds = time.monotonic() - sending_done
    finally:
        killer.stop()
        fake.calm()
        for replica in replicas:
            replica.stop()
        engine.dispose()
    run.seconds = time.monotonic() - started
    run.kills = killer.kills
    run.starts = sum(r.starts for r in replicas)
    run.sender_retries = sender.retries
    run.outages = Counter(outages.counts)
    return run


def _redeliveries(steps: int, count: int, rng: random.Random) -> set[int]:
    return set(rng.sample(range(steps), min(count, steps)))


def _drain(queue: JobQueue, timeout: float, killer: Killer | None) -> None:
    """Wait until no job is queued or running (the killer, if any, goes on killing meanwhile)."""
    deadline = time.monotonic() + timeout
    while True:
        counts = queue.counts_by_status()
        if counts[JobStatus.QUEUED] == 0 and counts[JobStatus.RUNNING] == 0:
            return
        if killer is not None and killer.failure is not None:
            raise killer.failure
        assert time.monotonic() < deadline, f"jobs still pending after {timeout:.0f} s: {counts}"
        time.sleep(0.5)

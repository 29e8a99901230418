"""Benchmark: the chaos test at a larger size (default 2 × its mix: 1,996 deliveries), with its invariants checked.

Two `olympus serve --workers 2` replicas on a throw-away PostgreSQL database take the test's mix of real webhook
payloads (tests/app/chaos_mix.py) scaled up, while the GitHub double fails 20 % of calls and a replica is SIGKILLed
every 4-8 s and restarted. Prints the wall time, the job throughput and the invariant counts; exits 1 if any
invariant is broken.

    .venv/bin/python benchmarks/bench_chaos.py [--scale 2] [--seed 20261201]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import importlib.resources
import os
import secrets
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "app"), str(ROOT / "tests"), str(ROOT)]
FIXTURES = Path(os.environ.get("OLYMPUS_SHARED_FIXTURES", ROOT.parent / "shared" / "fixtures"))


def seed_files() -> dict[str, str]:
    root = importlib.resources.files("bot.entrypoints") / "demo_seed"
    with importlib.resources.as_file(root) as path:
        return {p.relative_to(path).as_posix(): p.read_text() for p in path.rglob("*") if p.is_file()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # 2 takes about 15 minutes on a 2-core machine; 5 (5,000 deliveries) about 40.
    parser.add_argument("--scale", type=int, default=2, help="times the test's mix of 1,000 deliveries")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    options = parser.parse_args()

    from chaos_checks import check_everything
    from chaos_run import run_chaos
    from chaos_world import Mix
    from fakes.github import FakeGitHub, GitHubOpenAPI
    from fakes.github.auth import generate_app_key

    from bot.adapters.local_aws import InProcessEmulator

    mix = Mix().scaled(options.scale)
    admin = sa.create_engine(options.postgres_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    name = f"olympus_bench_{secrets.token_hex(6)}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(options.postgres_url).set(database=name).render_as_string(hide_password=False)
    private_pem, public_pem = generate_app_key()
    fake = FakeGitHub(GitHubOpenAPI.load(FIXTURES), private_key_pem=private_pem, public_key_pem=public_pem)
    try:
        with InProcessEmulator() as aws, tempfile.TemporaryDirectory(prefix="olympus-chaos-") as folder:
            aws.ensure_state_backend()
            run = run_chaos(
                fake,
                FIXTURES,
                url,
                Path(folder),
                aws.url,
                seed_files(),
                mix=mix,
                seed=options.seed,
                drain_timeout=3600.0,
            )
            found = check_everything(run, fake, url, mix)
    finally:
        fake.stop()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    faults = sum(n for kind, n in run.outages.items() if kind != "passed")
    calls = faults + run.outages["passed"]
    print(f"deliveries            {len(run.sent):>8,} ({mix.prs} pull requests, {mix.redeliveries} redelivered)")
    print(f"wall time             {run.seconds:>8.0f} s ({run.drain_seconds:.0f} s of it after the last delivery)")
    print(f"jobs per minute       {found.counts['jobs'] / run.seconds * 60:>8.0f}")
    print(f"GitHub calls          {calls:>8,} ({faults:,} failed: {dict(run.outages)})")
    print(f"SIGKILLs              {run.kills:>8} ({run.sender_retries} sends retried with the same delivery id)")
    for key, value in sorted(found.counts.items()):
        print(f"  {key:<44} {value:>8,}")
    print(f"invariants broken     {len(found.broken):>8}")
    for line in found.broken[:40]:
        print("  " + line)
    return 1 if found.broken else 0


if __name__ == "__main__":
    sys.exit(main())

"""benchmarks/bench_dashboard.py on a tiny store, so it cannot rot: the seeding fills every table the pages read, and
the walk gets every page from a real server (no timing is asserted: the benchmark measures, tests do not)."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from bot.adapters.sqlstore import SqlStore
from bot.domain.record_repos import repo_of_params, repo_of_text

ROOT = Path(__file__).resolve().parents[2]


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_dashboard", ROOT / "benchmarks" / "bench_dashboard.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_seeds_every_table_and_walks_every_page(postgres_url: str) -> None:
    bench = _bench()
    sizes = bench.Sizes.scaled(audit=400, runs=80)
    measured = bench.measure(postgres_url, sizes, requests=2, warm_up=1)

    expected = {"overview", "runs", "runs, deep page", "audit result=failed", "audit failed, deep page", "fixes"}
    assert list(measured.walks) == [bench.LOCAL, bench.SCOPED]
    for walked in measured.walks.values():
        assert expected | {"queue", "events, first message"} <= set(walked.timings)
        assert all(len(values) == 2 for values in walked.timings.values())
        assert set(walked.server_cpu_ms) == set(walked.timings)
    read = {label for label, _ in measured.plans}
    assert {"runs, deep page", "audit failed", "store counts", "fix rates, latest 1000", "queue health"} <= read
    assert {"runs, deep page, scoped", "audit failed, scoped", "store counts, scoped", "queue health, scoped"} <= read
    assert {"audit page, old repos, scoped", "runs page, old repos, scoped"} <= read
    assert all(lines for _, lines in measured.plans)
    with SqlStore.open(postgres_url) as store:
        counts = store.store_counts()
        changes = 2 * (1 + 2)  # each walk's overview after a change: its warm-up request and two timed ones add a run
        assert (counts.audit_entries, counts.runs) == (sizes.audit + changes, sizes.runs + changes)
        assert counts.failed_runs and counts.locks == sizes.locks and counts.drift_checks
        assert (counts.plans, counts.interactions, counts.fix_attempts) == (
            sizes.plans,
            sizes.interactions,
            sizes.fix_attempts,
        )
        assert any(entry.result != "ok" for entry in store.audit_page(limit=100))
        assert any(run.detail.get("steps") for run in store.runs_page(limit=50))
        assert counts.queued_jobs and counts.failed_jobs
        assert store.job_queue_health(datetime.now(UTC)).counts["done"]


def test_the_seeded_rows_name_their_repositories_so_the_apps_reads_are_scoped(postgres_url: str) -> None:
    bench = _bench()
    reader = sorted(bench.READER_ROLES)
    with SqlStore.open(postgres_url) as store:
        bench.seed(store.engine, bench.Sizes.scaled(audit=400, runs=80), datetime.now(UTC))
        everything, theirs = store.store_counts(), store.store_counts(repos=reader)
        audit = store.audit_page(limit=400, repos=reader)
        health = store.job_queue_health(datetime.now(UTC), repos=reader)
        interactions = store.interactions(100, repos=reader)

    assert 0 < theirs.audit_entries < everything.audit_entries and 0 < theirs.runs < everything.runs
    assert 0 < theirs.plans < everything.plans and 0 < theirs.interactions < everything.interactions
    assert audit and {entry.repo for entry in audit} <= set(reader)
    assert all(repo_of_params(entry.params) in (None, entry.repo) for entry in audit)  # as the store writes it
    assert {job.repo for job in health.failed} <= set(reader) and sum(health.counts.values()) > 0
    assert interactions and all(repo_of_text(i.where) in reader for i in interactions)

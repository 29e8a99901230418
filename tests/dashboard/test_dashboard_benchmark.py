"""benchmarks/bench_dashboard.py on a tiny store, so it cannot rot: the seeding fills every table the pages read, and
the walk gets every page from a real server (no timing is asserted: the benchmark measures, tests do not)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from bot.adapters.sqlstore import SqlStore

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
    assert expected <= set(measured.timings) and "events, first message" in measured.timings
    assert all(len(values) == 2 for values in measured.timings.values())
    read = {label for label, _ in measured.plans}
    assert {"runs, deep page", "audit failed", "store counts", "fix rates, latest 1000"} <= read
    assert all(lines for _, lines in measured.plans)
    with SqlStore.open(postgres_url) as store:
        counts = store.store_counts()
        changes = 1 + 2  # the overview after a change: its warm-up request and its two timed ones each add a run
        assert (counts.audit_entries, counts.runs) == (sizes.audit + changes, sizes.runs + changes)
        assert counts.failed_runs and counts.locks == sizes.locks and counts.drift_checks
        assert (counts.plans, counts.interactions, counts.fix_attempts) == (
            sizes.plans,
            sizes.interactions,
            sizes.fix_attempts,
        )
        assert any(entry.result != "ok" for entry in store.audit_page(limit=100))
        assert any(run.detail.get("steps") for run in store.runs_page(limit=50))

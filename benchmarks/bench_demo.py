"""Benchmark: the demo's wall time, split into Terraform, the scanners and Olympus's own work (goal ≤ 10%)."""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = 3
_SPLIT = re.compile(r"^\s+(terraform|scanners|emulator|olympus|total)\s+([0-9.]+) s$", re.MULTILINE)


def one_run() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="olympus-bench-") as directory:
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "bot.entrypoints.cli", "demo", "--dir", directory],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        wall = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"the demo failed:\n{done.stdout}\n{done.stderr}")
    split = {kind: float(seconds) for kind, seconds in _SPLIT.findall(done.stdout)}
    split["in-process olympus"] = split["olympus"]
    split["in-process total"] = split["total"]
    # Start-up (interpreter, imports) is Olympus's too: count everything the stopwatch did not see.
    split["olympus"] += wall - split["total"]
    split["total"] = wall
    return split


def main() -> None:
    runs = [one_run() for _ in range(RUNS)]
    print(f"demo wall time over {RUNS} runs (median seconds):")
    for kind in ("terraform", "scanners", "emulator", "olympus", "total"):
        print(f"  {kind:<10} {statistics.median(r[kind] for r in runs):6.2f}")
    share = statistics.median(r["olympus"] / r["total"] for r in runs)
    print(f"  olympus share of the total: {share:.1%} (goal ≤ 10%)")
    inside = statistics.median(r["in-process olympus"] / r["in-process total"] for r in runs)
    print(f"  the same without interpreter start-up and imports: {inside:.1%}")


if __name__ == "__main__":
    main()

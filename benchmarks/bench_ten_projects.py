"""Benchmark: a change to a module ten projects share, planned by Olympus vs Terraform and the scanners on their own.

The repository is terraform-aws-security-group v5.3.1 (../shared/fixtures/terraform-repos): its root module is the
shared module, and five of its examples plan offline (examples/complete calls a registry module and cannot). The
ten projects are those five and a copy of each (`examples/<name>-copy`, a root calling `../../` the same way);
`examples/complete` is left out of the copy; `wrappers/` stays (in a module's repository Olympus plans the
examples, not the wrappers), so the change touches exactly ten.
On a branch, the root module's default description changes; then, in one run:

1. `olympus plan --sandbox` (the CLI as a subprocess: ten projects locked, init/plan/show, Checkov and Trivy, the
   comment and SARIF written), wall time, and the CLI's own split (its `time:` line);
2. Terraform alone: `terraform init` + `terraform plan` of the same ten projects, as many at once as Olympus runs
   (OLYMPUS_PARALLEL_PLAN, default the cores), with the same provider mirror, the same emulator and the same
   provider override;
3. the scanners alone: Checkov and Trivy run directly (their binaries, the arguments Olympus gives them, side by
   side) over the directories Olympus scans.

Goal: Olympus's wall time ≤ 1.3 × the longer of 2 and 3. Prints a markdown table for docs/benchmarks.md.
Run: `.venv/bin/python benchmarks/bench_ten_projects.py [--runs N]` (median of N rounds, default 1).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import resource
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

from bot.adapters.git_tree import GitTreeReader  # noqa: E402
from bot.adapters.local_aws import LocalAws, ensure_background_emulator  # noqa: E402
from bot.adapters.localgit import LocalGit  # noqa: E402
from bot.adapters.sandbox import OVERRIDE_FILE, backend_config, cli_config, provider_override  # noqa: E402
from bot.adapters.terraform import TerraformCli  # noqa: E402
from bot.adapters.tool_paths import (  # noqa: E402
    locate_checkov,
    locate_trivy,
    offline_env,
    outermost,
    scan_dirs,
    terraform_files,
)
from bot.adapters.trivy import unwanted_dirs  # noqa: E402
from bot.services.parallelism import parallel_plan_from  # noqa: E402
from bot.services.repo_projects import affected_projects_of, module_dirs_of  # noqa: E402
from bot.wiring import cache_dir  # noqa: E402

SOURCE = Path(os.environ.get("OLYMPUS_SHARED_FIXTURES", ROOT.parent / "shared" / "fixtures"))
MODULE_REPO = SOURCE / "terraform-repos" / "terraform-aws-security-group-v5.3.1"
PLANNABLE = ["computed", "disabled", "dynamic", "http", "rules-only"]
BRANCH = "change/shared-description"
GOAL = 1.3
_TIME_LINE = re.compile(
    r"^time: terraform ([0-9.]+) s, scanners ([0-9.]+) s \(([0-9.]+) s of it at once\), olympus ([0-9.]+) s;"
    r" total ([0-9.]+) s$",
    re.MULTILINE,
)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "--all")
    git(repo, "-c", "user.name=Bench", "-c", "user.email=bench@example.com", "commit", "--quiet", "-m", message)


def olympus(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.entrypoints.cli", *args],
        capture_output=True,
        text=True,
        timeout=3600,
        env={**os.environ, "OLYMPUS_ACTOR": "bench"},
        check=False,
    )


def make_repository(root: Path) -> Path:
    """The module repository with its five plannable examples and a copy of each: ten roots of one shared module."""
    repo = root / "security-group"
    shutil.copytree(MODULE_REPO, repo)
    shutil.rmtree(repo / "examples" / "complete")
    for name in PLANNABLE:
        shutil.copytree(repo / "examples" / name, repo / "examples" / f"{name}-copy")
    git(repo, "init", "--quiet", "--initial-branch=main")
    commit(repo, "terraform-aws-security-group v5.3.1, five examples and a copy of each")
    if olympus("init", "--sandbox", "--repo", str(repo)).returncode != 0:
        raise SystemExit("olympus init --sandbox failed")
    git(repo, "checkout", "--quiet", "-b", BRANCH)
    variables = repo / "variables.tf"
    text = variables.read_text()
    changed = text.replace('"Security Group managed by Terraform"', '"Security group managed through Olympus"')
    if changed == text:
        raise SystemExit("the shared module's default description was not found")
    variables.write_text(changed)
    commit(repo, "Change the shared module's default description")
    git(repo, "checkout", "--quiet", "main")
    return repo


def projects_and_scan_dirs(repo: Path) -> tuple[list[str], list[str]]:
    """The projects the branch touches and the directories Olympus scans for them, as Olympus finds them."""
    local = LocalGit.open(repo)
    reader = GitTreeReader(local, BRANCH)
    projects = affected_projects_of(reader, local.changed_files("main", BRANCH))
    dirs = sorted({d for p in projects for d in (p.dir, *module_dirs_of(reader, p))})
    reader.close()
    return [p.dir for p in projects], dirs


EMULATOR_PID: list[int] = []  # the emulator's process: a daemon, not a child, so its CPU is read from /proc


def children_cpu() -> float:
    """CPU seconds (user + system) of every process this one started and waited for, and of the emulator."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime + sum(map(process_cpu, EMULATOR_PID))


def process_cpu(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def time_olympus(repo: Path) -> dict[str, float]:
    cpu, started = children_cpu(), time.monotonic()
    done = olympus("plan", "--sandbox", "--repo", str(repo), "--branch", BRANCH)
    wall, cpu = time.monotonic() - started, children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"olympus plan failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    planned = len(re.findall(r"^✓ .+: planned in ", done.stderr, re.MULTILINE))
    if planned != 10:
        raise SystemExit(f"olympus planned {planned} projects, not 10:\n{done.stderr[-4000:]}")
    found = _TIME_LINE.search(done.stderr)
    if found is None:
        raise SystemExit(f"no `time:` line in olympus's output:\n{done.stderr[-2000:]}")
    terraform, scanners, overlap, own, _total = map(float, found.groups())
    return {"wall": wall, "terraform": terraform, "scanners": scanners, "overlap": overlap, "olympus": own, "cpu": cpu}


def time_terraform(
    repo: Path, projects: list[str], aws: LocalAws, at_once: int, scratch: Path, *, show: bool = False
) -> tuple[float, float]:
    """Wall and CPU seconds of Terraform's own init + plan (+ show -json) of the projects, `at_once` at a time."""
    tree = scratch / "terraform-tree"
    shutil.rmtree(tree, ignore_errors=True)
    git(repo, "worktree", "add", "--quiet", "--detach", str(tree), BRANCH)
    env = {
        **os.environ,
        **aws.env,
        "TF_CLI_CONFIG_FILE": str(cli_config(cache_dir())),
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
    }

    terraform = TerraformCli.locate().prefix  # the binary Olympus uses

    def init_and_plan(project: str) -> None:
        workdir, name = tree / project, project.replace("/", "-")
        (workdir / OVERRIDE_FILE).write_text(provider_override(aws))
        backend = scratch / f"{name}.backend.hcl"
        backend.write_text(backend_config(aws, f"bench-terraform/{project}/terraform.tfstate"))
        steps = [
            ["init", "-input=false", "-no-color", f"-backend-config={backend}", "-reconfigure"],
            ["plan", "-input=false", "-no-color", "-lock=false", f"-out={scratch / name}.tfplan"],
        ]
        if show:
            steps.append(["show", "-json", "-no-color", f"{scratch / name}.tfplan"])
        for args in steps:
            done = subprocess.run([*terraform, *args], cwd=workdir, env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"terraform {args[0]} failed in {project}:\n{done.stderr[-3000:]}")

    try:
        cpu, started = children_cpu(), time.monotonic()
        with ThreadPoolExecutor(max_workers=at_once) as pool:
            list(pool.map(init_and_plan, projects))
        return time.monotonic() - started, children_cpu() - cpu
    finally:
        git(repo, "worktree", "remove", "--force", str(tree))


def time_scanners(repo: Path, dirs: list[str], scratch: Path) -> tuple[float, float]:
    """Checkov and Trivy run directly, side by side, with the arguments Olympus gives them."""
    tree = scratch / "scan-tree"
    shutil.rmtree(tree, ignore_errors=True)
    git(repo, "worktree", "add", "--quiet", "--detach", str(tree), BRANCH)
    wanted = scan_dirs(tree, dirs)
    checkov = [str(locate_checkov()), "--framework", "terraform", "--skip-download", "--output", "json"]
    for rel in terraform_files(tree, wanted):
        checkov += ["--file", str(tree / rel)]
    runs: list[tuple[list[str], Path]] = [(checkov, scratch / "checkov-home")]
    for n, target in enumerate(outermost(wanted)):
        trivy = [str(locate_trivy()), "config", "--skip-check-update", "--cache-dir", str(scratch / f"trivy-{n}")]
        trivy += ["--misconfig-scanners", "terraform", "--tf-exclude-downloaded-modules", "--format", "json"]
        trivy += [argument for folder in unwanted_dirs(tree, target, wanted) for argument in ("--skip-dirs", folder)]
        runs.append(([*trivy, str(tree / target)], scratch / f"trivy-home-{n}"))

    def run(argv: list[str], home: Path) -> None:
        home.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(argv, cwd=home, env=offline_env(home), capture_output=True, text=True, timeout=3600)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{Path(argv[0]).name} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")

    try:
        cpu, started = children_cpu(), time.monotonic()
        with ThreadPoolExecutor(max_workers=len(runs)) as pool:
            list(pool.map(lambda job: run(*job), runs))
        return time.monotonic() - started, children_cpu() - cpu
    finally:
        git(repo, "worktree", "remove", "--force", str(tree))


def machine() -> str:
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in lines if "model name" in line), platform.processor())
    shown = subprocess.run([*TerraformCli.locate().prefix, "version"], capture_output=True, text=True, check=False)
    version = shown.stdout.split("\n")[0]
    return f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, {version}"


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="rounds; the table shows medians")
    options = parser.parse_args()
    at_once = parallel_plan_from(os.environ)
    load_before = load()
    rounds: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="olympus-bench-ten-") as directory:
        scratch = Path(directory)
        repo = make_repository(scratch)
        projects, dirs = projects_and_scan_dirs(repo)
        if len(projects) != 10:
            raise SystemExit(f"the change touches {len(projects)} projects, not 10: {projects}")
        # The emulator Olympus would start, started first so that no run pays for its start-up.
        state = repo / ".git" / "olympus" / "sandbox" / "emulator.json"
        aws = ensure_background_emulator(state)
        EMULATOR_PID.append(int(json.loads(state.read_text())["pid"]))
        try:
            for _ in range(options.runs):
                measured = time_olympus(repo)
                measured["terraform_alone"], measured["terraform_cpu"] = time_terraform(
                    repo, projects, aws, at_once, scratch
                )
                measured["with_show"], measured["with_show_cpu"] = time_terraform(
                    repo, projects, aws, at_once, scratch, show=True
                )
                measured["scanners_alone"], measured["scanners_cpu"] = time_scanners(repo, dirs, scratch)
                rounds.append(measured)
        finally:
            olympus("sandbox", "stop", "--repo", str(repo))
    median = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
    longer = max(median["terraform_alone"], median["scanners_alone"])
    ratio = median["wall"] / longer
    ratio_show = median["wall"] / max(median["with_show"], median["scanners_alone"])
    cores = os.cpu_count() or 1
    # No schedule can finish the same CPU work sooner than the machine's cores can do it.
    floor = (median["with_show_cpu"] + median["scanners_cpu"]) / cores
    print(f"Ten projects ({', '.join(projects)}); scanned: {len(dirs)} directories.")
    print(f"Taken {datetime.date.today().isoformat()} on {machine()};")
    print(f"load average before {load_before}, after {load()}; {options.runs} round(s), medians; {at_once} at once.\n")
    print("| measure | wall s | CPU s |")
    print("|---|--:|--:|")
    print(
        f"| **`olympus plan --sandbox`** (10 plans, scans, comment, SARIF) | **{median['wall']:.1f}** |"
        f" {median['cpu']:.1f} |"
    )
    print(f"| — Terraform running (any of its steps) | {median['terraform']:.1f} | |")
    print(f"| — scanners running | {median['scanners']:.1f} | |")
    print(f"| — both at once (counted in the two lines above) | {median['overlap']:.1f} | |")
    print(f"| — Olympus alone (neither running: start-up, git, store, comment) | {median['olympus']:.1f} | |")
    print(
        f"| Terraform alone: init + plan, {at_once} at once | {median['terraform_alone']:.1f} |"
        f" {median['terraform_cpu']:.1f} |"
    )
    print(
        f"| Terraform alone: init + plan + show -json (what Olympus runs) | {median['with_show']:.1f} |"
        f" {median['with_show_cpu']:.1f} |"
    )
    print(f"| Checkov + Trivy alone, side by side | {median['scanners_alone']:.1f} | {median['scanners_cpu']:.1f} |")
    print(f"| CPU floor: Terraform (with show) + scanners CPU ÷ {cores} cores | {floor:.1f} | |")
    print(
        f"| **Olympus ÷ the longer of Terraform (init + plan) and the scanners** | **{ratio:.2f}** (goal ≤ {GOAL}) | |"
    )
    print(f"| Olympus ÷ the longer of Terraform (init + plan + show) and the scanners | {ratio_show:.2f} | |")
    print(f"| Olympus ÷ the CPU floor | {median['wall'] / floor:.2f} | |")
    print("\nCPU seconds: user + system of every process of the step, the emulator's included.")


if __name__ == "__main__":
    main()

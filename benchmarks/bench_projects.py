"""Benchmark: project discovery and changed-file mapping over a 2,000-root-module monorepo.

Run: .venv/bin/python benchmarks/bench_projects.py [--roots 2000] [--changed 500] [--runs 7]

The monorepo is generated: teams × environments of root modules calling shared local modules (some of which
call other modules, so changes propagate through two levels), team-local modules, heredoc policies, docs and
`.terraform/` caches that discovery must skip. Timings: in memory (a dict as the reader), then once over a real
temporary directory where listing and reading files from disk is part of the cost. Goal: ≤ 200 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.domain.projects import affected_projects, build_module_graph, discover_projects

GOAL_MS = 200.0
ENVS = ("dev", "staging", "prod", "qa", "sandbox", "perf", "dr", "demo", "eu", "us")
SHARED = ("network", "s3_bucket", "iam_role", "kms_key", "lambda", "rds", "eks", "sqs", "sns", "dns")
# Shared modules that call other shared modules: a change to s3_bucket reaches every env using logging.
NESTED = {"logging": ("s3_bucket", "kms_key"), "data_lake": ("s3_bucket", "iam_role"), "service": ("lambda", "sqs")}

_ROOT_MAIN = """terraform {{
  required_version = ">= 1.5"
  backend "s3" {{
    bucket = "state-{team}"
    key    = "{env}/terraform.tfstate"
  }}
}}

provider "aws" {{
  region = var.region
  default_tags {{
    tags = {{ team = "{team}", env = "{env}" }}
  }}
}}

# module "old" {{ source = "../../../modules/retired" }}
{modules}
resource "aws_ssm_parameter" "marker" {{
  name  = "/${{var.prefix}}/{team}/{env}"
  type  = "String"
  value = "arn:aws:s3:::bucket-{team}/*"
}}
"""

_MODULE_CALL = """module "{name}" {{
  source = "{source}"
  name   = "${{var.prefix}}-{name}"
  tags   = {{ source = "olympus" }}
}}
"""

_POLICY = """resource "aws_iam_policy" "read" {{
  name   = "read-{team}-{env}"
  policy = <<-EOT
    {{"Statement": [{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}]}}
  EOT
}}
"""

_VARIABLES = """variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "prefix" {
  type = string
}
"""


def generate(roots: int, seed: int = 7) -> dict[str, str]:
    """A monorepo with `roots` root modules, as repo-relative path -> text."""
    rng = random.Random(seed)
    tree: dict[str, str] = {".olympus-readme.md": "# infra\n", "README.md": "# monorepo\n"}
    for name in SHARED:
        base = f"infra/modules/{name}"
        tree[f"{base}/main.tf"] = f'resource "null_resource" "{name}" {{}}\n'
        tree[f"{base}/variables.tf"] = _VARIABLES
        tree[f"{base}/README.md"] = f"# {name}\n"
    for name, inner in NESTED.items():
        base = f"infra/modules/{name}"
        calls = "".join(_MODULE_CALL.format(name=m, source=f"../{m}") for m in inner)
        tree[f"{base}/main.tf"] = calls
        tree[f"{base}/variables.tf"] = _VARIABLES
    tree["infra/modules/s3_bucket/templates/policy.json.tpl"] = '{"Version": "2012-10-17"}\n'
    teams = (roots + len(ENVS) - 1) // len(ENVS)
    made = 0
    for index in range(teams):
        team = f"team-{index:03d}"
        team_dir = f"infra/teams/{team}"
        tree[f"{team_dir}/modules/app/main.tf"] = _MODULE_CALL.format(name="svc", source="../../../../modules/service")
        for env in ENVS:
            if made == roots:
                break
            made += 1
            root = f"{team_dir}/{env}"
            picks = rng.sample(SHARED + tuple(NESTED), 3)
            calls = "".join(_MODULE_CALL.format(name=m, source=f"../../../modules/{m}") for m in picks)
            calls += _MODULE_CALL.format(name="app", source="../modules/app")
            calls += _MODULE_CALL.format(name="vpc", source="terraform-aws-modules/vpc/aws")
            tree[f"{root}/main.tf"] = _ROOT_MAIN.format(team=team, env=env, modules=calls)
            tree[f"{root}/variables.tf"] = _VARIABLES
            tree[f"{root}/outputs.tf"] = 'output "id" {\n  value = aws_ssm_parameter.marker.id\n}\n'
            tree[f"{root}/terraform.tfvars"] = f'prefix = "{team}-{env}"\n'
            if rng.random() < 0.3:
                tree[f"{root}/policy.tf"] = _POLICY.format(team=team, env=env)
            if rng.random() < 0.1:
                tree[f"{root}/.terraform/modules/vpc/main.tf"] = 'module "x" {\n  source = "../../../.."\n}\n'
    return tree


def changed_files(tree: dict[str, str], count: int, seed: int = 11) -> list[str]:
    """count paths: mostly root-module edits, some module edits and deletions, some docs."""
    rng = random.Random(seed)
    paths = sorted(tree)
    picked = rng.sample([p for p in paths if "/.terraform/" not in p], count - 5)
    deleted = [f"infra/teams/team-{i:03d}/dev/removed.tf" for i in range(3)]
    modules = ["infra/modules/s3_bucket/main.tf", "infra/modules/s3_bucket/templates/policy.json.tpl"]
    return picked + deleted + modules


def timed(runs: int, work: Callable[[], object]) -> tuple[float, float, object]:
    """(best ms, median ms, last result) over runs."""
    times = []
    result: object = None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times), result


def list_tree(root: Path) -> list[str]:
    """Every file under root, repo-relative and sorted (what a working-copy RepoReader lists)."""
    found = []
    for folder, _dirs, names in os.walk(root):
        rel = os.path.relpath(folder, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        found += [prefix + name for name in names]
    return sorted(found)


def disk_reader(root: Path) -> Callable[[str], str | None]:
    def read(path: str) -> str | None:
        try:
            return (root / path).read_text(encoding="utf-8")
        except (FileNotFoundError, IsADirectoryError, UnicodeDecodeError):
            return None

    return read


def _file_system_repo(root: Path) -> Any:
    """The project's own working-tree reader, when this checkout has it (it lives outside the domain)."""
    try:
        from bot.tools.filesystem_repo import FileSystemRepo
    except ImportError:
        return None
    return FileSystemRepo(root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roots", type=int, default=2000)
    parser.add_argument("--changed", type=int, default=500)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    tree = generate(args.roots)
    files = sorted(tree)
    changed = changed_files(tree, args.changed)
    read = tree.get
    print(f"monorepo: {len(files):,} files, {sum(len(t) for t in tree.values()) / 1e6:.1f} MB; {len(changed)} changed")

    def separate() -> tuple[int, int]:
        projects = discover_projects(files, read, None)
        return len(projects), len(affected_projects(projects, changed, files, read))

    def shared_graph() -> tuple[int, int]:
        graph = build_module_graph(files, read)
        projects = discover_projects(files, read, None, graph=graph)
        return len(projects), len(affected_projects(projects, changed, files, read, graph=graph))

    rows = []
    best, median, counts = timed(args.runs, separate)
    rows.append(("in memory: discover + affected (graph built twice)", best, median, counts))
    best, median, counts = timed(args.runs, shared_graph)
    rows.append(("in memory: discover + affected (one shared graph)", best, median, counts))

    with tempfile.TemporaryDirectory(prefix="olympus-bench-") as temp:
        root = Path(temp)
        for path, text in tree.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text, encoding="utf-8")

        def from_disk() -> tuple[int, int]:
            listed = list_tree(root)
            disk = disk_reader(root)
            graph = build_module_graph(listed, disk)
            projects = discover_projects(listed, disk, None, graph=graph)
            return len(projects), len(affected_projects(projects, changed, listed, disk, graph=graph))

        best, median, counts = timed(1, from_disk)
        rows.append(("real temp dir, once: os.walk + read + discover + affected", best, median, counts))
        best, median, counts = timed(args.runs, from_disk)
        rows.append((f"real temp dir, {args.runs} runs (page cache warm)", best, median, counts))

        repo = _file_system_repo(root)
        if repo is not None:

            def through_repo() -> tuple[int, int]:
                listed = repo.list_files()
                graph = build_module_graph(listed, repo.read_text)
                projects = discover_projects(listed, repo.read_text, None, graph=graph)
                found = affected_projects(projects, changed, listed, repo.read_text, graph=graph)
                return len(projects), len(found)

            best, median, counts = timed(args.runs, through_repo)
            rows.append(("real temp dir via FileSystemRepo (symlink checks)", best, median, counts))

    width = max(len(row[0]) for row in rows)
    print(f"{'measure':<{width}}  {'best ms':>8}  {'median ms':>9}  projects/affected")
    for label, best, median, counts in rows:
        print(f"{label:<{width}}  {best:8.1f}  {median:9.1f}  {counts}")
    verdict = "within" if rows[0][2] <= GOAL_MS else "OVER"
    print(f"goal ≤ {GOAL_MS:.0f} ms (in memory, median, graph built twice): {verdict}")


if __name__ == "__main__":
    main()

"""The CLI marks what became of a fix: `git merge olympus/fix-<branch>` is seen at the next `olympus plan` as the fix
accepted, a fix left on its branch stays undecided until `olympus merge` lets it go, and the apply that follows marks
whether it held; `olympus eval fixes` counts both (no model here: the attempts are recorded as the loop records
them)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from local_repos import commit_files, empty_repo
from olympus_cli import git, olympus

from bot.changes.fixes.patch_rules import FileEdit
from bot.domain.fixes.attempts import FixAttempt, FixKind, Verification
from bot.services.fix_loop import unified_patch
from bot.services.fix_marks import note_offer
from bot.wiring import build_local_loop

pytestmark = pytest.mark.slow

MAIN = "stacks/app/main.tf"
OTHER = "stacks/other/main.tf"
AT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
BACKEND = 'terraform {\n  backend "local" {\n    path = "%s"\n  }\n}\n\n'
BROKEN = 'resource "terraform_data" "greeting" {\n  input = var.greeting\n}\n'
DECLARED = 'variable "greeting" {\n  type    = string\n  default = "hello"\n}\n\n'


def offered(repo: Path, project: str, before: str, after: str, commit: str) -> int:
    """An attempt as the loop records a verified fix, offered on olympus/fix-infra-greet at `commit`."""
    loop = build_local_loop(repo, say=lambda line: None)
    path = f"{project}/main.tf"
    attempt = FixAttempt(
        loop.repo_id, "infra/greet", project, "plan", "undeclared-reference", "var.greeting is not declared",
        FixKind.PATCH, Verification.PASSED, AT, patch=unified_patch([FileEdit(path, before, after)]), offered=True,
    )  # fmt: skip
    attempt_id = loop.store.record_fix_attempt(attempt)
    note_offer(loop.store, [attempt_id], {"how": "branch", "branch": "olympus/fix-infra-greet", "commit": commit})
    return attempt_id


def marks(repo: Path) -> dict[str, tuple[bool | None, bool | None]]:
    loop = build_local_loop(repo, say=lambda line: None)
    return {a.project: (a.accepted, a.next_apply_ok) for a in loop.store.fix_attempts()}


def test_a_merged_fix_branch_is_accepted_and_its_apply_marked(tmp_path: Path) -> None:
    repo = empty_repo(tmp_path / "infra")
    state = tmp_path / "states"
    main, other = BACKEND % (state / "app.tfstate"), BACKEND % (state / "other.tfstate")
    commit_files(repo, {"README.md": "infra\n"})
    commit_files(repo, {MAIN: main + BROKEN, OTHER: other + BROKEN}, "Greet", branch="infra/greet")
    # The fix of stacks/app on its own branch, as `olympus diagnose` commits it.
    git(repo, "switch", "--quiet", "-c", "olympus/fix-infra-greet", "infra/greet")
    (repo / MAIN).write_text(main + DECLARED + BROKEN)
    git(repo, "commit", "--quiet", "-am", "Fix stacks/app")
    fix_commit = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "switch", "--quiet", "main")
    offered(repo, "stacks/app", main + BROKEN, main + DECLARED + BROKEN, fix_commit)
    offered(repo, "stacks/other", other + BROKEN, other + DECLARED + BROKEN, "0" * 40)  # never taken

    failing = olympus("plan", "--repo", str(repo), "--branch", "infra/greet")
    assert failing.returncode == 2, failing.stdout + failing.stderr
    assert marks(repo) == {"stacks/app": (None, None), "stacks/other": (None, None)}  # nothing taken yet

    git(repo, "switch", "--quiet", "infra/greet")
    git(repo, "merge", "--quiet", "--no-edit", "olympus/fix-infra-greet")
    (repo / OTHER).write_text(other + BROKEN.replace("var.greeting", '"hi"'))
    git(repo, "commit", "--quiet", "-am", "Fix other by hand")
    git(repo, "switch", "--quiet", "main")
    planned = olympus("plan", "--repo", str(repo), "--branch", "infra/greet")
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert marks(repo) == {"stacks/app": (True, None), "stacks/other": (None, None)}

    applied = olympus("apply", "--repo", str(repo), "--branch", "infra/greet", "--approved-by", "alice")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert marks(repo) == {"stacks/app": (True, True), "stacks/other": (None, None)}

    figures = json.loads(olympus("eval", "fixes", "--repo", str(repo), "--json").stdout)
    [rate] = figures["classes"]
    assert rate["accepted"] == 1 and rate["decided"] == 1 and rate["acceptance_rate"] == 1.0
    assert rate["applied"] == 1 and rate["applies"] == 1 and rate["next_apply_rate"] == 1.0
    merged = olympus("merge", "--repo", str(repo), "--branch", "infra/greet")
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert marks(repo) == {"stacks/app": (True, True), "stacks/other": (False, None)}  # merged without it

    text = olympus("eval", "fixes", "--repo", str(repo)).stdout
    rows = [line.split() for line in text.splitlines()]
    assert ["undeclared-reference", "2", "2", "1", "1", "100%", "50%", "100%"] in rows

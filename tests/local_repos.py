"""Local git repositories for the CLI tests: made, committed to, and what Olympus's commands left behind in them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from olympus_cli import git, olympus


@dataclass(frozen=True)
class Leftovers:
    """What Olympus keeps of a repository's changes: its branches, worktrees, locks and plan files."""

    branches: list[str]
    worktrees: int  # besides the repository's own
    locks: list[tuple[str, str]]  # (holder, dir)
    plan_files: list[str]


def leftovers(repo: Path) -> Leftovers:
    """What the commands run so far left in repo."""
    state = repo / ".git" / "olympus"
    locks: list[tuple[str, str]] = []
    if (state / "olympus.db").is_file():
        with sqlite3.connect(state / "olympus.db") as db:
            locks = sorted(db.execute("SELECT holder, dir FROM locks").fetchall())
    return Leftovers(
        branches=git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/infra/").split(),
        worktrees=git(repo, "worktree", "list", "--porcelain").count("worktree ") - 1,
        locks=locks,
        plan_files=sorted(str(p.relative_to(state)) for p in state.rglob("*.tfplan")) if state.is_dir() else [],
    )


NOTHING = Leftovers([], 0, [], [])


def empty_repo(path: Path) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "--quiet", "--initial-branch=main")
    return path


def commit_files(repo: Path, files: dict[str, str], message: str = "base", branch: str | None = None) -> None:
    """Write files and commit them on main, or on a new branch made from the current one (main stays checked out)."""
    if branch:
        git(repo, "switch", "--quiet", "-c", branch)
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", message)
    if branch:
        git(repo, "switch", "--quiet", "main")


@contextmanager
def demo_repository(tmp_path: Path) -> Iterator[Path]:
    """The demo's platform repository (infra-repo under tmp_path); its sandbox's emulator is stopped at the end."""
    from bot.entrypoints.demo import seed_repository

    path = tmp_path / "infra-repo"
    path.mkdir()
    seed_repository(path)
    try:
        yield path
    finally:
        olympus("sandbox", "stop", "--repo", str(path))

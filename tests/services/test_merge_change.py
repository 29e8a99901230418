"""`olympus merge`: a fast-forward or a merge commit into the base, the base's checkout following, locks released."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.adapters.localgit import LocalGit
from bot.domain.models import ChangeSet, FileChange
from bot.errors import UserError
from bot.services.context import Loop
from bot.services.merge_change import merge_change
from bot.wiring import build_local_loop


def repo(path: Path) -> LocalGit:
    path.mkdir()
    git = LocalGit(path)
    git.git("init", "--quiet", "--initial-branch=main")
    (path / "main.tf").write_text("# base\n")
    git.git("add", "main.tf")
    git.git("-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "--quiet", "-m", "base")
    return LocalGit.open(path)


def change(git: LocalGit, branch: str, path: str, text: str, base: str = "main") -> str:
    return git.commit_change(branch, base, ChangeSet(branch, "", (FileChange(path, text),)), f"{branch}\n")


def loop_for(git: LocalGit) -> Loop:
    return build_local_loop(git.root, actor="bob", say=lambda line: None)


def test_a_change_ahead_of_its_base_fast_forwards_and_the_checkout_follows(tmp_path: Path) -> None:
    git = repo(tmp_path / "r")
    head = change(git, "infra/a", "infra/a.tf", "# a\n")
    loop = loop_for(git)
    loop.store.acquire_lock(loop.repo_id, "infra", "default", "infra/a")
    merged = merge_change(loop, "infra/a", "main")
    assert (merged.fast_forward, merged.commit, merged.released) == (True, head, 1)
    assert git.commit_of("main") == head
    assert (git.root / "infra/a.tf").read_text() == "# a\n"  # main is checked out here: its files moved too
    assert git.git("status", "--porcelain") == ""
    assert loop.store.locks() == []


def test_a_change_behind_its_base_gets_a_merge_commit(tmp_path: Path) -> None:
    git = repo(tmp_path / "r")
    change(git, "infra/a", "infra/a.tf", "# a\n")
    change(git, "infra/b", "infra/b.tf", "# b\n")
    loop = loop_for(git)
    merge_change(loop, "infra/a", "main")
    merged = merge_change(loop, "infra/b", "main")
    assert not merged.fast_forward
    parents = git.git("log", "-1", "--format=%P", "main").split()
    assert parents == [git.commit_of("infra/a"), git.commit_of("infra/b")]
    assert sorted(git.files_at("main")) == ["infra/a.tf", "infra/b.tf", "main.tf"]
    assert (git.root / "infra/b.tf").is_file()


def test_a_conflict_or_uncommitted_work_stops_the_merge_and_moves_nothing(tmp_path: Path) -> None:
    git = repo(tmp_path / "r")
    change(git, "infra/a", "main.tf", "# a\n")
    change(git, "infra/b", "main.tf", "# b\n")
    loop = loop_for(git)
    merge_change(loop, "infra/a", "main")
    before = git.commit_of("main")
    with pytest.raises(UserError) as conflict:
        merge_change(loop, "infra/b", "main")
    assert conflict.value.reference == "merge-conflict"
    assert git.commit_of("main") == before

    change(git, "infra/c", "infra/c.tf", "# c\n")
    (git.root / "infra").mkdir(exist_ok=True)
    (git.root / "infra/c.tf").write_text("# the user's own, not committed\n")
    with pytest.raises(UserError) as blocked:
        merge_change(loop, "infra/c", "main")
    assert blocked.value.reference == "merge-blocked"
    assert (git.root / "infra/c.tf").read_text() == "# the user's own, not committed\n"


def test_the_base_not_checked_out_moves_by_its_ref_alone(tmp_path: Path) -> None:
    git = repo(tmp_path / "r")
    head = change(git, "infra/a", "infra/a.tf", "# a\n")
    subprocess.run(["git", "switch", "--quiet", "-c", "elsewhere"], cwd=git.root, check=True)
    merge_change(loop_for(git), "infra/a", "main")
    assert git.commit_of("main") == head
    assert git.current_branch() == "elsewhere" and not (git.root / "infra").exists()

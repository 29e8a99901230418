"""Repositories for the application generators' tests: a working tree the generators read, changes written back."""

from __future__ import annotations

from pathlib import Path

from bot.domain.models import ChangeSet, Refusal
from bot.tools.filesystem_repo import FileSystemRepo


def written(root: Path, proposed: ChangeSet | Refusal) -> ChangeSet:
    """The change, its files written under `root` as a merge would leave them (an empty file deleted)."""
    assert isinstance(proposed, ChangeSet), proposed
    for change in proposed.files:
        target = root / change.path
        if change.content == "":
            target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(change.content)
    return proposed


def refused(proposed: ChangeSet | Refusal) -> Refusal:
    assert isinstance(proposed, Refusal), proposed
    return proposed


def repo_at(root: Path) -> FileSystemRepo:
    return FileSystemRepo(root)

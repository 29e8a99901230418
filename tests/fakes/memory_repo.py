"""MemoryRepo: a RepoReader over a dict of paths to texts, for tests of code that reads a repository."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from bot.domain.models import ChangeSet, FileChange


class MemoryRepo:
    """An in-memory repository tree; `apply` plays a ChangeSet onto it (content "" deletes the file)."""

    def __init__(self, files: Mapping[str, str] | None = None) -> None:
        self.files: dict[str, str] = dict(files or {})

    def list_files(self, prefix: str = "") -> list[str]:
        return sorted(path for path in self.files if path.startswith(prefix))

    def read_text(self, path: str) -> str | None:
        return self.files.get(path)

    def apply(self, change: ChangeSet | Iterable[FileChange]) -> MemoryRepo:
        """A new repo with the change's files written, or deleted where their content is ""."""
        files = dict(self.files)
        for file in change.files if isinstance(change, ChangeSet) else change:
            if file.content == "":
                files.pop(file.path, None)
            else:
                files[file.path] = file.content
        return MemoryRepo(files)

    def write_to(self, root: Path) -> Path:
        """Every file written under root (for tools that read a real directory, like terraform and scanners)."""
        for path, text in self.files.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        return root

    @classmethod
    def from_dir(cls, root: Path) -> MemoryRepo:
        """Every regular file under root, by "/"-separated relative path."""
        return cls({p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()})

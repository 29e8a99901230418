"""GitTreeReader: a RepoReader over one commit of a local repository (never the user's working tree)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from typing import IO

from bot.adapters.localgit import LocalGit


@dataclass
class GitTreeReader:
    """Reads files as they are at ref: the listing once, contents on demand through one `git cat-file --batch`."""

    git: LocalGit
    ref: str
    _files: list[str] | None = None
    _known: frozenset[str] = frozenset()
    _cache: dict[str, str | None] = field(default_factory=dict)
    _batch: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        # Pin the ref to its commit so that a branch moving underneath cannot mix two trees in one reading.
        self.ref = self.git.commit_of(self.ref)

    def list_files(self, prefix: str = "") -> list[str]:
        if self._files is None:
            self._files = self.git.files_at(self.ref)
            self._known = frozenset(self._files)
        return [f for f in self._files if f.startswith(prefix)]

    def read_text(self, path: str) -> str | None:
        if path not in self._cache:
            self.list_files()
            self._cache[path] = self._read_blob(path) if path in self._known else None
        return self._cache[path]

    def _read_blob(self, path: str) -> str | None:
        if "\n" in path:  # the batch protocol is line-based; such a name is rare enough for a slow path
            return self.git.read_at(self.ref, path)
        # One long-lived cat-file process instead of a `git show` per file: a monorepo has thousands of files.
        if self._batch is None:
            self._batch = subprocess.Popen(
                ["git", "cat-file", "--batch"], cwd=self.git.root, stdin=subprocess.PIPE, stdout=subprocess.PIPE
            )
        stdin: IO[bytes] = self._batch.stdin  # type: ignore[assignment]
        stdout: IO[bytes] = self._batch.stdout  # type: ignore[assignment]
        stdin.write(f"{self.ref}:{path}\n".encode())
        stdin.flush()
        header = stdout.readline().split()
        if len(header) != 3 or header[1] != b"blob":
            return None
        data = stdout.read(int(header[2]))
        stdout.read(1)  # the newline after each object
        return data.decode("utf-8", errors="replace")

    def close(self) -> None:
        if self._batch is not None:
            self._batch.stdin.close()  # type: ignore[union-attr]
            self._batch.wait(timeout=10)
            self._batch = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: S110 - best effort at interpreter shutdown
            pass

"""FileSystemRepo: a RepoReader over a working tree on disk, for the stdio MCP server."""

from __future__ import annotations

import os
from pathlib import Path

# Never listed: git's own data, Terraform's provider cache and plugin downloads, Python caches.
_SKIPPED_DIRS = frozenset({".git", ".terraform", "__pycache__", ".venv", "node_modules"})


class FileSystemRepo:
    """Reads files under a root directory; paths are repo-relative and "/"-separated, and never leave the root."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def list_files(self, prefix: str = "") -> list[str]:
        """Every regular file under prefix (a path prefix, as in git ls-files), sorted; symlinks are skipped."""
        found: list[str] = []
        for directory, subdirs, files in os.walk(self.root, followlinks=False):
            subdirs[:] = [name for name in subdirs if name not in _SKIPPED_DIRS]
            for file in files:
                path = Path(directory, file)
                if path.is_symlink() or not path.is_file():
                    continue
                name = path.relative_to(self.root).as_posix()
                if name.startswith(prefix):
                    found.append(name)
        return sorted(found)

    def read_text(self, path: str) -> str | None:
        """The file's text (UTF-8), or None when it does not exist, is not a file, or lies outside the root."""
        target = self._inside(path)
        if target is None or not target.is_file():
            return None
        return target.read_text(encoding="utf-8", errors="replace")

    def _inside(self, path: str) -> Path | None:
        if not path or path.startswith("/") or "\\" in path or "\x00" in path:
            return None
        target = (self.root / path).resolve()
        # A symlink or ".." must not let a tool read outside the repository.
        if not target.is_relative_to(self.root):
            return None
        return target

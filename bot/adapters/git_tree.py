"""GitTreeReader: a RepoReader over one commit of a local repository (never the user's working tree)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.adapters.localgit import LocalGit


@dataclass
class GitTreeReader:
    """Reads files as they are at ref; the listing is taken once, contents on demand and cached."""

    git: LocalGit
    ref: str
    _files: list[str] | None = None
    _known: frozenset[str] = frozenset()
    _cache: dict[str, str | None] = field(default_factory=dict)

    def list_files(self, prefix: str = "") -> list[str]:
        if self._files is None:
            self._files = self.git.files_at(self.ref)
            self._known = frozenset(self._files)
        return [f for f in self._files if f.startswith(prefix)]

    def read_text(self, path: str) -> str | None:
        if path not in self._cache:
            self.list_files()
            self._cache[path] = self.git.read_at(self.ref, path) if path in self._known else None
        return self._cache[path]

"""GitHubRepoReader: a RepoReader over one commit of a GitHub repository, read through the CodeHost."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.ports import CodeHost

__all__ = ["GitHubRepoReader"]


@dataclass
class GitHubRepoReader:
    """Lists the tree once and reads files on demand, each at most once, all at the same commit."""

    codehost: CodeHost
    repo: str
    ref: str
    _files: list[str] | None = None
    _known: frozenset[str] = frozenset()
    _cache: dict[str, str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Pin a branch name to its commit so a push during the reading cannot mix two trees.
        if not _looks_like_sha(self.ref):
            self.ref = self.codehost.reference_commit(self.repo, self.ref)

    def list_files(self, prefix: str = "") -> list[str]:
        if self._files is None:
            self._files = sorted(self.codehost.list_files(self.repo, self.ref))
            self._known = frozenset(self._files)
        return [f for f in self._files if f.startswith(prefix)]

    def read_text(self, path: str) -> str | None:
        if path not in self._cache:
            self.list_files()
            self._cache[path] = self.codehost.read_file(self.repo, self.ref, path) if path in self._known else None
        return self._cache[path]


def _looks_like_sha(ref: str) -> bool:
    return len(ref) == 40 and all(c in "0123456789abcdef" for c in ref)

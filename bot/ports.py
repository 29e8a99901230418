"""The interfaces between the domain and the world: each adapter implements one of these."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.domain.models import Finding


class RepoReader(Protocol):
    """A read-only view of a repository tree at one commit or working copy."""

    def list_files(self, prefix: str = "") -> list[str]:
        """Every file path (repo-relative, "/"-separated) under prefix, sorted."""
        ...

    def read_text(self, path: str) -> str | None:
        """A file's text, or None when it does not exist."""
        ...


@dataclass(frozen=True)
class CommandOutput:
    """What one IaC command did."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float


class IaCRunner(Protocol):
    """Runs Terraform (or OpenTofu) commands in a working directory."""

    def run(
        self,
        args: Sequence[str],
        cwd: Path,
        *,
        env: dict[str, str] | None = None,
        timeout: float = 900,
        on_line: Callable[[str], None] | None = None,
    ) -> CommandOutput: ...


class Scanner(Protocol):
    """A static analyser over Terraform directories."""

    name: str

    def scan(self, repo_root: Path, dirs: Iterable[str]) -> list[Finding]:
        """Findings for the given repo-relative directories, file paths relative to repo_root."""
        ...

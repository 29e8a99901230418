"""Checkout: one change at one commit as plan and apply see it, whichever door (CLI or App) it came through."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.domain.authorship import Authorship
from bot.ports import RepoReader


@dataclass(frozen=True)
class Checkout:
    """The change's files at head, what it changes, where the files are on disk, and who asked for it."""

    change_id: str  # the branch locally; "owner/repo#N" for a pull request
    head: str  # the commit every plan and approval is bound to
    reader: RepoReader  # the repository at head
    changed_files: tuple[str, ...]
    workdir: Path  # the repository at head on disk, where Terraform and the scanners run
    # Who asked for the change or for this run: none of them may approve it.
    requesters: tuple[str, ...] = ()
    base: str = ""  # the branch the change is to be merged into
    # Who authored, committed or pushed its commits: none of them may approve it either.
    contributors: Authorship = field(default_factory=Authorship)
    # The repository at the base branch: the policies that judge the change are read from it, never from the change.
    base_reader: RepoReader | None = None
    # Projects a restore of drift names in its commits: planned and applied although no file of theirs changed.
    restores: tuple[str, ...] = ()

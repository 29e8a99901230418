"""The CLI's part of the evaluation store's marks: a fix taken on a branch is seen before its plan or apply."""

from __future__ import annotations

from bot.adapters.git_tree import GitTreeReader
from bot.services.context import Loop
from bot.services.fix_marks import mark_landed_fixes


def mark_taken_fixes(loop: Loop, branch: str) -> list[int]:
    """The offered fixes branch's head now holds (`git merge olympus/fix-...`, or the lines copied by hand) are
    marked accepted; the ids marked. Nothing is read when the branch has no fix waiting."""
    if not any(a.accepted is None for a in loop.store.offered_fix_attempts(loop.repo_id, branch)):
        return []
    git = loop.local_git
    reader = GitTreeReader(git, branch)
    try:
        return mark_landed_fixes(
            loop.store, loop.repo_id, branch, reader.read_text, contains=lambda commit: git.is_merged(commit, branch)
        )
    finally:
        reader.close()

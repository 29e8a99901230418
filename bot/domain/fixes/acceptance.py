"""Whether an offered fix has landed on a change: the lines it adds are in the change's files (its removed ones gone).

A person may take a fix in several ways (commit GitHub's suggestions one by one or all at once, merge the fix's
branch, or copy it by hand, with a blank line of their own): what counts is the head's files, not how they got there.
A line made only of punctuation (`}`, `]`) is in most files already and tells nothing, so it is not counted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

# extra["offer"]: how a fix was offered (suggestions, a pull request into the change's branch, a local branch).
OFFER_KEY: Final = "offer"
SUGGESTIONS: Final = "suggestions"
PULL_REQUEST: Final = "pull_request"
BRANCH: Final = "branch"


@dataclass(frozen=True)
class FileLines:
    """What a fix does to one file: the lines it adds and the lines it removes (telling lines only, stripped)."""

    path: str
    added: frozenset[str] = field(default_factory=frozenset)
    removed: frozenset[str] = field(default_factory=frozenset)


def patch_lines(patch: str) -> list[FileLines]:
    """Each file of a unified diff with its telling added and removed lines; a line both added and removed is
    neither (it only moved)."""
    files: list[FileLines] = []
    path = ""
    added: set[str] = set()
    removed: set[str] = set()

    def close() -> None:
        if path:
            files.append(FileLines(path, frozenset(added - removed), frozenset(removed - added)))

    for line in patch.splitlines():
        if line.startswith("--- "):
            continue
        if line.startswith("+++ "):
            close()
            target = line[4:].strip()
            path = target[2:] if target.startswith("b/") else ""  # /dev/null: a deleted file
            added, removed = set(), set()
        elif line.startswith("+") and _telling(line[1:]):
            added.add(line[1:].strip())
        elif line.startswith("-") and _telling(line[1:]):
            removed.add(line[1:].strip())
    close()
    return files


def fix_landed(patch: str, read_text: Callable[[str], str | None]) -> bool:
    """Whether the files read_text gives (a change's head) hold the fix: every telling line it adds is there (for a
    file it only deletes from, every telling line it removes is gone). False when no telling line can judge it."""
    files = patch_lines(patch)
    if not files or not any(f.added or f.removed for f in files):
        return False
    for edit in files:
        text = read_text(edit.path)
        if text is None:
            return False
        lines = {line.strip() for line in text.splitlines()}
        # A removed line may stay elsewhere in the file (two buckets, one name each): the added ones decide, and
        # only a fix that just deletes is judged by what it removed.
        if not edit.added <= lines if edit.added else edit.removed & lines:
            return False
    return True


def offer_of(extra: Mapping[str, Any]) -> Mapping[str, Any]:
    """The attempt's offer (how, and where: the head it was made on, its branch, its pull request), or {}."""
    offer = extra.get(OFFER_KEY)
    return offer if isinstance(offer, Mapping) else {}


def _telling(line: str) -> bool:
    return any(c.isalnum() for c in line)

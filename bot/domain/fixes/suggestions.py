"""A verified fix as GitHub review suggestions, where every changed line lies in the pull request's diff.

GitHub takes a suggestion only as a review comment on lines the pull request's diff shows (the right side: the
head's lines, added or context), and a suggestion replaces the lines it spans. So each hunk of the fix becomes one
comment over the head lines it replaces — an insertion anchors on the line before it (or after, at the top) and
suggests that line plus the new ones — and a fix any of whose hunks falls outside the diff is not suggested at all
(it goes on a branch instead): half a fix is no fix.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Final

_HUNK: Final = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


@dataclass(frozen=True)
class Suggestion:
    """One review comment: the head lines start..end (1-based, inclusive) of path, and what replaces them."""

    path: str
    start_line: int
    end_line: int
    replacement: str  # the new lines' text, each ending with a newline (empty: the lines are deleted)

    def body(self, note: str) -> str:
        """The comment's markdown: the note, then the suggestion block (its fence longer than any run inside)."""
        fence = "`" * max(3, _longest_run(self.replacement, "`") + 1)
        return f"{note}\n\n{fence}suggestion\n{self.replacement}{fence}\n"


def diff_lines(patch: str) -> set[int]:
    """The head's line numbers a file's unified diff (GitHub's `patch` of the file) shows: added and context lines."""
    shown: set[int] = set()
    for found in _HUNK.finditer(patch):
        start, length = int(found.group(1)), int(found.group(2) or "1")
        shown.update(range(start, start + length))
    return shown


def suggestions_for(path: str, before: str, after: str, shown: set[int]) -> list[Suggestion] | None:
    """The suggestions that turn before (the head's text) into after, or None when a hunk is outside `shown`."""
    old = before.splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    if old and not old[-1].endswith("\n") or new and not new[-1].endswith("\n"):
        return None  # a suggestion cannot say "no newline at end of file"
    found: list[Suggestion] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if i1 == i2:  # an insertion: anchored on the line before it, or on the first line when it opens the file
            if not old:
                return None
            anchor = i1 - 1 if i1 > 0 else 0
            text = old[anchor] + "".join(new[j1:j2]) if i1 > 0 else "".join(new[j1:j2]) + old[0]
            found.append(Suggestion(path, anchor + 1, anchor + 1, text))
        else:
            found.append(Suggestion(path, i1 + 1, i2, "".join(new[j1:j2])))
    # An insertion's anchor lies in the unchanged lines around it, so no two suggestions ever span one line.
    if not found or any(not _span(s) <= shown for s in found):
        return None
    return found


def _span(suggestion: Suggestion) -> set[int]:
    return set(range(suggestion.start_line, suggestion.end_line + 1))


def _longest_run(text: str, char: str) -> int:
    longest = current = 0
    for c in text:
        current = current + 1 if c == char else 0
        longest = max(longest, current)
    return longest

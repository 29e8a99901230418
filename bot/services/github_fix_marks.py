"""The App's part of the evaluation store's marks: a pull request's offered fixes taken, or let go, as its events say.

A new head (`synchronize`) that holds a fix's lines took it (suggestions committed, the fix pull request merged);
the fix pull request `olympus/fix-pr-<n>` (or a failed sync's `olympus/fix-sync-<n>`) closed says merged or not;
the pull request closed lets go of the rest.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any, Final

from bot.adapters.github.repo_reader import GitHubRepoReader
from bot.ports import CodeHost, CodeHostError
from bot.services.context import Loop
from bot.services.fix_marks import let_go_fixes, mark_fix_pull_request, mark_landed_fixes
from bot.services.github_checkout import change_id_of
from bot.services.github_diagnose import FIX_BRANCH_PREFIX
from bot.services.sync_fix import SYNC_FIX_BRANCH_PREFIX

log = logging.getLogger(__name__)
# olympus/fix-pr-7, or olympus/fix-pr-7-stacks-app (github_diagnose.fix_branch_of), or olympus/fix-sync-7 (a failed
# sync's fix, sync_fix.sync_fix_branch): the pull request it fixes.
_FIX_BRANCH: Final = re.compile(
    "(?:" + re.escape(FIX_BRANCH_PREFIX) + "|" + re.escape(SYNC_FIX_BRANCH_PREFIX) + r")([0-9]{1,10})(?:-|$)"
)


def mark_fixes_at_head(loop: Loop, codehost: CodeHost, repo: str, number: int, head: str) -> list[int] | None:
    """The pull request's head moved to `head`: the pending fixes whose lines it holds were taken; the ids marked
    (None: GitHub could not be read).
    Nothing is read from GitHub when no fix of the pull request waits. The marks are bookkeeping: GitHub failing to
    answer is logged and leaves them for the next event, and never fails the job (whose retry would sync again)."""
    change_id = change_id_of(repo, number)
    if not any(a.accepted is None for a in loop.store.offered_fix_attempts(loop.repo_id, change_id)):
        return []
    try:
        reader = GitHubRepoReader(codehost, repo, head)
        return mark_landed_fixes(loop.store, loop.repo_id, change_id, reader.read_text)
    except CodeHostError:
        log.warning("could not read %s at %s to mark its offered fixes", change_id, head[:12], exc_info=True)
        return None


def mark_fixes_on_close(loop: Loop, codehost: CodeHost, repo: str, pull_request: Mapping[str, Any]) -> list[int]:
    """A pull request was closed: a fix pull request marks its fix taken (merged) or not; any other pull request's
    pending fixes are taken if its last head holds them, and let go otherwise. The ids marked."""
    number = int(pull_request["number"])
    merged = pull_request.get("merged") is True
    fixes = _FIX_BRANCH.match(str(pull_request["head"]["ref"]))
    if fixes is not None:
        change_id = change_id_of(repo, int(fixes.group(1)))
        return mark_fix_pull_request(loop.store, loop.repo_id, change_id, number, merged=merged)
    marked = mark_fixes_at_head(loop, codehost, repo, number, str(pull_request["head"]["sha"]))
    if marked is None:
        return []  # its last head unread: nothing is let go that it may hold
    return marked + let_go_fixes(loop.store, loop.repo_id, change_id_of(repo, number))

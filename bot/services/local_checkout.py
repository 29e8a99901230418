"""The CLI's checkouts: a branch of a local repository in its own worktree, and the locks of finished branches."""

from __future__ import annotations

import re

from bot.adapters.git_tree import GitTreeReader
from bot.adapters.localgit import BOT_NAME, LocalGit
from bot.services.checkout import Checkout
from bot.wiring import Loop

_REQUESTED_BY = re.compile(r"^Requested-by:\s*(.+?)\s*$", re.MULTILINE)


def local_checkout(loop: Loop, branch: str, base: str) -> Checkout:
    """The branch at its head commit, in a worktree; the requesters are read from its commits."""
    git = loop.local_git
    head = git.commit_of(branch)
    return Checkout(
        change_id=branch,
        head=head,
        reader=GitTreeReader(git, head),
        changed_files=tuple(git.changed_files(base, branch)),
        workdir=git.worktree(branch),
        requesters=tuple(requesters_of(git, branch, base, loop.actor)),
    )


def requesters_of(git: LocalGit, branch: str, base: str, actor: str) -> list[str]:
    """Requested-by trailers and the human authors of the branch's commits, and who runs this command."""
    log = git.git("log", "--format=%an%x00%B%x00", f"{base}..{branch}")
    people = {actor}
    parts = log.split("\0")
    for author, body in zip(parts[::2], parts[1::2], strict=False):
        author = author.strip()
        if author and author != BOT_NAME:
            people.add(author)
        people.update(_REQUESTED_BY.findall(body))
    return sorted(people)


def release_finished_locks(loop: Loop, base: str) -> list[str]:
    """Release the locks of branches merged into base or deleted, as merging or closing a PR releases its locks."""
    git = loop.local_git
    finished = sorted(
        {
            lock.holder
            for lock in loop.store.locks()
            if lock.repo == loop.repo_id and (not git.branch_exists(lock.holder) or git.is_merged(lock.holder, base))
        }
    )
    for holder in finished:
        with loop.store.audited(loop.actor, "release-locks", {"change": holder, "why": f"merged into {base}"}):
            loop.store.release_locks_of(holder)
            loop.store.discard_plans(holder)
        loop.say(f"released the locks of {holder}: it is merged into {base} or deleted")
    return finished

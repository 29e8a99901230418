"""The CLI's checkouts: a branch of a local repository in its own worktree, and the locks of finished branches."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from bot.adapters.git_tree import GitTreeReader
from bot.adapters.localgit import BOT_EMAIL, LocalGit
from bot.domain.authorship import CommitFacts, authorship_of, co_authors_in
from bot.domain.identities import is_app
from bot.domain.seals import seal_holds, unsealed_message
from bot.services.checkout import Checkout
from bot.services.context import SANDBOX_LOCKS, Loop
from bot.services.plan_change import discard_plan_files

_REQUESTED_BY = re.compile(r"^Requested-by:\s*(.+?)\s*$", re.MULTILINE)
# One record per commit: its id, tree, parents, author and committer, and its raw message.
_LOG_FORMAT = "%H%x00%T%x00%P%x00%an%x00%ae%x00%cn%x00%ce%x00%B%x00"
_FIELDS = 8


@contextmanager
def local_checkout(loop: Loop, branch: str, base: str) -> Iterator[Checkout]:
    """The branch at its head commit in a worktree that lasts as long as the block; who asked for it and who wrote
    it are read from its commits. The worktree is detached and removed at the end, however the block ends."""
    git = loop.local_git
    head = git.commit_of(branch)
    commits, requesters = commits_of(git, branch, base, loop.record_key)
    reader = GitTreeReader(git, head)
    base_reader = GitTreeReader(git, base)
    with git.temporary_worktree(head) as workdir:
        try:
            yield Checkout(
                change_id=branch,
                head=head,
                reader=reader,
                changed_files=tuple(git.changed_files(base, branch)),
                workdir=workdir,
                requesters=tuple(sorted({loop.actor, *requesters})),
                base=base,
                contributors=authorship_of(commits, ()),
                base_reader=base_reader,
            )
        finally:
            reader.close()
            base_reader.close()


def commits_of(git: LocalGit, branch: str, base: str, key: bytes) -> tuple[list[CommitFacts], list[str]]:
    """The branch's commits since base as the gate reads them, and the Requested-by trailers they carry.

    Git's names are free text: a commit whose author says "olympus[bot]" counts as Olympus's only when it carries
    a seal only Olympus's key can make; otherwise its committer answers for it.
    """
    parts = git.git("log", f"--format={_LOG_FORMAT}", f"{base}..{branch}").split("\0")
    commits: list[CommitFacts] = []
    requesters: list[str] = []
    for start in range(0, len(parts) - _FIELDS + 1, _FIELDS):
        sha, tree, parents, author, author_email, committer, committer_email, message = parts[start : start + _FIELDS]
        sha = sha.strip()
        claims = any(is_app(name) for name in (author, committer)) or BOT_EMAIL in (author_email, committer_email)
        body, seal_text = unsealed_message(message)
        sealed = seal_holds(key, seal_text, "commit", tree, parents, body) if seal_text else False
        commits.append(
            CommitFacts(
                sha=sha,
                author=author,
                committer=committer,
                author_email=author_email,
                committer_email=committer_email,
                co_authors=co_authors_in(message),
                claims_app=claims,
                made_by_app=sealed,
            )
        )
        requesters.extend(_REQUESTED_BY.findall(message))
    return commits, requesters


def release_finished_locks(loop: Loop, base: str) -> list[str]:
    """Release the locks of branches merged into base or deleted, as merging or closing a PR releases its locks."""
    git = loop.local_git
    holders = {
        lock.holder
        for lock in loop.store.locks()
        if lock.repo.removesuffix(SANDBOX_LOCKS) == loop.repo_id.removesuffix(SANDBOX_LOCKS)
    }
    finished: list[str] = []
    if holders:  # two git processes whatever the number of changes, not two per change
        existing, merged = git.branches(), git.branches(merged_into=base)
        finished = sorted(holder for holder in holders if holder not in existing or holder in merged)
    for holder in finished:
        with loop.store.audited(loop.actor, "release-locks", {"change": holder, "why": f"merged into {base}"}):
            loop.store.release_locks_of(holder)
            loop.store.discard_plans(holder)
            discard_plan_files(loop, holder)
        loop.say(f"released the locks of {holder}: it is merged into {base} or deleted")
    return finished

"""Merge a change into its base, as merging the pull request would: fast-forward or a merge commit, locks released."""

from __future__ import annotations

from dataclasses import dataclass

from bot.adapters.localgit import GitError
from bot.errors import UserError
from bot.services.context import Loop
from bot.services.plan_change import discard_plan_files


@dataclass(frozen=True)
class Merged:
    branch: str
    base: str
    commit: str
    fast_forward: bool
    released: int
    unapplied: tuple[str, ...]  # projects whose saved plan was never applied


def merge_change(loop: Loop, branch: str, base: str) -> Merged:
    """Bring branch into base without touching any other checkout; the base's own checkout follows it, as
    `git merge` would (git refuses when that would overwrite uncommitted work)."""
    git = loop.local_git
    if branch == base:
        raise UserError("merge-into-itself", f"{branch} is the base branch", "pass --branch with the change to merge")
    before = git.commit_of(base)
    head = git.commit_of(branch)
    unapplied = tuple(sorted({plan.project for plan in loop.store.plans_for(branch)}))
    with loop.store.audited(loop.actor, "merge", {"branch": branch, "base": base, "commit": head}) as outcome:
        if git.is_merged(branch, base):
            commit, fast_forward = before, True
            outcome.result = "already merged"
        elif git.is_merged(base, branch):
            commit, fast_forward = head, True
        else:
            commit, fast_forward = _merge_commit(loop, branch, base, before, head), False
        if commit != before:
            _move_base(loop, base, before, commit)
        released = loop.lock_keeper.release_locks_of(branch)
        loop.store.discard_plans(branch)
        discard_plan_files(loop, branch)
    return Merged(branch, base, commit, fast_forward, released, unapplied)


def _merge_commit(loop: Loop, branch: str, base: str, before: str, head: str) -> str:
    git = loop.local_git
    try:
        # merge-tree merges without a working tree or index (git >= 2.38); it exits 1 on conflicts.
        tree = git.git("merge-tree", "--write-tree", "--name-only", "--no-messages", before, head).split("\n")[0]
    except GitError as error:
        raise UserError(
            "merge-conflict",
            f"{branch} does not merge cleanly into {base}: {error}",
            f"merge it yourself (`git switch {base} && git merge {branch}`), then run `olympus plan` for what follows",
        ) from None
    message = f"Merge branch '{branch}' into {base}\n"
    args = ("commit-tree", tree.strip(), "-p", before, "-p", head, "-F", "-")
    return git.git(*args, env=git.identity_env(), input=message).strip()


def _move_base(loop: Loop, base: str, before: str, commit: str) -> None:
    git = loop.local_git
    checkout = git.checked_out_at(base)
    try:
        if checkout is None:
            git.git("update-ref", f"refs/heads/{base}", commit, before)
        else:
            git.git("merge", "--ff-only", "--quiet", commit, cwd=checkout)
    except GitError as error:
        raise UserError(
            "merge-blocked",
            f"could not move {base} to the merge: {error}",
            f"commit or stash the uncommitted changes in {checkout or git.root}, then run `olympus merge` again",
        ) from None

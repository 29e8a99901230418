"""LocalGit: branches, worktrees and commits in a local repository, leaving the user's working tree alone."""

from __future__ import annotations

import functools
import locale
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bot.domain.models import ChangeSet, FileChange
from bot.domain.seals import SEAL_TRAILER, commit_seal

BOT_NAME = "olympus[bot]"
BOT_EMAIL = "olympus[bot]@users.noreply.github.com"
# update-ref's "the ref must not exist yet".
_NO_COMMIT = "0" * 40


class GitError(Exception):
    """A git command failed; the message carries git's own words."""


class NotARepository(GitError):
    """The path given is not a git repository (a user error)."""


class EmptyRepository(NotARepository):
    """The repository has no commit yet: `olympus init` makes the first one."""


@dataclass(frozen=True)
class LocalGit:
    """One local repository, driven through the git binary with argv lists."""

    root: Path
    # Commit ids this LocalGit resolved: an id names the same commit forever, so asking git again is a process
    # for nothing (a checkout resolves its head three times). Names (branches, HEAD) are always asked.
    _commits: dict[str, str] = field(default_factory=dict, init=False, compare=False, hash=False, repr=False)

    @classmethod
    def open(cls, path: Path, *, allow_empty: bool = False) -> LocalGit:
        path = path.expanduser().resolve()
        if not path.is_dir():
            raise NotARepository(f"{path} does not exist")
        try:
            top = _git(path, "rev-parse", "--show-toplevel").strip()
        except GitError:
            raise NotARepository(f"{path} is not a git repository") from None
        repo = cls(Path(top))
        if not allow_empty and not repo.has_commits():
            raise EmptyRepository(f"{top} has no commits yet")
        return repo

    def git(
        self, *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, input: str | None = None
    ) -> str:
        return _git(cwd or self.root, *args, env=env, input=input)

    @functools.cached_property
    def state_dir(self) -> Path:
        """Olympus's own files for this repository, inside .git so they are never committed.

        Asked once per LocalGit: where a repository keeps its git directory does not change while a command runs,
        and each git process is a few milliseconds of every command.
        """
        common = Path(self.git("rev-parse", "--git-common-dir").strip())
        common = common if common.is_absolute() else (self.root / common)
        return (common / "olympus").resolve()

    def has_commits(self) -> bool:
        try:
            self.git("rev-parse", "--verify", "HEAD")
            return True
        except GitError:
            return False

    def current_branch(self) -> str:
        return self.git("rev-parse", "--abbrev-ref", "HEAD").strip()

    def origin_url(self) -> str:
        """The URL of the `origin` remote, "" when there is none (what a new Argo CD Application names)."""
        try:
            return self.git("remote", "get-url", "origin").strip()
        except GitError:
            return ""

    def default_branch(self) -> str:
        """The base branch: origin's HEAD when there is a remote, else main or master, else the current one."""
        try:
            ref = self.git("symbolic-ref", "--quiet", "refs/remotes/origin/HEAD").strip()
            return ref.removeprefix("refs/remotes/origin/")
        except GitError:
            pass
        # One process for both names; for-each-ref skips a broken ref, as `rev-parse --verify` refuses one.
        listed = self.git("for-each-ref", "--format=%(refname)", "refs/heads/main", "refs/heads/master").split("\n")
        for name in ("main", "master"):
            if f"refs/heads/{name}" in listed:
                return name
        return self.current_branch()

    def branch_exists(self, branch: str) -> bool:
        try:
            self.git("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}")
            return True
        except GitError:
            return False

    def is_merged(self, branch: str, base: str) -> bool:
        """True when every commit of branch is already in base."""
        try:
            self.git("merge-base", "--is-ancestor", branch, base)
            return True
        except GitError:
            return False

    def commit_of(self, ref: str) -> str:
        if ref in self._commits:
            return self._commits[ref]
        commit = self.git("rev-parse", "--verify", f"{ref}^{{commit}}").strip()
        self._commits[commit] = commit
        return commit

    def branches(self, *, merged_into: str | None = None) -> set[str]:
        """The local branches' names; with merged_into, only those whose every commit is in that branch."""
        merged = [f"--merged={merged_into}"] if merged_into is not None else []
        listed = self.git("for-each-ref", "--format=%(refname)", *merged, "refs/heads/")
        return {line.removeprefix("refs/heads/") for line in listed.splitlines() if line}

    def files_at(self, ref: str) -> list[str]:
        return sorted(self.git("ls-tree", "-r", "--name-only", "-z", ref).split("\0")[:-1])

    def read_at(self, ref: str, path: str) -> str | None:
        try:
            return self.git("show", f"{ref}:{path}")
        except GitError:
            return None

    def changed_files(self, base: str, head: str) -> list[str]:
        """Files that differ between the merge base of base and head, and head (deleted ones included)."""
        out = self.git("diff", "--name-only", "-z", f"{base}...{head}")
        return sorted(p for p in out.split("\0") if p)

    @contextmanager
    def temporary_worktree(self, ref: str) -> Iterator[Path]:
        """The commit of ref checked out (detached) in a worktree of its own, removed when the block ends.

        Detached, so no branch is ever held by a worktree: `git checkout BRANCH` keeps working in the user's
        checkout, whatever the command did or however it ended.
        """
        commit = self.commit_of(ref)
        path = self.state_dir / "worktrees" / f"{_slug(ref)}-{secrets.token_hex(4)}"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.git("worktree", "add", "--quiet", "--detach", str(path), commit)
        try:
            yield path
        finally:
            self.remove_worktree(path)

    def remove_worktree(self, path: Path) -> None:
        """Remove one worktree and git's record of it (files Terraform left inside included)."""
        try:
            self.git("worktree", "remove", "--force", "--force", str(path))
        except GitError:
            shutil.rmtree(path, ignore_errors=True)
            self.git("worktree", "prune")

    def olympus_worktrees(self) -> dict[Path, str]:
        """Worktrees under Olympus's state dir, with the branch each holds ("" when detached)."""
        found: dict[Path, str] = {}
        current: Path | None = None
        own = self.state_dir / "worktrees"
        for line in self.git("worktree", "list", "--porcelain").splitlines():
            if line.startswith("worktree "):
                path = Path(line.removeprefix("worktree ")).resolve()
                current = path if own in path.parents else None
                if current is not None:
                    found[current] = ""
            elif line.startswith("branch ") and current is not None:
                found[current] = line.removeprefix("branch refs/heads/")
        return found

    def checked_out_at(self, branch: str) -> Path | None:
        """The worktree (the user's own included) that has branch checked out, if any."""
        current: Path | None = None
        for line in self.git("worktree", "list", "--porcelain").splitlines():
            if line.startswith("worktree "):
                current = Path(line.removeprefix("worktree "))
            elif line == f"branch refs/heads/{branch}":
                return current
        return None

    def commit_change(
        self, branch: str, base: str, change: ChangeSet, message: str, seal_key: bytes | None = None
    ) -> str:
        """Create branch from base (or reuse it) and commit the change on it as the bot, without any checkout.

        The commit is built from git objects with an index of its own, and the branch moves only if nobody moved
        it meanwhile (`update-ref` with the old value). With seal_key the message ends with a seal trailer over
        the commit's tree, parent and message: anyone can write "olympus[bot]" as a commit's author, only the
        key's holder can seal (bot/domain/seals.py).
        """
        exists = self.branch_exists(branch)
        parent = self.commit_of(branch if exists else base)
        bot = {
            "GIT_AUTHOR_NAME": BOT_NAME,
            "GIT_AUTHOR_EMAIL": BOT_EMAIL,
            "GIT_COMMITTER_NAME": BOT_NAME,
            "GIT_COMMITTER_EMAIL": BOT_EMAIL,
        }
        commit = self.commit_files(parent, change.files, message, seal_key=seal_key, env=bot)
        self.git("update-ref", f"refs/heads/{branch}", commit, parent if exists else _NO_COMMIT)
        return commit

    def commit_files(
        self,
        parent: str | None,
        files: Iterable[FileChange],
        message: str,
        *,
        seal_key: bytes | None = None,
        env: dict[str, str] | None = None,
    ) -> str:
        """A new commit object: parent's tree with files written (empty content deletes); no ref moves."""
        files = list(files)
        with tempfile.TemporaryDirectory(prefix="olympus-index-") as scratch:
            index = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            if parent:
                _git(self.root, "read-tree", parent, env=index)
            blobs = iter(self._write_blobs(Path(scratch), [f.content for f in files if f.content != ""]))
            # All the paths in one update-index: mode 0 removes a path (`--force-remove`), the rest are added
            # (`--add --cacheinfo`), in the files' order, so a later entry for a path wins as before.
            entries = [
                f"0 {_NO_COMMIT}\t{f.path}" if f.content == "" else f"100644 {next(blobs)}\t{f.path}" for f in files
            ]
            if entries:
                _git(self.root, "update-index", "-z", "--index-info", env=index, input="\0".join(entries) + "\0")
            tree = _git(self.root, "write-tree", env=index).strip()
        if seal_key is not None:
            message += SEAL_TRAILER + commit_seal(seal_key, tree, parent or "", message) + "\n"
        # commit-tree keeps the message byte for byte: the message git keeps must be the one sealed.
        parents = ["-p", parent] if parent else []
        return _git(self.root, "commit-tree", tree, *parents, "-F", "-", env=env, input=message).strip()

    def _write_blobs(self, scratch: Path, contents: list[str]) -> list[str]:
        """Each text as a blob in the object store, their ids in order: one `hash-object` for them all.

        The texts go through files because `--stdin` takes one object per process. They are encoded as a text-mode
        pipe would encode them, and `--no-filters` hashes them as they are, as `--stdin` does: no attributes or
        end-of-line conversion chosen by the scratch files' names.
        """
        if not contents:
            return []
        folder = scratch / "blobs"
        folder.mkdir()
        paths = []
        for number, content in enumerate(contents):
            path = folder / str(number)
            path.write_bytes(content.encode(locale.getpreferredencoding(False)))
            paths.append(str(path))
        out = _git(self.root, "hash-object", "-w", "--no-filters", "--stdin-paths", input="\n".join(paths) + "\n")
        blobs = out.split()
        if len(blobs) != len(contents):
            raise GitError(f"git hash-object wrote {len(blobs)} objects for {len(contents)} files")
        return blobs

    def identity_env(self) -> dict[str, str]:
        """The user's git identity when one is configured, else Olympus's, for commits made for the user."""
        try:
            self.git("config", "user.name")
            self.git("config", "user.email")
            return {}
        except GitError:
            return {
                "GIT_AUTHOR_NAME": BOT_NAME,
                "GIT_AUTHOR_EMAIL": BOT_EMAIL,
                "GIT_COMMITTER_NAME": BOT_NAME,
                "GIT_COMMITTER_EMAIL": BOT_EMAIL,
            }


def _slug(ref: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in ref)[:60]


def _git(cwd: Path, *args: str, env: dict[str, str] | None = None, input: str | None = None) -> str:
    full_env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120, check=False, input=input
    )
    if proc.returncode != 0:
        raise GitError(f"git {args[0]} failed: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout

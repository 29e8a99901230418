"""LocalGit: branches, worktrees and commits in a local repository, leaving the user's working tree alone."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bot.domain.models import ChangeSet
from bot.domain.seals import SEAL_TRAILER, commit_seal

BOT_NAME = "olympus[bot]"
BOT_EMAIL = "olympus[bot]@users.noreply.github.com"


class GitError(Exception):
    """A git command failed; the message carries git's own words."""


class NotARepository(GitError):
    """The path given is not a git repository (a user error)."""


@dataclass(frozen=True)
class LocalGit:
    """One local repository, driven through the git binary with argv lists."""

    root: Path

    @classmethod
    def open(cls, path: Path) -> LocalGit:
        path = path.expanduser().resolve()
        if not path.is_dir():
            raise NotARepository(f"{path} does not exist; pass --repo with the path of a git repository")
        try:
            top = _git(path, "rev-parse", "--show-toplevel").strip()
        except GitError:
            raise NotARepository(
                f"{path} is not a git repository; run `git init` there or pass --repo with a git repository"
            ) from None
        repo = cls(Path(top))
        if not repo.has_commits():
            raise NotARepository(f"{top} has no commits yet; commit the infrastructure code first")
        return repo

    def git(self, *args: str, cwd: Path | None = None) -> str:
        return _git(cwd or self.root, *args)

    @property
    def state_dir(self) -> Path:
        """Olympus's own files for this repository, inside .git so they are never committed."""
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

    def default_branch(self) -> str:
        """The base branch: origin's HEAD when there is a remote, else main or master, else the current one."""
        try:
            ref = self.git("symbolic-ref", "--quiet", "refs/remotes/origin/HEAD").strip()
            return ref.removeprefix("refs/remotes/origin/")
        except GitError:
            pass
        for name in ("main", "master"):
            if self.branch_exists(name):
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
        return self.git("rev-parse", "--verify", f"{ref}^{{commit}}").strip()

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

    def worktree(self, branch: str) -> Path:
        """A worktree with branch checked out, under the state dir; created or moved to the branch's tip."""
        path = self.state_dir / "worktrees" / branch.replace("/", "--")
        if not (path / ".git").exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            self.git("worktree", "prune")
            self.git("worktree", "add", "--force", str(path), branch)
        else:
            self.git("checkout", "--quiet", "--force", branch, cwd=path)
        return path

    def commit_change(
        self, branch: str, base: str, change: ChangeSet, message: str, seal_key: bytes | None = None
    ) -> str:
        """Create branch from base (or reuse it), write the change in its worktree, and commit it as the bot.

        With seal_key the message ends with a seal trailer over the commit's tree, parent and message: anyone can
        write "olympus[bot]" as a commit's author, only the key's holder can seal (bot/domain/seals.py).
        """
        if not self.branch_exists(branch):
            self.git("branch", branch, base)
        tree = self.worktree(branch)
        for file in change.files:
            target = tree / file.path
            if file.content == "":
                if target.exists():
                    self.git("rm", "--quiet", "--", file.path, cwd=tree)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(file.content)
            self.git("add", "--", file.path, cwd=tree)
        env_override = {
            "GIT_AUTHOR_NAME": BOT_NAME,
            "GIT_AUTHOR_EMAIL": BOT_EMAIL,
            "GIT_COMMITTER_NAME": BOT_NAME,
            "GIT_COMMITTER_EMAIL": BOT_EMAIL,
        }
        if seal_key is not None:
            staged = self.git("write-tree", cwd=tree).strip()
            parent = self.commit_of(branch)
            message += SEAL_TRAILER + commit_seal(seal_key, staged, parent, message) + "\n"
        # verbatim: the message git keeps must be the one sealed, byte for byte.
        _git(
            tree,
            "-c",
            "commit.gpgsign=false",
            "commit",
            "--quiet",
            "--no-verify",
            "--cleanup=verbatim",
            "-m",
            message,
            env=env_override,
        )
        return self.commit_of(branch)


def _git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    full_env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120, check=False
    )
    if proc.returncode != 0:
        raise GitError(f"git {args[0]} failed: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout

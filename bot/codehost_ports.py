"""The code host's port (GitHub): pull requests, comments, check runs, issues; bot/adapters/github implements it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.authorship import Push
from bot.domain.models import FileChange, Finding


class CodeHostError(Exception):
    """A code-host call that failed for good: what failed, why, and how to retry (never a token or key)."""

    def __init__(self, operation: str, detail: str, hint: str = "", *, status: int | None = None) -> None:
        self.operation = operation
        self.detail = detail
        self.hint = hint
        self.status = status
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"GitHub: could not {self.operation}: {self.detail}"
        return f"{text}. {self.hint}" if self.hint else text


@dataclass(frozen=True)
class GitIdentity:
    """The name and email of a commit's author."""

    name: str
    email: str


@dataclass(frozen=True)
class PullRequestInfo:
    """What the services need to know about one pull request."""

    number: int
    head_branch: str
    head_sha: str
    base_branch: str
    author: str
    is_fork: bool  # the head lives in another repository (or a deleted one): never plan it with our credentials
    state: str  # "open" | "closed"
    merged: bool
    draft: bool
    title: str = ""
    url: str = ""
    merge_commit_sha: str = ""  # once merged: the commit the merge made on the base branch


@dataclass(frozen=True)
class PullCommit:
    """One commit of a pull request as GitHub reports it: the accounts it links, git's own names, its signature."""

    sha: str
    author_login: str  # "" when GitHub links the author's email to no account
    committer_login: str
    author_name: str
    author_email: str
    committer_name: str
    committer_email: str
    message: str
    verified: bool  # GitHub verified its signature (an app's own API commit is signed by GitHub)


@dataclass(frozen=True)
class BranchProtection:
    """What a branch's protection asks of a pull request's reviews."""

    protected: bool
    required_approvals: int = 0
    code_owner_reviews: bool = False  # each changed file needs an approval from one of its code owners


@dataclass(frozen=True)
class Review:
    """One submitted pull-request review."""

    user: str
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED | PENDING
    commit_id: str
    submitted_at: datetime | None


@dataclass(frozen=True)
class IssueInfo:
    """One issue (never a pull request) as the services read it: found again by its body's hidden marker."""

    number: int
    title: str
    body: str
    state: str  # "open" | "closed"
    labels: tuple[str, ...] = ()


class Installations(Protocol):
    """The GitHub App's installations and the repositories each gives it (GitHubApp); CodeHostError on failure."""

    def installation_ids(self) -> list[int]: ...

    def repositories_of(self, installation_id: int) -> list[str]:
        """owner/name of each repository the installation gives the App, archived ones left out."""
        ...


@dataclass(frozen=True)
class ReviewComment:
    """One comment of a review, on the head's lines start_line..line of path (one line when start_line is None)."""

    path: str
    line: int
    body: str
    start_line: int | None = None


class CodeHost(Protocol):
    """A repository host (GitHub) as the services use it; every method raises CodeHostError when it fails."""

    def reference_commit(self, repo: str, branch: str) -> str:
        """The commit sha `branch` points at."""
        ...

    def commit_files(
        self,
        repo: str,
        base_branch: str,
        branch: str,
        files: Sequence[FileChange],
        message: str,
        author: GitIdentity | None = None,
    ) -> str:
        """One commit on top of base_branch writing `files` (content "" deletes), pointed to by `branch`; its sha."""
        ...

    def delete_branch(self, repo: str, branch: str) -> bool: ...

    def find_pull_request(self, repo: str, head_branch: str) -> PullRequestInfo | None:
        """The open pull request from head_branch (in repo itself), if any."""
        ...

    def open_pull_request(
        self, repo: str, head: str, base: str, title: str, body: str, labels: Sequence[str] = ()
    ) -> PullRequestInfo:
        """A pull request from head into base: the open one for head when there is one, else a new one."""
        ...

    def open_change(
        self,
        repo: str,
        base: str,
        branch: str,
        files: Sequence[FileChange],
        message: str,
        *,
        title: str,
        body: str,
        labels: Sequence[str] = (),
        author: GitIdentity | None = None,
    ) -> PullRequestInfo:
        """One commit on branch and its pull request; nothing half-made is left behind when the PR fails."""
        ...

    def pull_request(self, repo: str, number: int) -> PullRequestInfo: ...

    def changed_files(self, repo: str, number: int) -> list[str]: ...

    def pull_request_patches(self, repo: str, number: int) -> dict[str, str]:
        """Each changed file's unified diff as GitHub shows it (hunks only; "" when GitHub leaves it out)."""
        ...

    def create_review(
        self, repo: str, number: int, commit_id: str, body: str, comments: Sequence[ReviewComment]
    ) -> int:
        """A submitted COMMENT review of commit_id with line comments on its right side; the review's id."""
        ...

    def read_file(self, repo: str, ref: str, path: str) -> str | None: ...

    def default_branch(self, repo: str) -> str: ...

    def list_files(self, repo: str, ref: str) -> list[str]: ...

    def upsert_comment(self, repo: str, issue_number: int, key: str, parts: Sequence[str]) -> list[int]:
        """Make the bot's comments for `key` read `parts` (edited in place); their ids in part order."""
        ...

    def post_comment(self, repo: str, issue_number: int, body: str) -> int: ...

    def react(self, repo: str, comment_id: int, content: str = "eyes") -> None: ...

    def react_to_issue(self, repo: str, issue_number: int, content: str = "eyes") -> None: ...

    def create_check_run(
        self,
        repo: str,
        head_sha: str,
        name: str,
        *,
        status: str = "in_progress",
        conclusion: str | None = None,
        title: str = "",
        summary: str = "",
        text: str = "",
        annotations: Sequence[Finding] = (),
        external_id: str = "",
    ) -> int:
        """A new check run; with `external_id` (the request it is for), the one made for it before if any."""
        ...

    def unfinished_check_runs(self, repo: str, head_sha: str, name_prefix: str) -> list[int]:
        """The ids of this App's check runs on head_sha named name_prefix... that are not completed."""
        ...

    def update_check_run(
        self,
        repo: str,
        check_run_id: int,
        *,
        status: str | None = None,
        conclusion: str | None = None,
        title: str = "",
        summary: str = "",
        text: str = "",
        annotations: Sequence[Finding] = (),
    ) -> None: ...

    def branch_protection(self, repo: str, branch: str) -> BranchProtection: ...

    def pull_request_commits(self, repo: str, number: int) -> list[PullCommit]:
        """The pull request's commits, oldest first (GitHub lists at most 250)."""
        ...

    def branch_pushes(self, repo: str, branch: str) -> list[Push]:
        """Who moved the branch to which commit, oldest first, since it was last created."""
        ...

    def permission_of(self, repo: str, user: str) -> str:
        """The user's role on repo: admin, maintain, write, triage, read or none."""
        ...

    def is_team_member(self, org: str, team_slug: str, user: str) -> bool: ...

    def reviews(self, repo: str, number: int) -> list[Review]: ...

    def close_pull_request(self, repo: str, number: int) -> None: ...

    def add_labels(self, repo: str, issue_number: int, labels: Sequence[str]) -> None: ...

    def issues_labelled(self, repo: str, label: str, *, state: str = "open") -> list[IssueInfo]:
        """The issues (pull requests left out) carrying label, oldest first; state "open", "closed" or "all"."""
        ...

    def open_issue(self, repo: str, title: str, body: str, labels: Sequence[str]) -> int:
        """Create an issue with labels; its number."""
        ...

    def edit_issue(
        self, repo: str, number: int, *, title: str | None = None, body: str | None = None, state: str | None = None
    ) -> None:
        """Change an issue's title, body or state ("open" | "closed"); what is None stays."""
        ...

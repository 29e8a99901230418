"""The interfaces between the domain and the world: each adapter implements one of these."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from threading import Event
from typing import Protocol

from bot.domain.conversations import Conversation
from bot.domain.dashboard import AuditFilter, RunTime, StoreCounts
from bot.domain.drift import DriftCheck
from bot.domain.findings import ScanReport
from bot.domain.fixes.attempts import FixAttempt
from bot.domain.interactions import InteractionRecord
from bot.domain.models import Finding


class RepoReader(Protocol):
    """A read-only view of a repository tree at one commit or working copy."""

    def list_files(self, prefix: str = "") -> list[str]:
        """Every file path (repo-relative, "/"-separated) under prefix, sorted."""
        ...

    def read_text(self, path: str) -> str | None:
        """A file's text, or None when it does not exist."""
        ...


@dataclass(frozen=True)
class CommandOutput:
    """What one IaC command did."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float


class IaCRunner(Protocol):
    """Runs Terraform (or OpenTofu) commands in a working directory."""

    def run(
        self,
        args: Sequence[str],
        cwd: Path,
        *,
        env: dict[str, str] | None = None,
        timeout: float = 900,
        on_line: Callable[[str], None] | None = None,
    ) -> CommandOutput: ...


class Scanner(Protocol):
    """A static analyser over Terraform directories."""

    name: str

    def scan(self, repo_root: Path, dirs: Iterable[str]) -> list[Finding]:
        """Findings for the given repo-relative directories, file paths relative to repo_root."""
        ...

    def scan_report(self, repo_root: Path, dirs: Iterable[str], *, stop: Event | None = None) -> ScanReport:
        """Findings and the checks skipped inline (with their reasons) for the given directories; `stop` set: the
        scan is no longer wanted, and its processes are stopped (a ScannerError then)."""
        ...

    def prepare(self, say: Callable[[str], None] | None = None) -> Path:
        """The scanner's program, installed first if it can be and is missing (`say` tells the user so).

        A program that cannot be had is a UserError (tool-missing); a scan calls this itself, so calling it
        first only moves that error, or the install, before any work is done.
        """
        ...


# Imported here rather than at the top so the store's section could be appended without touching the rest.
from collections.abc import Mapping  # noqa: E402
from contextlib import AbstractContextManager  # noqa: E402
from datetime import datetime  # noqa: E402
from typing import Any  # noqa: E402

from bot.domain.records import (  # noqa: E402
    ApprovalRecord,
    AuditEntry,
    AuditOutcome,
    LockRecord,
    PlanRecord,
    PolicyApprovalRecord,
    PushRecord,
    RunRecord,
)


class LockKeeper(Protocol):
    """Takes, reads and releases project locks: the store, or GitHub refs (GitHubRefLocks) in the Action."""

    def acquire_lock(self, repo: str, dir: str, workspace: str, holder: str) -> LockRecord:
        """The lock as it now stands: held by `holder` when taken (or already held), else by its holder."""
        ...

    def lock_for(self, repo: str, dir: str, workspace: str) -> LockRecord | None: ...

    def release_lock(self, repo: str, dir: str, workspace: str, holder: str) -> bool:
        """Release one lock if holder holds it (a plan that failed gives back the lock it took)."""
        ...

    def release_locks_of(self, holder: str) -> int: ...


class Store(Protocol):
    """Durable state: runs, plans, findings, approvals, locks and the audit log (SqlStore implements it)."""

    clock: Callable[[], datetime]  # the store's own UTC clock, injected so tests know every timestamp

    def close(self) -> None: ...

    def start_run(self, change_id: str, command: str, actor: str, commit: str) -> int: ...

    def finish_run(self, run_id: int, result: str, detail: Mapping[str, Any]) -> None: ...

    def get_run(self, run_id: int) -> RunRecord | None: ...

    def runs_for(self, change_id: str) -> list[RunRecord]: ...

    def save_plan(self, plan: PlanRecord) -> int: ...

    def latest_plan(self, change_id: str, project: str) -> PlanRecord | None: ...

    def plans_for(self, change_id: str) -> list[PlanRecord]: ...

    def discard_plans(self, change_id: str) -> int: ...

    def save_findings(self, run_id: int, findings: Sequence[Finding]) -> None: ...

    def findings_for_run(self, run_id: int) -> list[Finding]: ...

    def record_approval(self, change_id: str, commit: str, user: str, at: datetime) -> bool: ...

    def approvals_for(self, change_id: str, commit: str | None = None) -> list[ApprovalRecord]:
        """A change's approvals, each marked untrusted when its seal does not check."""
        ...

    def record_policy_approval(self, change_id: str, policy_set: str, commit: str, user: str, at: datetime) -> bool:
        """Record one `/infra approve_policies` of a set at a commit; False when it was recorded already."""
        ...

    def policy_approvals_for(self, change_id: str, commit: str) -> list[PolicyApprovalRecord]:
        """A change's policy approvals at commit, each marked untrusted when its seal does not check."""
        ...

    def record_push(self, push: PushRecord, delivery_id: str) -> bool: ...

    def pushes_for(self, repo: str, branch: str, change_id: str) -> list[PushRecord]: ...

    def acquire_lock(self, repo: str, dir: str, workspace: str, holder: str) -> LockRecord:
        """The lock as it now stands: held by `holder` when taken (or already held), else by its holder."""
        ...

    def release_lock(self, repo: str, dir: str, workspace: str, holder: str) -> bool: ...

    def release_locks_of(self, holder: str) -> int: ...

    def lock_for(self, repo: str, dir: str, workspace: str) -> LockRecord | None: ...

    def one_at_a_time(self, name: str) -> AbstractContextManager[None]:
        """Hold the mutex `name` for a `with` block, across every worker and replica on this store."""
        ...

    def locks(self) -> list[LockRecord]: ...

    def audit(
        self,
        actor: str,
        action: str,
        params: Mapping[str, Any],
        started_at: datetime,
        ended_at: datetime,
        result: str,
    ) -> int:
        """Record one action; keys that look like secrets are masked before anything is stored."""
        ...

    def audited(self, actor: str, action: str, params: Mapping[str, Any]) -> AbstractContextManager[AuditOutcome]:
        """Audit a block: "ok", the result it sets on the outcome, or the exception it raised (re-raised)."""
        ...

    def audit_log(self, limit: int = 100) -> list[AuditEntry]: ...

    def record_interaction(self, record: InteractionRecord) -> int:
        """Keep one request a language model read; its text and tool arguments are masked for secrets first."""
        ...

    def interactions(self, limit: int = 20) -> list[InteractionRecord]:
        """The latest model interactions, newest first."""
        ...

    def record_drift_check(self, check: DriftCheck) -> None:
        """Keep a project's latest drift check, over the previous one (its issue number stays when check has none)."""
        ...

    def drift_checks(self, repo: str) -> list[DriftCheck]:
        """The latest drift check of each project of repo, by project name."""
        ...

    def record_fix_attempt(self, attempt: FixAttempt) -> int:
        """Keep one attempt of the fix loop, verified or not (secrets masked); its id."""
        ...

    def mark_fix_outcome(
        self, attempt_id: int, *, accepted: bool | None = None, next_apply_ok: bool | None = None
    ) -> bool:
        """Record whether people accepted an offered fix and whether the next apply held; False: no such attempt."""
        ...

    def fix_attempts(self, repo: str | None = None, limit: int = 1000) -> list[FixAttempt]:
        """The latest fix attempts (of repo, or of every repository), newest first."""
        ...

    def conversation_for(self, place: str, who: str) -> Conversation | None:
        """The requester's conversation with the model in place (an issue, a local repository), or None."""
        ...

    def save_conversation(self, conversation: Conversation) -> int:
        """Keep a conversation, over the requester's previous one in the same place."""
        ...

    def runs_page(self, limit: int = 50, before: int | None = None) -> list[RunRecord]:
        """Up to limit runs older than the run with id `before` (None: the newest), newest first."""
        ...

    def run_times(self, since: datetime) -> list[RunTime]:
        """When each run started since `since` started and ended, its command and result, newest first."""
        ...

    def audit_page(
        self, which: AuditFilter | None = None, limit: int = 50, before: int | None = None
    ) -> list[AuditEntry]:
        """Up to limit audit entries matching `which`, older than the entry `before`, newest first."""
        ...

    def recent_plans(self, limit: int = 50) -> list[PlanRecord]:
        """The latest saved plans of every change, newest first."""
        ...

    def store_counts(self) -> StoreCounts:
        """How many rows each kind of record has, and the newest audit entry's id."""
        ...


# --- the code host (GitHub): appended for the App; bot/adapters/github/codehost.py implements it ---------------

from bot.domain.authorship import Push  # noqa: E402
from bot.domain.models import FileChange  # noqa: E402


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
